import type Stripe from 'stripe';
import { paidSubscription, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'payment_intent.payment_failed',
];

/** An active subscription, and the events from here on (oldest first) when asked. */
async function activeSubscription(email: string) {
  const { session } = await paidSubscription(h, email);
  const id = session.subscription as string;
  const since = (await h.stripe.events.list({ limit: 1 })).data[0]?.id ?? '';
  return {
    id,
    /** The subscription's events after the checkout, oldest first, as Stripe stores them. */
    events: async (): Promise<Stripe.Event[]> => {
      const newer: Stripe.Event[] = [];
      await h.stripe.events
        .list({ ending_before: since, types: SUBSCRIPTION_EVENTS })
        .autoPagingEach((event) => void newer.push(event));
      return newer;
    },
  };
}

const sub = (event: Stripe.Event | undefined) => event?.data.object as Stripe.Subscription;

describe('subscription lifecycle controls: realistic events, each a snapshot of its moment', () => {
  it('update, failed renewal, cancel: the events, their previous_attributes and one clock second', async () => {
    const { id, events } = await activeSubscription('lifecycle@example.com');
    const before = await h.stripe.subscriptions.retrieve(id);
    const periodEnd = before.items.data[0]?.current_period_end ?? 0;
    const { now: t } = (await h.control('clock', { frozen_at: 'now' })) as { now: number };

    await h.control(`subscriptions/${id}/update`, { quantity: 2 });
    await h.control(`subscriptions/${id}/renew`, { outcome: 'failed' });
    await h.control(`subscriptions/${id}/cancel`, { reason: 'payment_failed' });

    const all = await events();
    expect(all.map((e) => e.type)).toEqual([
      'customer.subscription.updated', // quantity 1 -> 2
      'customer.subscription.updated', // the period advances, still active
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated', // active -> past_due
      'customer.subscription.deleted', // canceled for the failed payment
    ]);
    expect(all.every((e) => e.created === t)).toBe(true);
    const [quantity, period, , failedInvoice, pastDue, deleted] = all;

    expect(sub(quantity)).toMatchObject({ status: 'active' });
    expect(sub(quantity).items.data[0]?.quantity).toBe(2);
    expect(quantity?.data.previous_attributes).toMatchObject({
      items: { data: [{ quantity: 1 }] },
    });

    expect(sub(period)).toMatchObject({ status: 'active' });
    expect(sub(period).items.data[0]?.current_period_start).toBe(periodEnd);
    expect(period?.data.previous_attributes).toMatchObject({
      items: { data: [{ current_period_end: periodEnd }] },
      latest_invoice: before.latest_invoice,
    });
    expect(sub(period).latest_invoice).toBe((failedInvoice?.data.object as Stripe.Invoice).id);

    expect(failedInvoice?.data.object).toMatchObject({
      status: 'open',
      billing_reason: 'subscription_cycle',
      amount_paid: 0,
      amount_remaining: 3998,
      parent: { subscription_details: { subscription: id } },
    });

    expect(sub(pastDue)).toMatchObject({ status: 'past_due' });
    expect(pastDue?.data.previous_attributes).toEqual({ status: 'active' });

    expect(sub(deleted)).toMatchObject({
      status: 'canceled',
      canceled_at: t,
      ended_at: t,
      cancellation_details: { reason: 'payment_failed', comment: null, feedback: null },
    });
    expect(deleted?.data).not.toHaveProperty('previous_attributes');

    // Snapshots: the earlier events still show their moment, retrieved again now.
    const again = await h.stripe.events.retrieve(quantity?.id ?? '');
    expect(sub(again)).toMatchObject({ status: 'active', cancellation_details: { reason: null } });
    // The last event carries the subscription's final state, exactly (compared as JSON:
    // the SDK turns a retrieved object's decimal strings into Decimals, not an event's).
    const current = await fetch(`${h.sandbox.url}/v1/subscriptions/${id}`, {
      headers: { authorization: 'Bearer sk_test_lifecycle' },
    });
    expect(sub(deleted)).toEqual(await current.json());
  });

  it('cancel at period end, then the period ends: deleted, with the cancellation as requested', async () => {
    const { id, events } = await activeSubscription('period-end@example.com');
    await h.control(`subscriptions/${id}/cancel`, {
      at_period_end: true,
      comment: 'too expensive',
    });
    const requested = await h.stripe.subscriptions.retrieve(id);
    const ended = (await h.control(`subscriptions/${id}/renew`, {})) as Stripe.Subscription;
    expect(ended).toMatchObject({ id, status: 'canceled' });

    const all = await events();
    expect(all.map((e) => e.type)).toEqual([
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]);
    expect(all[0]?.data.previous_attributes).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      cancellation_details: { reason: null },
    });
    expect(sub(all[1])).toMatchObject({
      status: 'canceled',
      cancel_at_period_end: true,
      canceled_at: requested.canceled_at,
      cancellation_details: { reason: 'cancellation_requested', comment: 'too expensive' },
    });
    expect(sub(all[1]).ended_at).toBeGreaterThanOrEqual(requested.canceled_at ?? Infinity);
    await expect(h.control(`subscriptions/${id}/renew`, {})).rejects.toThrow(/canceled/);
  });

  it('a paid renewal of a past_due subscription: period, paid invoice, then back to active', async () => {
    const { id, events } = await activeSubscription('recovered@example.com');
    await h.control(`subscriptions/${id}/renew`, { outcome: 'failed' });
    await h.control(`subscriptions/${id}/renew`, { outcome: 'paid' });
    const all = await events();
    expect(all.map((e) => e.type).slice(4)).toEqual([
      'customer.subscription.updated',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
    ]);
    const [period, paid, active] = all.slice(4);
    expect(sub(period)).toMatchObject({ status: 'past_due' });
    expect(period?.data.previous_attributes).not.toHaveProperty('status');
    expect(paid?.data.object).toMatchObject({ status: 'paid', amount_remaining: 0 });
    expect(sub(active)).toMatchObject({ status: 'active' });
    expect(active?.data.previous_attributes).toEqual({ status: 'past_due' });
  });
});
