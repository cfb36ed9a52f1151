import { ConfigurationError } from '../../../../lambda/core/config';
import {
  DEFAULT_PROJECT_NAME,
  loadServiceConfig,
  metricsNamespace,
  stackName,
} from '../../../../lib/config';
import { cdkJsonContext } from '../../../support/cdk-json';
import { devSettings, withDev } from '../../../support/config-context';

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
      ConfigurationError,
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
    [
      'an unknown route in routeThrottling',
      { routeThrottling: { listProducts: { rateLimit: 1, burstLimit: 1 } } },
      /routeThrottling\.listProducts is not a route; routes: listPrices, /,
    ],
    [
      'a route throttle without a burst limit',
      { routeThrottling: { listPrices: { rateLimit: 5 } } },
      /routeThrottling\.listPrices\.burstLimit must be a positive integer/,
    ],
    [
      'a route throttle with an unknown key',
      { routeThrottling: { listPrices: { rateLimit: 5, burstLimit: 5, quota: 9 } } },
      /rateLimit and burstLimit only \(got quota\)/,
    ],
    ['routeThrottling that is not an object', { routeThrottling: [] }, /keyed by route name/],
    ['an apiThrottling of zero', { apiThrottling: { rateLimit: 0, burstLimit: 1 } }, /rateLimit/],
    [
      'a reserved concurrency of 0 (which would stop the function)',
      { webhookReservedConcurrency: 0 },
      /would stop the function: use false/,
    ],
    ['a fractional reserved concurrency', { webhookReservedConcurrency: 2.5 }, /or false/],
    ['a reserved concurrency of true', { webhookReservedConcurrency: true }, /or false/],
  ])('rejects %s', (_name, override, message) => {
    expect(() =>
      loadServiceConfig(withDev({ env: 'dev' }, { ...devSettings, ...override }), {}),
    ).toThrow(message);
  });

  it('allows http for exactly the hosts a redirect may use it for', () => {
    const local = ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000'];
    const config = loadServiceConfig(
      withDev({ env: 'dev' }, { ...devSettings, allowedRedirectOrigins: local }),
      {},
    );
    expect(config.settings.allowedRedirectOrigins).toEqual(local);
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

  it('reads per-route throttles and the webhook reserved concurrency, off by default', () => {
    const defaults = loadServiceConfig(withDev({ env: 'dev' }), {}).settings;
    expect(defaults.routeThrottling).toEqual({});
    expect(defaults.webhookReservedConcurrency).toBe(false);

    const { settings } = loadServiceConfig(
      withDev(
        { env: 'dev' },
        {
          ...devSettings,
          routeThrottling: { stripeWebhook: { rateLimit: 5, burstLimit: 10 } },
          webhookReservedConcurrency: 7,
        },
      ),
      {},
    );
    expect(settings.routeThrottling).toEqual({ stripeWebhook: { rateLimit: 5, burstLimit: 10 } });
    expect(settings.webhookReservedConcurrency).toBe(7);
  });
});

describe('loadServiceConfig: token issuer and audience', () => {
  const load = (values: Record<string, unknown>, settings: Record<string, unknown> = {}) =>
    loadServiceConfig(withDev({ env: 'dev', ...values }, { ...devSettings, ...settings }), {})
      .settings;

  it('are unset by default, and when given empty', () => {
    const settings = load({ jwtIssuer: '', jwtAudience: '' });
    expect(settings.jwtIssuer).toBeUndefined();
    expect(settings.jwtAudience).toBeUndefined();
    expect('jwtIssuer' in settings).toBe(false);
  });

  it('come from the command line or the environment settings', () => {
    expect(load({ jwtIssuer: 'https://auth.example.com' }).jwtIssuer).toBe(
      'https://auth.example.com',
    );
    expect(load({}, { jwtAudience: 'stripe-service' }).jwtAudience).toBe('stripe-service');
  });

  it('take the longest token lifetime per environment or from the command line, a day by default', () => {
    expect(load({}).jwtMaxLifetimeSeconds).toBe(86_400);
    expect(load({}, { jwtMaxLifetimeSeconds: 900 }).jwtMaxLifetimeSeconds).toBe(900);
    expect(load({ jwtMaxLifetimeSeconds: '3600' }).jwtMaxLifetimeSeconds).toBe(3_600);
    expect(() => load({ jwtMaxLifetimeSeconds: '30' })).toThrow(
      /jwtMaxLifetimeSeconds must be an integer from 60 to 31536000/,
    );
  });

  it('take the past_due grace per environment or from the command line, a week by default', () => {
    expect(load({}).pastDueGraceDays).toBe(7);
    expect(load({}, { pastDueGraceDays: 0 }).pastDueGraceDays).toBe(0);
    expect(load({ pastDueGraceDays: '14' }).pastDueGraceDays).toBe(14);
    expect(() => load({ pastDueGraceDays: '61' })).toThrow(
      /pastDueGraceDays must be an integer from 0 to 60/,
    );
    expect(() => load({ pastDueGraceDays: '1.5' })).toThrow(/pastDueGraceDays must be an integer/);
  });

  it.each([
    ['a number', { jwtIssuer: 7 }, /context jwtIssuer must be a string/],
    ['padding', { jwtAudience: ' aud ' }, /context jwtAudience must be a string without leading/],
  ])('rejects %s', (_name, values, message) => {
    expect(() => load(values)).toThrow(message);
  });
});

