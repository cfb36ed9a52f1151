import { listPrices } from '../../../lambda/api/use-cases/list-prices';
import type { CatalogPrice, CatalogProduct } from '../../../lambda/domain/catalog';
import { InMemoryCatalog } from '../../support/fake-catalog';

const product = (productId: string, name: string, active = true): CatalogProduct => ({
  productId,
  name,
  active,
});
const oneTime = (
  priceId: string,
  productId: string,
  unitAmount: number,
  active = true,
): CatalogPrice => ({
  priceId,
  productId,
  unitAmount,
  currency: 'usd',
  type: 'one_time',
  active,
});

describe('listPrices', () => {
  it('joins active prices with their product names, recurring fields only where recurring', async () => {
    const catalog = new InMemoryCatalog(
      [product('course', 'Course'), product('pro', 'Pro plan')],
      [
        oneTime('course-once', 'course', 4900),
        {
          priceId: 'pro-monthly',
          productId: 'pro',
          unitAmount: 999,
          currency: 'eur',
          type: 'recurring',
          interval: 'month',
          intervalCount: 1,
          active: true,
          stripePriceId: 'price_internal',
        },
      ],
    );
    expect(await listPrices(catalog)).toEqual([
      {
        priceId: 'course-once',
        productId: 'course',
        productName: 'Course',
        unitAmount: 4900,
        currency: 'usd',
        type: 'one_time',
      },
      {
        priceId: 'pro-monthly',
        productId: 'pro',
        productName: 'Pro plan',
        unitAmount: 999,
        currency: 'eur',
        type: 'recurring',
        interval: 'month',
        intervalCount: 1,
      },
    ]);
  });

  it('leaves out inactive prices, and prices of inactive or missing products', async () => {
    const catalog = new InMemoryCatalog(
      [product('live', 'Live'), product('retired', 'Retired', false)],
      [
        oneTime('a', 'live', 100),
        oneTime('b', 'live', 200, false),
        oneTime('c', 'retired', 300),
        oneTime('d', 'ghost', 400),
      ],
    );
    expect((await listPrices(catalog)).map((p) => p.priceId)).toEqual(['a']);
  });

  it('orders by product name, then amount, then id', async () => {
    const catalog = new InMemoryCatalog(
      [product('z', 'Zeta'), product('a', 'Alpha')],
      [
        oneTime('z1', 'z', 100),
        oneTime('a2', 'a', 500),
        oneTime('a1', 'a', 100),
        oneTime('a0', 'a', 100),
      ],
    );
    expect((await listPrices(catalog)).map((p) => p.priceId)).toEqual(['a0', 'a1', 'a2', 'z1']);
  });

  it('returns an empty list for an empty catalog', async () => {
    expect(await listPrices(new InMemoryCatalog())).toEqual([]);
  });
});
