import type Stripe from 'stripe';
import { checkoutFlowSteps } from '../support/checkout-flows';
import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { received, session } = checkoutFlowSteps(h);

describe('subscription lifecycle controls', () => {
  async function activeSubscription(): Promise<Stripe.Subscription> {
    const created = await session('subscription');
    await h.control(`checkout/sessions/${created.id}/complete`, { outcome: 'succeeded' });
    const id = (await h.stripe.checkout.sessions.retrieve(created.id)).subscription as string;
    await h.settle();
    h.receiver.clear();
    return h.stripe.subscriptions.retrieve(id);
  }

  it('renews with a paid invoice: the period advances', async () => {
    const sub = await activeSubscription();
    const before = sub.items.data[0]?.current_period_end;
    await h.control(`subscriptions/${sub.id}/renew`, { outcome: 'paid' });
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.updated',
      'invoice.payment_succeeded',
    ]);
    const updated = events[0]?.data.object as Stripe.Subscription;
    expect(updated.items.data[0]?.current_period_start).toBe(before);
    expect(events[1]?.data.object).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'paid',
    });
  });

  it('renews with a failed invoice: the period advances, the payment fails, then past_due', async () => {
    const sub = await activeSubscription();
    await h.control(`subscriptions/${sub.id}/renew`, { outcome: 'failed' });
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.updated',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated',
    ]);
    expect(events[0]?.data.object).toMatchObject({ status: 'active' });
    expect(events[2]?.data.object).toMatchObject({ status: 'open', amount_remaining: 2500 });
    expect(events[3]?.data.object).toMatchObject({ status: 'past_due' });
    expect(events[3]?.data.previous_attributes).toEqual({ status: 'active' });
  });

  it.each(['cancellation_requested', 'payment_failed', 'payment_disputed'])(
    'cancels now with reason %s: customer.subscription.deleted',
    async (reason) => {
      const sub = await activeSubscription();
      await h.control(`subscriptions/${sub.id}/cancel`, { reason });
      const events = await received();
      expect(events.map((e) => e.type)).toEqual(['customer.subscription.deleted']);
      expect(events[0]?.data.object).toMatchObject({
        status: 'canceled',
        cancellation_details: { reason },
      });
    },
  );

  it('cancels at period end: customer.subscription.updated with cancel_at_period_end', async () => {
    const sub = await activeSubscription();
    await h.control(`subscriptions/${sub.id}/cancel`, { at_period_end: true });
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.updated']);
    expect(events[0]?.data.object).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: sub.items.data[0]?.current_period_end,
      cancellation_details: { reason: 'cancellation_requested' },
    });
    expect(events[0]?.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
  });

  it('updates quantity: customer.subscription.updated with previous attributes', async () => {
    const sub = await activeSubscription();
    await h.control(`subscriptions/${sub.id}/update`, { quantity: 3 });
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.updated']);
    expect((events[0]?.data.object as Stripe.Subscription).items.data[0]?.quantity).toBe(3);
    expect(events[0]?.data.previous_attributes).toHaveProperty('items');
  });

  it('refuses to change a canceled subscription', async () => {
    const sub = await activeSubscription();
    await h.control(`subscriptions/${sub.id}/cancel`, {});
    await expect(h.control(`subscriptions/${sub.id}/renew`, {})).rejects.toThrow(/400/);
  });
});
