import { parseCatalogPrice, parseCatalogProduct } from '../../../../lambda/domain/catalog';

const recurring = {
  priceId: 'price-monthly',
  productId: 'prod-pro',
  unitAmount: 1999,
  currency: 'usd',
  type: 'recurring',
  interval: 'month',
  intervalCount: 1,
  active: true,
};

describe('parseCatalogPrice', () => {
  it('reads a recurring price', () => {
    expect(parseCatalogPrice(recurring)).toEqual({ ok: true, value: recurring });
  });

  it('defaults intervalCount to 1 and keeps the Stripe id', () => {
    const { intervalCount: _omitted, ...withoutCount } = recurring;
    const parsed = parseCatalogPrice({ ...withoutCount, stripePriceId: 'price_123' });
    expect(parsed).toEqual({ ok: true, value: { ...recurring, stripePriceId: 'price_123' } });
  });

  it('reads a one-time price and drops recurrence fields from it', () => {
    const parsed = parseCatalogPrice({ ...recurring, type: 'one_time' });
    expect(parsed.ok && parsed.value).toEqual({
      priceId: 'price-monthly',
      productId: 'prod-pro',
      unitAmount: 1999,
      currency: 'usd',
      type: 'one_time',
      active: true,
    });
  });

  it.each([
    ['no priceId', { ...recurring, priceId: undefined }],
    ['no productId', { ...recurring, productId: '' }],
    ['a fractional amount', { ...recurring, unitAmount: 19.99 }],
    ['a negative amount', { ...recurring, unitAmount: -1 }],
    ['an amount as a string', { ...recurring, unitAmount: '1999' }],
    ['an upper-case currency', { ...recurring, currency: 'USD' }],
    ['an unknown type', { ...recurring, type: 'metered' }],
    ['a recurring price without interval', { ...recurring, interval: undefined }],
    ['an unknown interval', { ...recurring, interval: 'fortnight' }],
    ['a zero intervalCount', { ...recurring, intervalCount: 0 }],
    ['no active flag', { ...recurring, active: 'yes' }],
  ])('rejects a record with %s', (_name, item) => {
    expect(parseCatalogPrice(item).ok).toBe(false);
  });
});

describe('parseCatalogProduct', () => {
  it('reads a product with its optional fields', () => {
    const item = {
      productId: 'p',
      name: 'Pro',
      description: 'All courses',
      active: true,
      stripeProductId: 'prod_1',
    };
    expect(parseCatalogProduct(item)).toEqual({ ok: true, value: item });
  });

  it.each([
    ['no name', { productId: 'p', active: true }],
    ['no active flag', { productId: 'p', name: 'Pro' }],
    ['no id', { name: 'Pro', active: true }],
  ])('rejects a record with %s', (_name, item) => {
    expect(parseCatalogProduct(item).ok).toBe(false);
  });
});
