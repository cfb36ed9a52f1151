import { ConfigurationError } from '../../../../lambda/core/config';
import { loadEventBridgeConfig } from '../../../../lambda/eventbridge/config';
import { functionEnvironments } from '../../../../lambda/shared/function-environment';
import {
  isStripePartnerSourceName,
  matchesStripeEventPattern,
  stripeEventPattern,
} from '../../../../lambda/stripe-events/event-bridge-pattern';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../lambda/stripe-events/billing-event-mapping';

const SOURCE = 'aws.partner/stripe.com/ed_test_123';

describe('the Stripe EventBridge rule pattern', () => {
  const pattern = stripeEventPattern(SOURCE, '111122223333');
  const envelope = { source: SOURCE, account: '111122223333' };

  it('lets every handled type through, as a snapshot event and as a thin notification', () => {
    for (const type of HANDLED_STRIPE_EVENT_TYPES) {
      expect(matchesStripeEventPattern(pattern, { ...envelope, 'detail-type': type })).toBe(true);
      expect(matchesStripeEventPattern(pattern, { ...envelope, 'detail-type': `v1.${type}` })).toBe(
        true,
      );
    }
    expect(pattern['detail-type']).toHaveLength(2 * HANDLED_STRIPE_EVENT_TYPES.length);
  });

  it('lets nothing else through: other types, sources or accounts', () => {
    const type = 'payment_intent.succeeded';
    expect(
      matchesStripeEventPattern(pattern, { ...envelope, 'detail-type': 'customer.created' }),
    ).toBe(false);
    expect(
      matchesStripeEventPattern(pattern, { ...envelope, source: 'my.app', 'detail-type': type }),
    ).toBe(false);
    expect(
      matchesStripeEventPattern(pattern, { ...envelope, account: '999', 'detail-type': type }),
    ).toBe(false);
  });

  it.each([
    [SOURCE, true],
    ['aws.partner/stripe.com/ed_61Sx9Q/acct.1-x', true],
    ['aws.partner/stripe.com/', false],
    ['aws.partner/example.com/ed_1', false],
    ['aws.partner/stripe.com/ed 1', false],
    ['aws.partner/stripe.com/ed_1*', false],
    [42, false],
  ])('knows a partner event source name: %p is %p', (value, valid) => {
    expect(isStripePartnerSourceName(value)).toBe(valid);
  });
});

describe('the EventBridge function configuration', () => {
  const inputs = {
    customersTable: 'c',
    eventLedgerTable: 'i',
    catalogSyncTable: 'cs',
    parkedEventsTable: 'p',
    subscriptionOrderTable: 'o',
    reconciliationStateTable: 'r',
    catalogSnapshotTable: 'snap',
    userRateLimitTable: 'limits',
    productsTable: 'prod',
    pricesTable: 'price',
    billingEventsTopicArn: 'arn:aws:sns:eu-west-1:111122223333:billing',
    secrets: {
      stripeSecretKey: { name: 'key' },
      stripeWebhookSecret: { name: 'whsec' },
      jwtAccessTokenSecret: { name: 'jwt' },
    },
    allowedRedirectOrigins: ['https://app.example.com'],
    jwtMaxLifetimeSeconds: 86_400,
    pastDueGraceDays: 7,
    userRateLimit: false as const,
    secretsCacheMaxAgeSeconds: 300,
    reconcileIntervalMinutes: 15,
    metricsNamespace: 'ns',
    environmentName: 'dev',
  };

  it("reads the pipeline's tables, the source and the Stripe key; never the webhook secret", () => {
    const environment = functionEnvironments({ ...inputs, eventBridgeSource: SOURCE }).eventBridge;
    expect(loadEventBridgeConfig(environment)).toMatchObject({
      eventBridgeSource: SOURCE,
      eventLedgerTable: 'i',
      parkedEventsTable: 'p',
      stripeSecretKey: { name: 'key' },
    });
    expect(Object.values(environment)).not.toContain('whsec');
  });

  it('fails the cold start without a valid source', () => {
    expect(() => loadEventBridgeConfig(functionEnvironments(inputs).eventBridge)).toThrow(
      ConfigurationError,
    );
    const wrong = functionEnvironments({ ...inputs, eventBridgeSource: 'my.app' }).eventBridge;
    expect(() => loadEventBridgeConfig(wrong)).toThrow(/aws\.partner\/stripe\.com/);
  });
});
