import type Stripe from 'stripe';
import { priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });

// A flow is judged by its payment and subscription events; the catalog events setting it up
// causes (customer.created, product.created, price.created, ...) are left out.
const CATALOG_EVENT = /^(customer|product|price)\.[a-z_]+$/;

/** The flow events the endpoint received (verified by constructEvent), in order. */
async function received(): Promise<Stripe.Event[]> {
  await h.settle();
  expect(h.receiver.rejected).toEqual([]);
  return h.receiver.events.filter((event) => !CATALOG_EVENT.test(event.type));
}

async function session(mode: 'payment' | 'subscription'): Promise<Stripe.Checkout.Session> {
  const customer = await h.stripe.customers.create({ email: `${mode}@example.com` });
  const { price } = await priceFixture(h.stripe, mode === 'subscription', 2500);
  return h.stripe.checkout.sessions.create({
    mode,
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://app.example.com/cancel',
    client_reference_id: 'user-1',
    metadata: { userId: 'user-1', priceId: 'local-price' },
    ...(mode === 'payment'
      ? { payment_intent_data: { metadata: { userId: 'user-1', priceId: 'local-price' } } }
      : { subscription_data: { metadata: { userId: 'user-1', priceId: 'local-price' } } }),
  });
}

const pay = (id: string, action: 'pay' | 'decline' | 'requires-action') =>
  fetch(`${h.sandbox.url}/checkout/${id}/${action}`, { method: 'POST', redirect: 'manual' });

describe('checkout in payment mode', () => {
  it('Pay: a succeeded PaymentIntent with the metadata, then checkout.session.completed; redirect to success_url', async () => {
    const created = await session('payment');
    const page = await fetch(created.url ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pay 25.00 USD');

    const answer = await pay(created.id, 'pay');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(
      `https://app.example.com/done?session_id=${created.id}`,
    );

    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'payment_intent.succeeded',
      'checkout.session.completed',
    ]);
    const intent = events[0]?.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 2500,
      amount_received: 2500,
      customer: created.customer,
      metadata: { userId: 'user-1', priceId: 'local-price' },
    });
    const completed = events[1]?.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({
      id: created.id,
      status: 'complete',
      payment_status: 'paid',
      payment_intent: intent.id,
      client_reference_id: 'user-1',
    });
    expect(await h.stripe.checkout.sessions.retrieve(created.id)).toMatchObject({
      status: 'complete',
      payment_intent: intent.id,
    });
  });

  it('Decline: payment_intent.payment_failed with card_declined; the session stays open', async () => {
    const created = await session('payment');
    const answer = await pay(created.id, 'decline');
    expect(answer.status).toBe(402);
    expect(await answer.text()).toContain('declined');
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
    expect(events[0]?.data.object).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined' },
      metadata: { userId: 'user-1' },
    });
    expect((await h.stripe.checkout.sessions.retrieve(created.id)).status).toBe('open');
  });

  it('Requires action: payment_intent.requires_action', async () => {
    const created = await session('payment');
    expect((await pay(created.id, 'requires-action')).status).toBe(402);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['payment_intent.requires_action']);
    expect(events[0]?.data.object).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'use_stripe_sdk' },
    });
  });

  it('a completed session cannot be paid twice', async () => {
    const created = await session('payment');
    await h.control(`checkout/sessions/${created.id}/complete`, { outcome: 'succeeded' });
    expect((await pay(created.id, 'pay')).status).toBe(409);
    await expect(h.control(`checkout/sessions/${created.id}/complete`, {})).rejects.toThrow(/400/);
  });
});

describe('checkout in subscription mode', () => {
  it('Pay: customer.subscription.created, invoice.payment_succeeded, checkout.session.completed', async () => {
    const created = await session('subscription');
    expect((await pay(created.id, 'pay')).status).toBe(303);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.created',
      'invoice.payment_succeeded',
      'checkout.session.completed',
    ]);
    const subscription = events[0]?.data.object as Stripe.Subscription;
    expect(subscription).toMatchObject({
      status: 'active',
      customer: created.customer,
      metadata: { userId: 'user-1', priceId: 'local-price' },
    });
    const item = subscription.items.data[0];
    expect(item?.current_period_end).toBeGreaterThan(item?.current_period_start ?? Infinity);
    const invoice = events[1]?.data.object as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_paid: 2500,
      parent: {
        subscription_details: { subscription: subscription.id, metadata: { userId: 'user-1' } },
      },
    });
    expect(events[2]?.data.object).toMatchObject({
      subscription: subscription.id,
      invoice: invoice.id,
      status: 'complete',
    });
  });

  it('Decline: payment_intent.payment_failed and no subscription', async () => {
    const created = await session('subscription');
    await pay(created.id, 'decline');
    expect((await received()).map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
    expect(
      (await h.stripe.subscriptions.list({ customer: created.customer as string })).data,
    ).toEqual([]);
  });

  it('Requires action: an incomplete subscription that can expire (deleted, incomplete_expired)', async () => {
    const created = await session('subscription');
    await pay(created.id, 'requires-action');
    const subscriptionId = (await h.stripe.checkout.sessions.retrieve(created.id))
      .subscription as string;
    await h.control(`subscriptions/${subscriptionId}/expire`);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.created',
      'payment_intent.requires_action',
      'customer.subscription.deleted',
    ]);
    expect(events[0]?.data.object).toMatchObject({ status: 'incomplete' });
    expect(events[2]?.data.object).toMatchObject({
      id: subscriptionId,
      status: 'incomplete_expired',
    });
  });
});

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

describe('billing portal page', () => {
  it('lists the customer subscriptions and cancels one now or at period end', async () => {
    const first = await session('subscription');
    await h.control(`checkout/sessions/${first.id}/complete`, { outcome: 'succeeded' });
    const customer = first.customer as string;
    const { price } = await priceFixture(h.stripe, true, 900);
    const second = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: price.id, quantity: 1 }],
    });
    await h.control(`checkout/sessions/${second.id}/complete`, { outcome: 'succeeded' });
    const [subA, subB] = [
      (await h.stripe.checkout.sessions.retrieve(first.id)).subscription as string,
      (await h.stripe.checkout.sessions.retrieve(second.id)).subscription as string,
    ];
    await h.settle();
    h.receiver.clear();

    const portal = await h.stripe.billingPortal.sessions.create({
      customer,
      return_url: 'https://app.example.com/account',
    });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain(subA);
    expect(html).toContain(subB);

    const post = (sub: string, when: string) =>
      fetch(`${portal.url}/subscriptions/${sub}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `when=${when}`,
        redirect: 'manual',
      });
    expect((await post(subA, 'now')).status).toBe(303);
    expect((await post(subB, 'period_end')).status).toBe(303);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.deleted',
      'customer.subscription.updated',
    ]);
    expect(events[0]?.data.object).toMatchObject({
      id: subA,
      status: 'canceled',
      cancellation_details: { reason: 'cancellation_requested' },
    });
    expect(events[1]?.data.object).toMatchObject({ id: subB, cancel_at_period_end: true });

    const other = await h.stripe.customers.create({});
    const foreignPortal = await h.stripe.billingPortal.sessions.create({ customer: other.id });
    expect(
      (
        await fetch(`${foreignPortal.url}/subscriptions/${subB}/cancel`, {
          method: 'POST',
          body: 'when=now',
        })
      ).status,
    ).toBe(404);
  });
});
