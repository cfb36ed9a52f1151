import type Stripe from 'stripe';
import { useHarness } from '../support/harness';
import { useStripeCli } from '../support/stripe-cli-runner';

jest.setTimeout(120_000);

/**
 * `stripe trigger <event>` of the official Stripe CLI against the sandbox: the CLI's own
 * fixture (its requests: customers with test payment methods, payment intents confirmed
 * with test cards, subscriptions, invoice items and invoices paid, a Checkout Session paid
 * through the payment page) makes real state, and the event is created from it, stored
 * and delivered.
 */

const h = useHarness();
const stripeCli = useStripeCli(h);

/**
 * Runs `stripe trigger <type>` and answers the event it caused: the newest event of that
 * type, which must be new. It must also have reached the webhook endpoint, verified.
 */
async function trigger(type: string): Promise<Stripe.Event> {
  const before = new Set(
    (await h.stripe.events.list({ type, limit: 100 })).data.map((event) => event.id),
  );
  const result = await stripeCli('trigger', type);
  expect({ type, status: result.status, output: result.stdout + result.stderr }).toMatchObject({
    status: 0,
    output: expect.stringContaining('Trigger succeeded') as unknown,
  });
  const [event] = (await h.stripe.events.list({ type, limit: 1 })).data;
  if (!event) throw new Error(`stripe trigger ${type} created no ${type} event`);
  expect(before.has(event.id)).toBe(false);
  await h.settle();
  expect(h.receiver.ids()).toContain(event.id);
  expect(h.receiver.rejected).toEqual([]);
  return event;
}

/** The events of one trigger, oldest first: those created after `since` (an event id). */
async function eventsSince(since: string): Promise<Stripe.Event[]> {
  return (await h.stripe.events.list({ ending_before: since, limit: 100 })).data.reverse();
}

describe('stripe trigger, for each event type the service handles', () => {
  it('payment_intent.succeeded: a payment intent confirmed with pm_card_visa, shipping kept', async () => {
    const event = await trigger('payment_intent.succeeded');
    const intent = event.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 2000,
      amount_received: 2000,
      currency: 'usd',
      description: '(created by Stripe CLI)',
      shipping: { name: 'Jenny Rosen', address: { line1: '510 Townsend St', country: 'US' } },
    });
    expect(await h.stripe.paymentIntents.retrieve(intent.id)).toMatchObject({
      status: 'succeeded',
    });
    const card = await h.stripe.paymentMethods.retrieve(intent.payment_method as string);
    expect(card.card).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('payment_intent.payment_failed: declined by pm_card_chargeDeclined', async () => {
    const event = await trigger('payment_intent.payment_failed');
    const intent = event.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      amount_received: 0,
      payment_method: null,
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        payment_method: { card: { last4: '0002' } },
      },
    });
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe(
      'requires_payment_method',
    );
  });

  it('payment_intent.requires_action: pm_card_authenticationRequired waits for 3-D Secure', async () => {
    const event = await trigger('payment_intent.requires_action');
    const intent = event.data.object as Stripe.PaymentIntent;
    expect(intent).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'use_stripe_sdk' },
    });
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_action');
  });

  it('customer.subscription.created: active, its first invoice paid by the default card', async () => {
    const event = await trigger('customer.subscription.created');
    const sub = event.data.object as Stripe.Subscription;
    expect(sub).toMatchObject({ status: 'active', collection_method: 'charge_automatically' });
    const customer = (await h.stripe.customers.retrieve(sub.customer as string)) as Stripe.Customer;
    const pm = customer.invoice_settings.default_payment_method as string;
    expect(pm).toMatch(/^pm_/);
    expect((await h.stripe.paymentMethods.retrieve(pm)).customer).toBe(customer.id);
    const invoice = await h.stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_paid: 1500,
      parent: { subscription_details: { subscription: sub.id } },
    });
    expect((await eventsSince(event.id)).map((e) => e.type)).toEqual([
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
  });

  it('customer.subscription.updated: the metadata change, with its previous attributes', async () => {
    const event = await trigger('customer.subscription.updated');
    expect(event.data.object).toMatchObject({ status: 'active', metadata: { foo: 'bar' } });
    expect(event.data.previous_attributes).toEqual({ metadata: { foo: null } });
    const sub = event.data.object as Stripe.Subscription;
    expect((await h.stripe.subscriptions.retrieve(sub.id)).metadata).toEqual({ foo: 'bar' });
  });

  it('customer.subscription.deleted: canceled now, as the customer or business asked', async () => {
    const event = await trigger('customer.subscription.deleted');
    const sub = event.data.object as Stripe.Subscription;
    expect(sub).toMatchObject({
      status: 'canceled',
      cancellation_details: { reason: 'cancellation_requested' },
    });
    expect(sub.canceled_at).toEqual(sub.ended_at);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
  });

  it('checkout.session.completed: paid through the payment page with a tok_visa card', async () => {
    const event = await trigger('checkout.session.completed');
    const session = event.data.object as Stripe.Checkout.Session;
    expect(session).toMatchObject({
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      amount_total: 3000,
      customer_details: { email: 'stripe@example.com', name: 'Jenny Rosen' },
    });
    const intent = await h.stripe.paymentIntents.retrieve(session.payment_intent as string);
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 3000,
      shipping: { name: 'Jenny Rosen' },
    });
  });

  it('invoice.payment_succeeded: a one-off invoice from an invoice item, paid', async () => {
    const event = await trigger('invoice.payment_succeeded');
    const invoice = event.data.object as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'manual',
      amount_due: 2000,
      amount_paid: 2000,
      amount_remaining: 0,
      parent: null,
      lines: { data: [{ amount: 2000, parent: { type: 'invoice_item_details' } }] },
    });
    expect((await h.stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
  });

  it('invoice.payment_failed: the same, charged to pm_card_chargeCustomerFail', async () => {
    const event = await trigger('invoice.payment_failed');
    const invoice = event.data.object as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'open',
      attempted: true,
      attempt_count: 1,
      amount_paid: 0,
      amount_remaining: 2000,
    });
    const [failed] = (
      await h.stripe.events.list({ type: 'payment_intent.payment_failed', limit: 1 })
    ).data;
    expect(failed?.data.object).toMatchObject({
      customer: invoice.customer,
      last_payment_error: { code: 'card_declined', payment_method: { card: { last4: '0341' } } },
    });
  });
});
