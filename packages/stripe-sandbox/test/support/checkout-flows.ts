import type Stripe from 'stripe';
import { type Harness, priceFixture } from './harness';

// A flow is judged by its payment and subscription events; the catalog events setting it up
// causes (customer.created, product.created, price.created, ...) are left out.
const CATALOG_EVENT = /^(customer|product|price)\.[a-z_]+$/;

/**
 * Steps of the tests of checkout flows (a session paid on its page or by the control, the
 * subscription it starts, the portal), bound to a test file's harness.
 */
export function checkoutFlowSteps(h: Harness) {
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

  return { received, session };
}
