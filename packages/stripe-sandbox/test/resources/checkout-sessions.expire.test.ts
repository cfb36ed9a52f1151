import { failure, priceFixture, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered } = paymentSteps(h);

/** The Checkout Session events delivered since the test began. */
const sessionEvents = async (): Promise<string[]> =>
  (await delivered()).filter((type) => type.startsWith('checkout.session.'));

/** An open payment-mode session of a one-time price. */
async function openSession(): Promise<string> {
  const { price } = await priceFixture(h.stripe, false, 1500);
  const session = await h.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 2 }],
    success_url: 'https://a.example/s',
  });
  return session.id;
}

describe('expiring a Checkout Session', () => {
  it('an open session expires: status expired, checkout.session.expired', async () => {
    const id = await openSession();
    const expired = await h.stripe.checkout.sessions.expire(id);
    expect(expired).toMatchObject({ id, status: 'expired', payment_status: 'unpaid' });
    expect(await sessionEvents()).toEqual(['checkout.session.expired']);
    expect(h.receiver.events.at(-1)?.data.object).toMatchObject({ id, status: 'expired' });
    expect((await h.stripe.checkout.sessions.retrieve(id)).status).toBe('expired');
    await expect(
      h.control(`checkout/sessions/${id}/complete`, { outcome: 'succeeded' }),
    ).rejects.toThrow(/answered 400/);
  });

  it('a completed (or expired) session cannot expire: Stripe 400, no event', async () => {
    const id = await openSession();
    await h.control(`checkout/sessions/${id}/complete`, { outcome: 'succeeded' });
    await delivered();
    h.receiver.clear();
    const error = await failure(h.stripe.checkout.sessions.expire(id));
    expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(error.message).toContain('complete');
    const other = await openSession();
    await h.stripe.checkout.sessions.expire(other);
    expect((await failure(h.stripe.checkout.sessions.expire(other))).statusCode).toBe(400);
    expect(await sessionEvents()).toEqual(['checkout.session.expired']);
  });
});
