import { priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
  it('checkout sessions: create, retrieve, list by customer', async () => {
    const customer = await h.stripe.customers.create({ email: 'buyer@example.com' });
    const { price } = await priceFixture(h.stripe, false, 4900);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: 'https://app.example.com/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example.com/cancel',
      client_reference_id: 'user-1',
      metadata: { userId: 'user-1', priceId: 'local-1' },
      payment_intent_data: { metadata: { userId: 'user-1', priceId: 'local-1' } },
    });
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 9800,
      currency: 'usd',
      customer: customer.id,
      client_reference_id: 'user-1',
      success_url: 'https://app.example.com/success?session_id={CHECKOUT_SESSION_ID}',
      payment_intent: null,
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${h.sandbox.url}/checkout/${session.id}`);
    expect(await h.stripe.checkout.sessions.retrieve(session.id)).toEqual(session);
    expect(
      (await h.stripe.checkout.sessions.list({ customer: customer.id })).data.map((s) => s.id),
    ).toEqual([session.id]);
  });

  it('checkout sessions: refuse mismatched modes, inactive prices and unknown customers', async () => {
    const { price: recurring } = await priceFixture(h.stripe, true);
    const { price: oneTime } = await priceFixture(h.stripe, false);
    const base = { success_url: 'https://a.example/s', cancel_url: 'https://a.example/c' };
    await expect(
      h.stripe.checkout.sessions.create({
        ...base,
        mode: 'payment',
        line_items: [{ price: recurring.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items' });
    await expect(
      h.stripe.checkout.sessions.create({
        ...base,
        mode: 'subscription',
        line_items: [{ price: oneTime.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await h.stripe.prices.update(oneTime.id, { active: false });
    await expect(
      h.stripe.checkout.sessions.create({
        ...base,
        mode: 'payment',
        line_items: [{ price: oneTime.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
    await expect(
      h.stripe.checkout.sessions.create({
        ...base,
        mode: 'subscription',
        customer: 'cus_missing',
        line_items: [{ price: recurring.id, quantity: 1 }],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'customer',
    });
  });
});
