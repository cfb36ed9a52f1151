import type { Harness } from './harness';

/**
 * Steps of the tests of payments through the API (payment methods, payment intents,
 * subscriptions and invoices: what `stripe trigger` and any server-side integration
 * call), driven by Stripe's test cards; bound to a test file's harness.
 */
export function paymentSteps(h: Harness) {
  /** The types of the events delivered since the last `beforeEach`, in order. */
  async function delivered(): Promise<string[]> {
    await h.settle();
    return h.receiver.types();
  }

  async function customerWithCard(card: string): Promise<{ customer: string; pm: string }> {
    const customer = await h.stripe.customers.create({
      payment_method: card,
      invoice_settings: { default_payment_method: card },
    });
    return {
      customer: customer.id,
      pm: customer.invoice_settings.default_payment_method as string,
    };
  }

  return { delivered, customerWithCard };
}
