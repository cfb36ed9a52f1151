import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE_CACHE_VARIABLE } from '../../../lib/bundle-cache';
import { TEST_BUNDLE_CACHE_DIR } from '../../support/bundle-cache';

jest.setTimeout(180_000);

const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');
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

function cdkSynth(args: string[], extraEnvironment: NodeJS.ProcessEnv = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const result = spawnSync(CDK, ['synth', '--quiet', '--no-notices', '--output', outdir, ...args], {
    cwd: PROJECT_ROOT,
    // The app bundles through the tests' cache (lib/bundle-cache.ts).
    env: {
      ...offlineEnvironment(),
      [BUNDLE_CACHE_VARIABLE]: TEST_BUNDLE_CACHE_DIR,
      ...extraEnvironment,
    },
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}
const templateOf = (outdir: string): TemplateJson =>
  JSON.parse(
    fs.readFileSync(path.join(outdir, 'StripeServiceStack.template.json'), 'utf8'),
  ) as TemplateJson;

describe('npx cdk synth', () => {
  it('synthesizes dev offline, without credentials or Docker', () => {
    const result = cdkSynth(['--context', 'env=dev']);
    expect(result.stderr).not.toMatch(/docker/i);
    expect(result.status).toBe(0);
    const types = Object.values(templateOf(result.outdir).Resources).map((r) => r.Type);
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

  it('synthesizes with CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION set but empty', () => {
    // Some CI systems without credentials export both as empty strings.
    const result = cdkSynth(['--context', 'env=dev'], {
      CDK_DEFAULT_ACCOUNT: '',
      CDK_DEFAULT_REGION: '',
    });
    expect(result.stderr).not.toContain('Unable to parse environment specification');
    expect(result.status).toBe(0);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(result.outdir, 'manifest.json'), 'utf8'),
    ) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts.StripeServiceStack?.environment).toMatch(
      /^aws:\/\/unknown-account\//,
    );
  });

  it('takes the combined secret and token requirements from --context', () => {
    const result = cdkSynth([
      '--context',
      'env=staging',
      '--context',
      'combinedSecretName=staging-eislett-education_secrets',
      '--context',
      'combinedSecretFields={"jwtAccessTokenSecret":"jwt_secret"}',
      '--context',
      'jwtIssuer=https://auth.example.com',
    ]);
    expect(result.status).toBe(0);
    const variables = Object.values(templateOf(result.outdir).Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((fn) => (fn.Properties.Environment as { Variables: Record<string, string> }).Variables);
    expect(variables).toContainEqual(
      expect.objectContaining({
        JWT_ACCESS_TOKEN_SECRET_NAME: 'staging-eislett-education_secrets',
        JWT_ACCESS_TOKEN_SECRET_FIELD: 'jwt_secret',
        STRIPE_SECRET_KEY_SECRET_FIELD: 'stripe_secret_key',
        JWT_ISSUER: 'https://auth.example.com',
      }),
    );
  });

  it('synthesizes Stripe events through EventBridge with --context eventBridgeSource', () => {
    const result = cdkSynth([
      '--context',
      'env=dev',
      '--context',
      'eventBridgeSource=aws.partner/stripe.com/ed_test_123',
    ]);
    expect(result.stderr).not.toMatch(/docker/i);
    expect(result.status).toBe(0);
    const resources = Object.values(templateOf(result.outdir).Resources);
    expect(resources).toContainEqual(
      expect.objectContaining({
        Type: 'AWS::Events::EventBus',
        Properties: expect.objectContaining({
          EventSourceName: 'aws.partner/stripe.com/ed_test_123',
        }) as unknown,
      }),
    );
    expect(resources).toContainEqual(
      expect.objectContaining({
        Type: 'AWS::Lambda::Function',
        Properties: expect.objectContaining({
          FunctionName: 'eislett-education-dev-stripe-event-bridge',
        }) as unknown,
      }),
    );
  });

  it('names a malformed eventBridgeSource without a stack trace', () => {
    const result = cdkSynth(['--context', 'env=dev', '--context', 'eventBridgeSource=ed_123']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'Configuration error: context eventBridgeSource must be the partner event source of a Stripe event destination',
    );
  });

  it('names a bad combinedSecretFields key without a stack trace', () => {
    const result = cdkSynth([
      '--context',
      'env=dev',
      '--context',
      'combinedSecretName=dev-eislett-education_secrets',
      '--context',
      'combinedSecretFields={"stripeKey":"k"}',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'Configuration error: context combinedSecretFields.stripeKey is not a known secret',
    );
  });
});
