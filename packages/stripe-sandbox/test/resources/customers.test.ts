import type Stripe from 'stripe';
import { paidSubscription, priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
  it('customers: create, retrieve, update, list by email, delete', async () => {
    const created = await h.stripe.customers.create({
      email: 'ada@example.com',
      metadata: { userId: 'u1' },
    });
    expect(created).toMatchObject({
      object: 'customer',
      email: 'ada@example.com',
      metadata: { userId: 'u1' },
    });
    expect(created.id).toMatch(/^cus_/);
    expect(await h.stripe.customers.retrieve(created.id)).toEqual(created);

    const updated = await h.stripe.customers.update(created.id, {
      email: 'ada@new.example',
      metadata: { role: 'admin' },
    });
    expect(updated).toMatchObject({
      email: 'ada@new.example',
      metadata: { userId: 'u1', role: 'admin' },
    });
    const cleared = await h.stripe.customers.update(created.id, { metadata: { role: '' } });
    expect(cleared.metadata).toEqual({ userId: 'u1' });

    const listed = await h.stripe.customers.list({ email: 'ada@new.example' });
    expect(listed.data.map((c) => c.id)).toEqual([created.id]);

    const deleted = await h.stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    expect(await h.stripe.customers.retrieve(created.id)).toMatchObject({ deleted: true });
    await expect(h.stripe.customers.update(created.id, { name: 'x' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
    });
  });

  it('products: create, retrieve, update, list by active', async () => {
    const product = await h.stripe.products.create({
      name: 'Course',
      description: 'Learn',
      metadata: { productId: 'p1' },
    });
    expect(product).toMatchObject({
      object: 'product',
      name: 'Course',
      active: true,
      metadata: { productId: 'p1' },
    });
    expect(await h.stripe.products.retrieve(product.id)).toEqual(product);
    const archived = await h.stripe.products.update(product.id, {
      active: false,
      name: 'Course v2',
    });
    expect(archived).toMatchObject({ active: false, name: 'Course v2' });
    const active = await h.stripe.products.list({ active: true, limit: 100 });
    expect(active.data.map((p) => p.id)).not.toContain(product.id);
  });

  it('prices: create one-time and recurring, retrieve, archive, list by lookup key and product', async () => {
    const { product, price: oneTime } = await priceFixture(h.stripe, false, 4900);
    expect(oneTime).toMatchObject({
      type: 'one_time',
      unit_amount: 4900,
      recurring: null,
    });
    // stripe-node 23 parses decimal strings into its Decimal type.
    expect(String(oneTime.unit_amount_decimal)).toBe('4900');
    const monthly = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 999,
      recurring: { interval: 'month', interval_count: 3 },
      lookup_key: 'local-price-1',
      metadata: { priceId: 'local-price-1' },
    });
    expect(monthly).toMatchObject({
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 3, usage_type: 'licensed' },
      lookup_key: 'local-price-1',
    });
    expect(await h.stripe.prices.retrieve(monthly.id)).toEqual(monthly);
    expect(
      (await h.stripe.prices.list({ lookup_keys: ['local-price-1'] })).data.map((p) => p.id),
    ).toEqual([monthly.id]);
    expect((await h.stripe.prices.list({ product: product.id })).data.map((p) => p.id)).toEqual([
      monthly.id,
      oneTime.id,
    ]);

    const archived = await h.stripe.prices.update(oneTime.id, { active: false });
    expect(archived.active).toBe(false);
    expect(
      (await h.stripe.prices.list({ product: product.id, active: true })).data.map((p) => p.id),
    ).toEqual([monthly.id]);
  });

  it('prices: a lookup key names one price; transfer_lookup_key moves it', async () => {
    const { product } = await priceFixture(h.stripe, false);
    const first = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
      lookup_key: 'lk-move',
    });
    await expect(
      h.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 200,
        lookup_key: 'lk-move',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'lookup_key' });
    const second = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 200,
      lookup_key: 'lk-move',
      transfer_lookup_key: true,
    });
    expect((await h.stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    expect(
      (await h.stripe.prices.list({ lookup_keys: ['lk-move'] })).data.map((p) => p.id),
    ).toEqual([second.id]);
  });

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

  it('billing portal sessions: create for a customer', async () => {
    const customer = await h.stripe.customers.create({});
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.example.com/account',
    });
    expect(portal).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      return_url: 'https://app.example.com/account',
    });
    expect(portal.url).toBe(`${h.sandbox.url}/portal/${portal.id}`);
  });

  it('payment intents, subscriptions, invoices and events: retrieve and list', async () => {
    const { customer, session } = await paidSubscription(h, 'sub@example.com');

    const subscription = await h.stripe.subscriptions.retrieve(session.subscription as string);
    expect(
      (await h.stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id),
    ).toEqual([subscription.id]);
    const invoice = await h.stripe.invoices.retrieve(session.invoice as string);
    expect(
      (await h.stripe.invoices.list({ subscription: subscription.id })).data.map((i) => i.id),
    ).toEqual([invoice.id]);
    const intents = await h.stripe.paymentIntents.list({ customer: customer.id });
    expect(intents.data).toHaveLength(1);
    expect(await h.stripe.paymentIntents.retrieve(intents.data[0]?.id ?? '')).toEqual(
      intents.data[0],
    );

    const events = await h.stripe.events.list({ type: 'checkout.session.completed', limit: 1 });
    const event = events.data[0];
    if (!event) throw new Error('no checkout.session.completed event');
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect(await h.stripe.events.retrieve(event.id)).toEqual(event);
  });
});
