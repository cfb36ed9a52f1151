import { UsageError } from '../../../../scripts/lib/cli';
import { localReconcileConfig } from '../../../../scripts/lib/local-target';
import { resolveTarget } from '../../../../scripts/lib/targets';
import { localResourceNames } from '../../../../local/stack/resource-names';

const names = localResourceNames({ projectName: 'acme' });
const topicArn = 'arn:aws:sns:us-east-1:000000000000:acme-local-billing-events';

describe('the local stack as a target', () => {
  it('names the stack as npm start does, and the sandbox on its port', () => {
    const target = resolveTarget({
      processEnv: { PROJECT_NAME: 'acme', STRIPE_SANDBOX_PORT: '12999' },
    });
    expect(target.local).toBe(true);
    expect(target.serviceName).toBe('acme-local-stripe-service');
    expect(target.stripeDescription).toBe('the Stripe sandbox at http://127.0.0.1:12999');
    target.close();
  });

  it('refuses --context without --env', () => {
    expect(() => resolveTarget({ context: { projectName: 'acme' }, processEnv: {} })).toThrow(
      UsageError,
    );
  });
});

describe("the local reconciliation's configuration", () => {
  it("names the local stack's tables, topic and key, with the function's defaults", () => {
    expect(localReconcileConfig(names, topicArn)).toEqual({
      customersTable: 'acme-local-stripe-customers',
      eventLedgerTable: 'acme-local-stripe-webhook-idempotency',
      parkedEventsTable: 'acme-local-stripe-parked-events',
      subscriptionOrderTable: 'acme-local-stripe-subscription-order',
      reconciliationStateTable: 'acme-local-stripe-reconciliation-state',
      billingEventsTopicArn: topicArn,
      accessPolicy: { pastDueGraceDays: 7 },
      stripeSecretKey: { name: 'acme-local-stripe-secret-key' },
      secretsCacheMaxAgeSeconds: 300,
      reconcileIntervalMinutes: 15,
    });
  });

  it('reads RECONCILE_INTERVAL_MINUTES as the reconcile function reads it', () => {
    const read = (value: string) =>
      localReconcileConfig(names, topicArn, { RECONCILE_INTERVAL_MINUTES: value });
    expect(read('5').reconcileIntervalMinutes).toBe(5);
    expect(read(' ').reconcileIntervalMinutes).toBe(15);
    for (const wrong of ['0', '-1', '7.5', 'hourly']) {
      expect(() => read(wrong)).toThrow(
        `RECONCILE_INTERVAL_MINUTES must be a positive integer (got "${wrong}")`,
      );
    }
  });
});
