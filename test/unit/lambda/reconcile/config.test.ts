import { loadReconcileConfig } from '../../../../lambda/reconcile/config';
import { ENV } from '../../../../lambda/shared/function-environment';

describe('the reconciliation function configuration', () => {
  it('names every missing setting at once, and defaults the interval to 15 minutes', () => {
    expect(() => loadReconcileConfig({})).toThrow(
      new RegExp(
        [ENV.customersTable, ENV.reconciliationStateTable, ENV.stripeSecretKeyName].join('.*'),
      ),
    );
    const config = loadReconcileConfig({
      [ENV.customersTable]: 'c',
      [ENV.eventLedgerTable]: 'i',
      [ENV.parkedEventsTable]: 'p',
      [ENV.subscriptionOrderTable]: 's',
      [ENV.billingEventsTopicArn]: 'arn:aws:sns:eu-west-1:1:t',
      [ENV.pastDueGraceDays]: '7',
      [ENV.reconciliationStateTable]: 'r',
      [ENV.stripeSecretKeyName]: 'k',
    });
    expect(config).toMatchObject({ reconcileIntervalMinutes: 15, stripeSecretKey: { name: 'k' } });
    // It reads no webhook secret: the Stripe key is its only secret.
    expect(JSON.stringify(config)).not.toMatch(/webhook-secret|WEBHOOK_SECRET/);
  });
});
