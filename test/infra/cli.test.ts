import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(180_000);

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/** The environment of a machine with no AWS account: no credentials, no region, no metadata service. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const credentials = /^AWS_(ACCESS|SECRET|SESSION|PROFILE|REGION|DEFAULT_REGION)/;
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !credentials.test(key)),
  );
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.CDK_DISABLE_VERSION_CHECK = '1';
  env.AWS_SHARED_CREDENTIALS_FILE = path.join(os.tmpdir(), 'no-aws-credentials');
  env.AWS_CONFIG_FILE = path.join(os.tmpdir(), 'no-aws-config');
  return env;
}

function cdkSynth(args: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const result = spawnSync(CDK, ['synth', '--quiet', '--no-notices', '--output', outdir, ...args], {
    cwd: PROJECT_ROOT,
    env: offlineEnvironment(),
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

describe('npx cdk synth', () => {
  it('synthesizes dev offline, without credentials or Docker', () => {
    const result = cdkSynth(['--context', 'env=dev']);
    expect(result.stderr).not.toMatch(/docker/i);
    expect(result.status).toBe(0);
    const template = JSON.parse(
      fs.readFileSync(path.join(result.outdir, 'StripeServiceStack.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toEqual(
      expect.arrayContaining(['AWS::Lambda::Function', 'AWS::ApiGatewayV2::Api']),
    );
    const manifest = fs.readFileSync(path.join(result.outdir, 'manifest.json'), 'utf8');
    expect(manifest).toContain('eislett-education-dev-stripe-service');
  });

  it('fails for an unknown env, naming the valid ones', () => {
    const result = cdkSynth(['--context', 'env=qa']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('valid environments: dev, staging, prod');
  });

  it('fails without an env, naming the valid ones', () => {
    const result = cdkSynth([]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('valid environments: dev, staging, prod');
  });
});
