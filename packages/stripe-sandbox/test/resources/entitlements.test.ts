import type Stripe from 'stripe';
import { failure, type Harness, useHarness } from '../support/harness';

jest.setTimeout(30_000);

/**
 * Entitlements through the real stripe SDK: features, a product's features, a customer's
 * active entitlements, and `entitlements.active_entitlement_summary.updated` when a
 * subscription starts, changes or ends (or its product's features change).
 */

const h = useHarness({ between: 'reset' });

const SUMMARY = 'entitlements.active_entitlement_summary.updated';

type Summary = Stripe.Entitlements.ActiveEntitlementSummary;

/** A recurring price whose product grants `lookupKeys`; the features by lookup key. */
async function planWithFeatures(harness: Harness, lookupKeys: string[]) {
  const product = await harness.stripe.products.create({ name: 'Pro plan' });
  const price = await harness.stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1999,
    recurring: { interval: 'month' },
  });
  const features: Stripe.Entitlements.Feature[] = [];
  for (const key of lookupKeys) {
    const feature = await harness.stripe.entitlements.features.create({
      name: `Feature ${key}`,
      lookup_key: key,
    });
    await harness.stripe.products.createFeature(product.id, { entitlement_feature: feature.id });
    features.push(feature);
  }
  return { product, price, features };
}

/** A customer subscribed to `price` through a paid Checkout Session. */
async function subscribe(harness: Harness, price: Stripe.Price) {
  const customer = await harness.stripe.customers.create({ email: 'ent@example.com' });
  const session = await harness.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'https://a.example/s',
  });
  await harness.control(`checkout/sessions/${session.id}/complete`, { outcome: 'succeeded' });
  const completed = await harness.stripe.checkout.sessions.retrieve(session.id);
  return { customer, subscriptionId: completed.subscription as string };
}

/** The summaries the webhook endpoint received, oldest first. */
async function summaries(harness: Harness): Promise<Stripe.Event[]> {
  await harness.settle();
  return harness.receiver.events.filter((event) => event.type === SUMMARY);
}

const lookupKeys = (event: Stripe.Event | undefined): string[] =>
  ((event?.data.object as Summary | undefined)?.entitlements.data ?? [])
    .map((e) => e.lookup_key)
    .sort();

describe('features (/v1/entitlements/features)', () => {
  it('create, retrieve, update, list with lookup_key and archived', async () => {
    const feature = await h.stripe.entitlements.features.create({
      name: 'Exports',
      lookup_key: 'pro-exports',
      metadata: { tier: 'pro' },
    });
    expect(feature).toEqual({
      id: expect.stringMatching(/^feat_\w+$/) as unknown,
      object: 'entitlements.feature',
      active: true,
      livemode: false,
      lookup_key: 'pro-exports',
      metadata: { tier: 'pro' },
      name: 'Exports',
    });
    expect(await h.stripe.entitlements.features.retrieve(feature.id)).toMatchObject({
      id: feature.id,
    });
    const other = await h.stripe.entitlements.features.create({ name: 'API', lookup_key: 'api' });
    const renamed = await h.stripe.entitlements.features.update(feature.id, { name: 'CSV' });
    expect(renamed).toMatchObject({ name: 'CSV', lookup_key: 'pro-exports' });

    const listed = await h.stripe.entitlements.features.list({ lookup_key: 'api' });
    expect(listed.data.map((f) => f.id)).toEqual([other.id]);

    await h.stripe.entitlements.features.update(other.id, { active: false });
    expect((await h.stripe.entitlements.features.list()).data.map((f) => f.id)).toEqual([
      feature.id,
    ]);
    expect(
      (await h.stripe.entitlements.features.list({ archived: true })).data.map((f) => f.id),
    ).toEqual([other.id]);
    // An archived feature stays as it is; its lookup key may be used again.
    expect(
      await failure(h.stripe.entitlements.features.update(other.id, { active: true })),
    ).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    await h.stripe.entitlements.features.create({ name: 'API v2', lookup_key: 'api' });
  });

  it("refuses a taken lookup key, a missing name, an unknown feature (Stripe's errors)", async () => {
    await h.stripe.entitlements.features.create({ name: 'A', lookup_key: 'taken' });
    expect(
      await failure(h.stripe.entitlements.features.create({ name: 'B', lookup_key: 'taken' })),
    ).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'lookup_key' });
    expect(
      await failure(
        h.stripe.entitlements.features.create({ lookup_key: 'x' } as {
          lookup_key: string;
          name: string;
        }),
      ),
    ).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'name' });
    expect(await failure(h.stripe.entitlements.features.retrieve('feat_nope'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('replays a create with the same Idempotency-Key', async () => {
    const params = { name: 'Seats', lookup_key: 'seats' };
    const first = await h.stripe.entitlements.features.create(params, { idempotencyKey: 'k1' });
    const again = await h.stripe.entitlements.features.create(params, { idempotencyKey: 'k1' });
    expect(again.id).toBe(first.id);
  });
});

describe("a product's features (/v1/products/:id/features)", () => {
  it('attach, list, retrieve, detach', async () => {
    const { product, features } = await planWithFeatures(h, ['a', 'b']);
    const listed = await h.stripe.products.listFeatures(product.id);
    expect(listed.data).toHaveLength(2);
    const [first] = listed.data;
    expect(first).toEqual({
      id: expect.stringMatching(/^prodft_\w+$/) as unknown,
      object: 'product_feature',
      entitlement_feature: expect.objectContaining({
        object: 'entitlements.feature',
      }) as unknown,
      livemode: false,
    });
    const id = first?.id ?? '';
    expect(await h.stripe.products.retrieveFeature(product.id, id)).toEqual(first);
    expect(await h.stripe.products.deleteFeature(product.id, id)).toEqual({
      id,
      object: 'product_feature',
      deleted: true,
    });
    expect((await h.stripe.products.listFeatures(product.id)).data).toHaveLength(1);
    expect(await failure(h.stripe.products.retrieveFeature(product.id, id))).toMatchObject({
      statusCode: 404,
    });
    // Attached once only; an unknown feature is the parameter's 400.
    const remaining = features.find((f) => f.id !== first?.entitlement_feature.id);
    expect(
      await failure(
        h.stripe.products.createFeature(product.id, { entitlement_feature: remaining?.id ?? '' }),
      ),
    ).toMatchObject({ statusCode: 400, param: 'entitlement_feature' });
    expect(
      await failure(h.stripe.products.createFeature(product.id, { entitlement_feature: 'feat_x' })),
    ).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'entitlement_feature' });
    expect(
      await failure(h.stripe.products.createFeature('prod_nope', { entitlement_feature: 'x' })),
    ).toMatchObject({ statusCode: 404 });
  });
});

