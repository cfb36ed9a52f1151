import type Stripe from 'stripe';
import { priceFixture, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered } = paymentSteps(h);

/** A payment-mode session completed with a delayed method (a bank debit), still processing. */
async function completedProcessing(): Promise<string> {
  const { price } = await priceFixture(h.stripe, false, 1500);
  const session = await h.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 2 }],
    success_url: 'https://a.example/s',
    customer_email: 'ada@example.com',
  });
  await delivered();
  h.receiver.clear();
  await h.control(`checkout/sessions/${session.id}/complete`, { outcome: 'processing' });
  return session.id;
}

/** The session in the delivered event of `type`. */
function sessionIn(type: string): Stripe.Checkout.Session {
  const event = h.receiver.events.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type}`);
  return event.data.object as Stripe.Checkout.Session;
}

describe('delayed payment methods in Checkout', () => {
  it('completed with a bank debit: checkout.session.completed, unpaid; the payment processing', async () => {
    const id = await completedProcessing();
    expect(await delivered()).toEqual([
      'customer.created',
      'payment_intent.processing',
      'checkout.session.completed',
    ]);
    expect(sessionIn('checkout.session.completed')).toMatchObject({
      id,
      status: 'complete',
      payment_status: 'unpaid',
    });
    const session = await h.stripe.checkout.sessions.retrieve(id);
    const intent = await h.stripe.paymentIntents.retrieve(session.payment_intent as string);
    expect(intent).toMatchObject({ status: 'processing', amount: 3000, amount_received: 0 });
  });

  it('settled: payment_intent.succeeded, then async_payment_succeeded with the session paid', async () => {
    const id = await completedProcessing();
    await delivered();
    h.receiver.clear();
    await h.control(`checkout/sessions/${id}/settle`, { outcome: 'succeeded' });
    expect(await delivered()).toEqual([
      'payment_intent.succeeded',
      'checkout.session.async_payment_succeeded',
    ]);
    expect(sessionIn('checkout.session.async_payment_succeeded')).toMatchObject({
      id,
      status: 'complete',
      payment_status: 'paid',
    });
    const session = await h.stripe.checkout.sessions.retrieve(id);
    const intent = await h.stripe.paymentIntents.retrieve(session.payment_intent as string);
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: 3000 });
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id });
    expect(refund.amount).toBe(3000);
  });

  it('failed: payment_intent.payment_failed, then async_payment_failed; settling again is a 400', async () => {
    const id = await completedProcessing();
    await delivered();
    h.receiver.clear();
    await h.control(`checkout/sessions/${id}/settle`, { outcome: 'failed' });
    expect(await delivered()).toEqual([
      'payment_intent.payment_failed',
      'checkout.session.async_payment_failed',
    ]);
    expect(sessionIn('checkout.session.async_payment_failed')).toMatchObject({
      id,
      payment_status: 'unpaid',
    });
    await expect(
      h.control(`checkout/sessions/${id}/settle`, { outcome: 'succeeded' }),
    ).rejects.toThrow(/answered 400/);
  });
});
