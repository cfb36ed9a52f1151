import { failure, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
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
});

describe('catalog parameters Stripe keeps', () => {
  it('products keep their descriptive fields; prices their tax behaviour; tiers are refused', async () => {
    const product = await h.stripe.products.create({
      name: 'Mug',
      type: 'good',
      images: ['https://example.com/mug.png'],
      shippable: true,
      unit_label: 'mug',
      marketing_features: [{ name: 'Dishwasher safe' }],
      package_dimensions: { height: 10, length: 8, weight: 350, width: 8 },
    });
    expect(product).toMatchObject({
      type: 'good',
      images: ['https://example.com/mug.png'],
      shippable: true,
      unit_label: 'mug',
      marketing_features: [{ name: 'Dishwasher safe' }],
      package_dimensions: { height: 10, length: 8, weight: 350, width: 8 },
    });
    const price = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1250,
      tax_behavior: 'exclusive',
    });
    expect(price).toMatchObject({ unit_amount: 1250, tax_behavior: 'exclusive' });
    expect(
      await failure(
        h.stripe.prices.create({
          product: product.id,
          currency: 'usd',
          billing_scheme: 'tiered',
          tiers_mode: 'graduated',
          tiers: [{ up_to: 'inf', unit_amount: 100 }],
        }),
      ),
    ).toMatchObject({ statusCode: 400, param: 'tiers' });
  });
});