describe('loadServiceConfig: alarms and reconciliation', () => {
  const load = (values: Record<string, unknown>, settings: Record<string, unknown> = {}) =>
    loadServiceConfig(withDev({ env: 'dev', ...values }, { ...devSettings, ...settings }), {})
      .settings;

  it('defaults: a topic of its own, no email, every 15 minutes for 5 at most, one run at a time', () => {
    const settings = load({});
    expect(settings.alarms).toEqual({
      signatureRejectionThreshold: 10,
      apiServerErrorRatePercent: 5,
    });
    expect(settings.reconciliation).toEqual({
      intervalMinutes: 15,
      timeoutSeconds: 300,
      reservedConcurrency: 1,
    });
  });

  it('names the metrics namespace after the stack', () => {
    const config = loadServiceConfig(withDev({ env: 'dev', projectName: 'acme' }), {});
    expect(metricsNamespace(config)).toBe('acme-dev-stripe-service');
  });

  it('takes every setting per environment or from the command line (as strings), the command line winning', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:ops-alarms';
    const perEnvironment = {
      alarmEmail: 'billing-team@example.com',
      signatureRejectionAlarmThreshold: 50,
      apiServerErrorRateAlarmPercent: 2.5,
      reconcileIntervalMinutes: 30,
      reconcileTimeoutSeconds: 600,
      reconcileReservedConcurrency: false,
    };
    expect(load({}, perEnvironment)).toMatchObject({
      alarms: {
        email: 'billing-team@example.com',
        signatureRejectionThreshold: 50,
        apiServerErrorRatePercent: 2.5,
      },
      reconciliation: { intervalMinutes: 30, timeoutSeconds: 600, reservedConcurrency: false },
    });
    const fromCommandLine = load(
      {
        alarmTopicArn: topicArn,
        alarmEmail: 'oncall@example.com',
        signatureRejectionAlarmThreshold: '5',
        reconcileIntervalMinutes: '5',
        reconcileReservedConcurrency: '1',
      },
      perEnvironment,
    );
    expect(fromCommandLine.alarms).toEqual({
      topicArn,
      email: 'oncall@example.com',
      signatureRejectionThreshold: 5,
      apiServerErrorRatePercent: 2.5,
    });
    expect(fromCommandLine.reconciliation).toEqual({
      intervalMinutes: 5,
      timeoutSeconds: 600,
      reservedConcurrency: 1,
    });
  });

  it.each([
    [
      'a topic name instead of an ARN',
      { alarmTopicArn: 'ops-alarms' },
      /alarmTopicArn must be the ARN of a standard/,
    ],
    [
      'a FIFO topic (alarms cannot publish to one)',
      { alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:alarms.fifo' },
      /not FIFO/,
    ],
    [
      'two addresses',
      { alarmEmail: 'a@example.com,b@example.com' },
      /alarmEmail must be one email address/,
    ],
    ['no address', { alarmEmail: 'oncall' }, /alarmEmail must be one email address/],
    [
      'an interval of 0',
      { reconcileIntervalMinutes: 0 },
      /reconcileIntervalMinutes must be an integer from 1 to 720 \(got 0\)/,
    ],
    [
      'a fractional interval',
      { reconcileIntervalMinutes: '7.5' },
      /reconcileIntervalMinutes must be an integer/,
    ],
    ['an interval over 12 hours', { reconcileIntervalMinutes: 721 }, /from 1 to 720/],
    ['a word for the interval', { reconcileIntervalMinutes: 'hourly' }, /reconcileIntervalMinutes/],
    [
      "a timeout over Lambda's 15 minutes",
      { reconcileTimeoutSeconds: 901 },
      /reconcileTimeoutSeconds must be an integer from 1 to 900/,
    ],
    [
      'two concurrent runs',
      { reconcileReservedConcurrency: 2 },
      /reconcileReservedConcurrency must be 1 \(runs never overlap\) or false/,
    ],
    [
      'a threshold of 0',
      { signatureRejectionAlarmThreshold: 0 },
      /signatureRejectionAlarmThreshold must be an integer/,
    ],
    [
      'a rate over 100 %',
      { apiServerErrorRateAlarmPercent: 150 },
      /apiServerErrorRateAlarmPercent must be a number from 0.1 to 100/,
    ],
  ])('rejects %s, naming the setting', (_name, values, message) => {
    expect(() => load(values)).toThrow(ConfigurationError);
    expect(() => load(values)).toThrow(message);
  });

  it('names where a bad value came from', () => {
    expect(() => load({}, { reconcileIntervalMinutes: -1 })).toThrow(
      /environments\.dev\.reconcileIntervalMinutes must be/,
    );
    expect(() => load({ reconcileIntervalMinutes: -1 })).toThrow(
      /context reconcileIntervalMinutes must be/,
    );
  });
});

