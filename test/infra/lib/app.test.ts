import { Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../../lib/app';
import { ENVIRONMENT_NAMES } from '../../../lib/config';
import { cdkJsonContext } from '../../support/cdk-json';
import { synthesize, testApp } from '../../support/synth';

jest.setTimeout(60_000);

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Recorded as { "Annotation::<rule id>": "<reason>" }.
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([key, reason]) => ({
          id: key.replace(/^Annotation::/, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(ENVIRONMENT_NAMES)(
    'finds nothing unacknowledged in %s (synthesis throws on any finding)',
    (env) => {
      const { app } = synthesize(env);
      const acknowledged = acknowledgements(app);
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const { id, reason } of acknowledged) {
        expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
        expect(reason.length).toBeGreaterThan(40);
      }
    },
  );

  it('finds nothing with an imported alarm topic and an email subscription either', () => {
    expect(() =>
      synthesize(
        'prod',
        {
          alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:ops-paging',
          alarmEmail: 'oncall@example.com',
        },
        { bundling: false },
      ),
    ).not.toThrow();
  });

  it('acknowledges missing point-in-time recovery only where configuration turns it off', () => {
    const ids = (env: 'dev' | 'prod') => acknowledgements(synthesize(env).app).map((a) => a.id);
    expect(ids('dev')).toContain('AwsSolutions-DDB3');
    expect(ids('prod')).not.toContain('AwsSolutions-DDB3');
  });

  it('is wired into the app: a new unacknowledged finding fails synthesis', () => {
    const app = testApp({ ...cdkJsonContext(), env: 'prod' });
    const { stack } = buildApp(app);
    new Table(stack, 'UncheckedTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});

describe('buildApp: where the stack deploys (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION)', () => {
  it('synthesizes with CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION set but empty (CI without credentials)', () => {
    for (const processEnv of [
      { CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: '' },
      // What the CLI passes on when only the account is empty: "aws:///us-east-1" before.
      { CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: 'us-east-1' },
      { CDK_DEFAULT_ACCOUNT: ' ', CDK_DEFAULT_REGION: ' ' },
    ]) {
      const { app, stack } = synthesize('dev', {}, { bundling: false, processEnv });
      const artifact = app.synth().getStackByName(stack.stackName);
      expect(artifact.environment.account).toBe('unknown-account');
      expect(artifact.environment.region).toBe(
        processEnv.CDK_DEFAULT_REGION.trim() || 'unknown-region',
      );
    }
  });

  it('still deploys to the CDK_DEFAULT_* account and region when they are set', () => {
    const { stack } = synthesize(
      'dev',
      {},
      {
        bundling: false,
        processEnv: { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-west-1' },
      },
    );
    expect(stack.account).toBe('111122223333');
    expect(stack.region).toBe('eu-west-1');
  });
});
