import { priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
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
});
