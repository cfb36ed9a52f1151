import type Stripe from 'stripe';
import { checkoutFlowSteps } from '../support/checkout-flows';
import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { received, session } = checkoutFlowSteps(h);

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
