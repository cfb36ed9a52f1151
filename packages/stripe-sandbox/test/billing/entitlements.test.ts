import type Stripe from 'stripe';
import { planWithFeatures } from '../support/entitlements';
import { failure, type Harness, paidCheckout, useHarness } from '../support/harness';

jest.setTimeout(30_000);

/**
 * Entitlements through the real stripe SDK: a customer's active entitlements, and
 * `entitlements.active_entitlement_summary.updated` when a subscription starts, changes or
 * ends (or its product's features change).
 */

const h = useHarness({ between: 'reset' });

const SUMMARY = 'entitlements.active_entitlement_summary.updated';

type Summary = Stripe.Entitlements.ActiveEntitlementSummary;

/** A customer subscribed to `price` through a paid Checkout Session. */
async function subscribe(harness: Harness, price: Stripe.Price) {
  const customer = await harness.stripe.customers.create({ email: 'ent@example.com' });
  const completed = await paidCheckout(harness, customer.id, price);
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