describe('the eventBridgeSource setting', () => {
  const SOURCE = 'aws.partner/stripe.com/ed_test_123';
  const config = (context: Record<string, unknown>) =>
    loadServiceConfig({
      tryGetContext: (key) => ({ ...cdkJsonContext(), env: 'dev', ...context })[key],
    });

  it('takes a Stripe partner event source name', () => {
    expect(config({ eventBridgeSource: SOURCE }).settings.eventBridgeSource).toBe(SOURCE);
    expect(config({}).settings.eventBridgeSource).toBeUndefined();
    expect(config({ eventBridgeSource: '' }).settings.eventBridgeSource).toBeUndefined();
  });

  it.each([
    'aws.partner/stripe.com/',
    'aws.partner/example.com/ed_1',
    'ed_test_123',
    'aws.partner/stripe.com/ed 1',
  ])('refuses %p, saying what it must be', (value) => {
    expect(() => config({ eventBridgeSource: value })).toThrow(
      /context eventBridgeSource must be the partner event source of a Stripe event destination: aws\.partner\/stripe\.com\//,
    );
  });
});

describe('the userRateLimit setting', () => {
  const load = (userRateLimit: unknown) =>
    loadServiceConfig(withDev({ env: 'dev' }, { ...devSettings, userRateLimit }), {}).settings
      .userRateLimit;

  it('defaults to 60 requests a minute per user when the environment names none', () => {
    expect(loadServiceConfig(withDev({ env: 'dev' }), {}).settings.userRateLimit).toEqual({
      requests: 60,
      windowSeconds: 60,
    });
  });

  it('takes a limit per environment, or false for none', () => {
    expect(load({ requests: 5, windowSeconds: 3_600 })).toEqual({
      requests: 5,
      windowSeconds: 3_600,
    });
    expect(load(false)).toBe(false);
  });

  it('keeps the limits cdk.json gives each environment', () => {
    const limits = Object.fromEntries(
      (['dev', 'staging', 'prod'] as const).map((env) => [
        env,
        loadServiceConfig({ tryGetContext: (key) => ({ ...cdkJsonContext(), env })[key] }, {})
          .settings.userRateLimit,
      ]),
    );
    expect(limits).toEqual({
      dev: { requests: 120, windowSeconds: 60 },
      staging: { requests: 60, windowSeconds: 60 },
      prod: { requests: 60, windowSeconds: 60 },
    });
  });

  it.each([
    [true, /userRateLimit must be an object \{requests, windowSeconds\}, or false for no limit/],
    [60, /userRateLimit must be an object/],
    [{ requests: 60 }, /userRateLimit\.windowSeconds must be an integer from 1 to 86400/],
    [{ requests: 0, windowSeconds: 60 }, /userRateLimit\.requests must be a positive integer/],
    [{ requests: 1.5, windowSeconds: 60 }, /userRateLimit\.requests must be a positive integer/],
    [{ requests: 60, windowSeconds: 86_401 }, /windowSeconds must be an integer from 1 to 86400/],
    [
      { requests: 60, windowSeconds: 60, burst: 5 },
      /takes requests and windowSeconds only \(got burst\)/,
    ],
  ])('refuses %j', (value, message) => {
    expect(() => load(value)).toThrow(message);
  });
});
