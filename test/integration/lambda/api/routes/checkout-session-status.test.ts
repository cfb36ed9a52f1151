import type Stripe from 'stripe';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { callApi, sandboxStripe, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(30_000);

let stack: LocalStack;
let stripe: Stripe;
beforeAll(async () => {
  stack = await startTestStack();
  stripe = sandboxStripe(stack, LOCAL_SECRET_DEFAULTS.stripeSecretKey);
});
afterAll(async () => {
  await stack.stop();
});

const call = (method: string, path: string, userId: string, body?: unknown) =>
  callApi(stack, method, path, userId, body);

describe('GET /stripe/checkout-sessions/{id}', () => {
  async function sessionOf(userId: string): Promise<Stripe.Checkout.Session> {
    const product = await stripe.products.create({ name: 'Course' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 4900,
    });
    return stripe.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: userId,
      metadata: { userId },
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${stack.apiUrl}/?session_id={CHECKOUT_SESSION_ID}`,
    });
  }

  it('shows the caller session, open and then paid, without waiting on the webhook', async () => {
    const session = await sessionOf('status-user');
    const path = `/stripe/checkout-sessions/${session.id}`;
    expect(await call('GET', path, 'status-user')).toEqual({
      status: 200,
      body: {
        checkoutSessionId: session.id,
        status: 'open',
        paymentStatus: 'unpaid',
        mode: 'payment',
      },
    });
    await fetch(`${session.url ?? ''}/pay`, { method: 'POST', redirect: 'manual' });
    const paid = await call('GET', path, 'status-user');
    expect(paid.body).toMatchObject({
      status: 'complete',
      paymentStatus: 'paid',
      paymentIntentId: expect.stringMatching(/^pi_/) as unknown,
    });
  });

  it("is 404 for another user's session, a missing one and a malformed id", async () => {
    const session = await sessionOf('owner');
    const foreign = await call('GET', `/stripe/checkout-sessions/${session.id}`, 'intruder');
    const missing = await call('GET', '/stripe/checkout-sessions/cs_test_doesnotexist', 'intruder');
    const malformed = await call(
      'GET',
      '/stripe/checkout-sessions/..%2F..%2Fv1%2Fcustomers',
      'intruder',
    );
    for (const result of [foreign, missing, malformed]) {
      expect([result.status, result.body.error.code]).toEqual([404, 'checkout_session_not_found']);
    }
  });
});
