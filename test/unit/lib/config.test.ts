import {
  ConfigError,
  DEFAULT_PROJECT_NAME,
  loadServiceConfig,
  stackName,
} from '../../../lib/config';

const devSettings = {
  allowedRedirectOrigins: ['https://app.example.com', 'http://localhost:3000'],
  logRetentionDays: 14,
  lambdaMemoryMb: 512,
  lambdaTimeoutSeconds: 15,
  removalPolicy: 'destroy',
  pointInTimeRecovery: false,
  deletionProtection: false,
  apiThrottling: { rateLimit: 10, burstLimit: 20 },
  secretsCacheMaxAgeSeconds: 300,
  external: {},
};

function context(values: Record<string, unknown>) {
  return { tryGetContext: (key: string): unknown => values[key] };
}
const withDev = (
  values: Record<string, unknown>,
  settings: Record<string, unknown> = devSettings,
) => context({ environments: { dev: settings }, ...values });

describe('loadServiceConfig', () => {
  it('names the valid environments when env is missing', () => {
    expect(() => loadServiceConfig(withDev({}), {})).toThrow(
      /valid environments: dev, staging, prod/,
    );
  });

  it('names the valid environments when env is unknown', () => {
    expect(() => loadServiceConfig(withDev({ env: 'qa' }), {})).toThrow(
      /valid environments: dev, staging, prod \(got "qa"\)/,
    );
  });

  it('takes projectName from context, then PROJECT_NAME, then the default', () => {
    expect(
      loadServiceConfig(withDev({ env: 'dev', projectName: 'acme' }), { PROJECT_NAME: 'other' })
        .projectName,
    ).toBe('acme');
    expect(loadServiceConfig(withDev({ env: 'dev' }), { PROJECT_NAME: 'other' }).projectName).toBe(
      'other',
    );
    expect(loadServiceConfig(withDev({ env: 'dev' }), {}).projectName).toBe(DEFAULT_PROJECT_NAME);
  });

  it('names the stack <project>-<env>-stripe-service', () => {
    expect(stackName(loadServiceConfig(withDev({ env: 'dev', projectName: 'acme' }), {}))).toBe(
      'acme-dev-stripe-service',
    );
  });

  it('rejects a project name that cannot name resources', () => {
    expect(() => loadServiceConfig(withDev({ env: 'dev', projectName: 'Acme Corp' }), {})).toThrow(
      ConfigError,
    );
  });

  it('fails when the environment has no settings in cdk.json', () => {
    expect(() => loadServiceConfig(withDev({ env: 'prod' }), {})).toThrow(/environments\.prod/);
  });

  it.each([
    [
      'an http origin that is not localhost',
      { allowedRedirectOrigins: ['http://app.example.com'] },
      /https/,
    ],
    [
      'an origin with a path',
      { allowedRedirectOrigins: ['https://app.example.com/home'] },
      /bare origin/,
    ],
    ['no origins', { allowedRedirectOrigins: [] }, /non-empty/],
    ['an invalid log retention', { logRetentionDays: 15 }, /retention/],
    ['a bad removal policy', { removalPolicy: 'snapshot' }, /removalPolicy/],
    ['a zero memory size', { lambdaMemoryMb: 0 }, /lambdaMemoryMb/],
    ['a string flag', { pointInTimeRecovery: 'yes' }, /pointInTimeRecovery/],
    [
      'an unknown external override',
      { external: { ordersTableName: 'x' } },
      /not a known override/,
    ],
    ['a topic ARN that is not an ARN', { external: { billingEventsTopicArn: 'topic' } }, /ARN/],
  ])('rejects %s', (_name, override, message) => {
    expect(() =>
      loadServiceConfig(withDev({ env: 'dev' }, { ...devSettings, ...override }), {}),
    ).toThrow(message);
  });

  it('reads the settings of the chosen environment', () => {
    const config = loadServiceConfig(
      withDev({ env: 'dev' }, { ...devSettings, external: { pricesTableName: 'catalog-prices' } }),
      {},
    );
    expect(config.environmentName).toBe('dev');
    expect(config.settings.allowedRedirectOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    expect(config.settings.external).toEqual({ pricesTableName: 'catalog-prices' });
  });
});
