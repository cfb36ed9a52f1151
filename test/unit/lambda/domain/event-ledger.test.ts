import { EVENT_LEDGER_RECORD_DAYS } from '../../../../lambda/domain/event-ledger';
import { STRIPE_EVENT_RETENTION_DAYS } from '../../../../lambda/domain/stripe-event-source';

describe("the event ledger's memory", () => {
  it("is Stripe's 30-day event retention", () => {
    // Stripe's documented retention: events can be listed and retrieved for 30 days.
    expect(STRIPE_EVENT_RETENTION_DAYS).toBe(30);
  });

  it('lasts at least as long as Stripe lists an event, so reconciliation never publishes one twice', () => {
    // Reconciliation walks every event Stripe still lists and relies on the ledger to know
    // each one already processed: a ledger that forgot sooner would publish it again.
    expect(EVENT_LEDGER_RECORD_DAYS).toBeGreaterThanOrEqual(STRIPE_EVENT_RETENTION_DAYS);
  });
});
