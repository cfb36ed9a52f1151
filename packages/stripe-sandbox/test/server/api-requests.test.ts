import Stripe from 'stripe';
import { DEFAULT_API_VERSION } from '../../src';
import { paidSubscription, priceFixture, sandboxClient, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox wire format', () => {
  it('accepts the pinned API version and echoes Stripe-Version', async () => {
    expect(DEFAULT_API_VERSION).toBe(Stripe.API_VERSION);
    const response = await fetch(`${h.sandbox.url}/v1/customers`, {
      headers: { authorization: 'Bearer sk_test_abc', 'stripe-version': '2025-03-31.basil' },
    });
    expect(response.headers.get('stripe-version')).toBe('2025-03-31.basil');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
  });

  it.each([
    ['no key', {}],
    ['a live key', { authorization: 'Bearer sk_live_123' }],
    ['a publishable key', { authorization: 'Bearer pk_test_123' }],
    ['garbage', { authorization: 'Token abc' }],
  ])('answers 401 for %s', async (_name, headers: Record<string, string>) => {
    const response = await fetch(`${h.sandbox.url}/v1/customers`, { headers });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('surfaces a bad key as StripeAuthenticationError in the SDK', async () => {
    await expect(sandboxClient(h.sandbox, 'sk_live_nope').customers.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('parses bracketed form bodies: nested hashes, arrays and metadata', async () => {
    const { price } = await priceFixture(h.stripe, true);
    const body = new URLSearchParams({
      mode: 'subscription',
      'line_items[0][price]': price.id,
      'line_items[0][quantity]': '3',
      'subscription_data[metadata][userId]': 'u-9',
      'metadata[priceId]': 'local-9',
      success_url: 'https://a.example/s',
      'expand[]': 'customer',
    });
    const response = await fetch(`${h.sandbox.url}/v1/checkout/sessions`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_abc',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    expect(response.status).toBe(200);
    const session = (await response.json()) as Stripe.Checkout.Session;
    expect(session).toMatchObject({
      amount_total: 3 * 1999,
      metadata: { priceId: 'local-9' },
      customer: null,
    });
    expect(h.sandbox.state.sessions.get(session.id)).toMatchObject({
      lineItems: [{ price: price.id, quantity: 3 }],
      subscriptionMetadata: { userId: 'u-9' },
    });
  });

  it('replays the first response for a repeated Idempotency-Key', async () => {
    const first = await h.stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'customer-u1' },
    );
    const again = await h.stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'customer-u1' },
    );
    expect(again).toEqual(first);
    const raw = await fetch(`${h.sandbox.url}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_abc',
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': 'customer-u1',
      },
      body: 'email=i%40example.com',
    });
    expect(raw.headers.get('idempotent-replayed')).toBe('true');
    expect(((await raw.json()) as { id: string }).id).toBe(first.id);
    expect((await h.stripe.customers.list({ email: 'i@example.com' })).data).toHaveLength(1);
  });

  it('rejects a repeated Idempotency-Key with other parameters', async () => {
    await h.stripe.customers.create({ email: 'k@example.com' }, { idempotencyKey: 'key-conflict' });
    await expect(
      h.stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: 'key-conflict' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
  });

  it('does not save a validation error under an Idempotency-Key', async () => {
    await expect(
      h.stripe.products.create({ name: '' }, { idempotencyKey: 'fix-me' }),
    ).rejects.toMatchObject({
      code: 'parameter_missing',
      param: 'name',
    });
    // The same key again, now valid: it runs, rather than replaying the rejection.
    const product = await h.stripe.products.create({ name: 'Fixed' }, { idempotencyKey: 'fix-me' });
    expect(product.name).toBe('Fixed');
  });

  it('paginates lists newest first with limit, starting_after, ending_before and has_more', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await h.stripe.customers.create({ email: 'page@example.com' })).id);
    const newestFirst = [...created].reverse();
    const first = await h.stripe.customers.list({ email: 'page@example.com', limit: 2 });
    expect([first.data.map((c) => c.id), first.has_more]).toEqual([newestFirst.slice(0, 2), true]);
    const second = await h.stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      starting_after: first.data[1]?.id ?? '',
    });
    expect(second.data.map((c) => c.id)).toEqual(newestFirst.slice(2, 4));
    const before = await h.stripe.customers.list({
      email: 'page@example.com',
      limit: 2,
      ending_before: newestFirst[3] ?? '',
    });
    expect(before.data.map((c) => c.id)).toEqual(newestFirst.slice(1, 3));
    const all = await h.stripe.customers
      .list({ email: 'page@example.com', limit: 2 })
      .autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual(newestFirst);
    await expect(h.stripe.customers.list({ limit: 101 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'limit',
    });
  });

  it('expands ids into objects, in lists and nested', async () => {
    const { product, session } = await paidSubscription(h, 'x@example.com');
    const listed = await h.stripe.prices.list({ product: product.id, expand: ['data.product'] });
    expect((listed.data[0]?.product as Stripe.Product).name).toBe('Pro plan');
    const expanded = await h.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['customer', 'subscription.latest_invoice'],
    });
    expect((expanded.customer as Stripe.Customer).email).toBe('x@example.com');
    const subscription = expanded.subscription as Stripe.Subscription;
    expect((subscription.latest_invoice as Stripe.Invoice).status).toBe('paid');
  });

  it('answers Stripe errors: 404 resource_missing, 400 parameter_missing, parameter_unknown, parameter_invalid', async () => {
    await expect(h.stripe.prices.retrieve('price_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
    await expect(h.stripe.prices.create({ currency: 'usd', unit_amount: 1 })).rejects.toMatchObject(
      {
        statusCode: 400,
        code: 'parameter_missing',
        param: 'product',
      },
    );
    await expect(
      h.stripe.customers.create({ emali: 'typo' } as Stripe.CustomerCreateParams),
    ).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'emali',
    });
    await expect(
      h.stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: 'price_x', quantity: 0 }],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'line_items[0][price]',
    });
    const raw = await fetch(`${h.sandbox.url}/v1/transfers`, {
      headers: { authorization: 'Bearer sk_test_abc' },
    });
    expect(raw.status).toBe(404);
    const body = (await raw.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('Unrecognized request URL');
  });

  it.each([
    [402, Stripe.errors.StripeCardError],
    [409, Stripe.errors.StripeAPIError], // stripe-node maps 409 by status (and retries it)
    [429, Stripe.errors.StripeRateLimitError],
    [500, Stripe.errors.StripeAPIError],
  ])('injects a %i with Stripe error body (the SDK raises %p)', async (status, errorClass) => {
    await h.control('faults', { status, count: 1, path_prefix: '/v1/customers' });
    const failure = await h.stripe.customers.create({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(errorClass);
    expect(failure).toMatchObject({ statusCode: status });
    await expect(h.stripe.customers.create({})).resolves.toMatchObject({ object: 'customer' });
  });

  it('injects a delay (a slow Stripe) that a client timeout trips over', async () => {
    await h.control('faults', { delay_ms: 500, count: 1 });
    const impatient = new Stripe('sk_test_abc', {
      host: '127.0.0.1',
      port: h.sandbox.port,
      protocol: 'http',
      timeout: 100,
      maxNetworkRetries: 0,
    });
    await expect(impatient.customers.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
  });
});