describe('active entitlements and their summary event', () => {
  it('granted when a subscription starts, revoked when it ends, each a summary event', async () => {
    const { price } = await planWithFeatures(h, ['pro-exports', 'api-access']);
    const { customer, subscriptionId } = await subscribe(h, price);

    const active = await h.stripe.entitlements.activeEntitlements.list({ customer: customer.id });
    expect(active.data.map((e) => e.lookup_key).sort()).toEqual(['api-access', 'pro-exports']);
    const [one] = active.data;
    expect(one).toEqual({
      id: expect.stringMatching(/^ent_\w+$/) as unknown,
      object: 'entitlements.active_entitlement',
      feature: expect.stringMatching(/^feat_/) as unknown,
      livemode: false,
      lookup_key: one?.lookup_key,
    });
    expect(await h.stripe.entitlements.activeEntitlements.retrieve(one?.id ?? '')).toEqual(one);

    let received = await summaries(h);
    expect(received).toHaveLength(1);
    expect(received[0]?.data.object).toEqual({
      object: 'entitlements.active_entitlement_summary',
      customer: customer.id,
      entitlements: {
        object: 'list',
        data: expect.arrayContaining(active.data) as unknown,
        has_more: false,
        url: '/v1/entitlements/active_entitlements',
      },
      livemode: false,
    });
    expect(received[0]?.data.previous_attributes).toEqual({
      entitlements: expect.objectContaining({ data: [] }) as unknown,
    });

    await h.control(`subscriptions/${subscriptionId}/cancel`, {});
    received = await summaries(h);
    expect(received.map(lookupKeys)).toEqual([['api-access', 'pro-exports'], []]);
    expect(
      (received[1]?.data.previous_attributes as { entitlements: { data: unknown[] } }).entitlements
        .data,
    ).toHaveLength(2);
    expect(
      (await h.stripe.entitlements.activeEntitlements.list({ customer: customer.id })).data,
    ).toEqual([]);
  });

  it('follows the product’s features, and keeps them while past due', async () => {
    const { product, price } = await planWithFeatures(h, ['a']);
    const { customer, subscriptionId } = await subscribe(h, price);
    const extra = await h.stripe.entitlements.features.create({ name: 'B', lookup_key: 'b' });
    const attached = await h.stripe.products.createFeature(product.id, {
      entitlement_feature: extra.id,
    });
    await h.control(`subscriptions/${subscriptionId}/renew`, { outcome: 'failed' });
    expect((await h.stripe.subscriptions.retrieve(subscriptionId)).status).toBe('past_due');
    await h.stripe.products.deleteFeature(product.id, attached.id);
    expect((await summaries(h)).map(lookupKeys)).toEqual([['a'], ['a', 'b'], ['a']]);
    const list = await h.stripe.entitlements.activeEntitlements.list({ customer: customer.id });
    expect(list.data.map((e) => e.lookup_key)).toEqual(['a']);
  });

  it('embeds one page in the summary (has_more); the list pages through them all', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const { price } = await planWithFeatures(h, keys);
    const { customer } = await subscribe(h, price);
    const [event] = await summaries(h);
    const summary = event?.data.object as Summary;
    expect(summary.entitlements.data).toHaveLength(10);
    expect(summary.entitlements.has_more).toBe(true);
    const all = await h.stripe.entitlements.activeEntitlements
      .list({ customer: customer.id, limit: 5 })
      .autoPagingToArray({ limit: 100 });
    expect(all.map((e) => e.lookup_key).sort()).toEqual(keys);
  });

  it('needs the customer to list', async () => {
    expect(
      await failure(h.stripe.entitlements.activeEntitlements.list({ customer: 'cus_nope' })),
    ).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
  });
});
