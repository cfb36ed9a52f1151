import type { CatalogPrice, CatalogProduct } from '../../../../lambda/domain/catalog';
import {
  buildPriceListing,
  chunkListing,
  LISTING_FRESHNESS,
  listingVersion,
} from '../../../../lambda/domain/price-listing';
import { listingEntries } from '../../../support/fake-catalog-snapshot';

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
const byId = (products: CatalogProduct[]) => new Map(products.map((p) => [p.productId, p]));

describe('buildPriceListing', () => {
  it('joins active prices with their product names, recurring fields only where recurring', () => {
    const listing = buildPriceListing(
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
      byId([product('course', 'Course'), product('pro', 'Pro plan')]),
    );
    // Strict: a one-time entry has no interval keys at all, not keys set to undefined.
    expect(listing).toStrictEqual([
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

  it('leaves out inactive prices, and prices of inactive or missing products', () => {
    const listing = buildPriceListing(
      [
        oneTime('a', 'live', 100),
        oneTime('b', 'live', 200, false),
        oneTime('c', 'retired', 300),
        oneTime('d', 'ghost', 400),
      ],
      byId([product('live', 'Live'), product('retired', 'Retired', false)]),
    );
    expect(listing.map((p) => p.priceId)).toEqual(['a']);
  });

  it('orders by product name, then amount, then id, by code unit (not locale)', () => {
    const listing = buildPriceListing(
      [
        oneTime('z1', 'z', 100),
        oneTime('a2', 'a', 500),
        oneTime('a1', 'a', 100),
        oneTime('a0', 'a', 100),
        oneTime('lower', 'l', 1),
      ],
      byId([product('z', 'Zeta'), product('a', 'Alpha'), product('l', 'alpha')]),
    );
    // 'Z' (0x5A) sorts before 'a' (0x61): the order any runtime computes the same way.
    expect(listing.map((p) => p.priceId)).toEqual(['a0', 'a1', 'a2', 'z1', 'lower']);
  });

  it('gives the same order whatever order the catalog was read in', () => {
    const prices = [oneTime('b', 'p', 5), oneTime('a', 'p', 5), oneTime('c', 'p', 1)];
    const products = byId([product('p', 'P')]);
    expect(buildPriceListing([...prices].reverse(), products)).toEqual(
      buildPriceListing(prices, products),
    );
  });

  it('returns an empty list for an empty catalog', () => {
    expect(buildPriceListing([], new Map())).toEqual([]);
  });
});

describe('listingVersion', () => {
  it('is the same for the same listing and differs when anything listed differs', () => {
    const listing = listingEntries(3);
    expect(listingVersion(listing)).toBe(listingVersion(listingEntries(3)));
    const changed = listing.map((entry, i) => (i === 1 ? { ...entry, unitAmount: 1 } : entry));
    expect(listingVersion(changed)).not.toBe(listingVersion(listing));
    expect(listingVersion([])).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('chunkListing', () => {
  it('cuts full chunks and a shorter last one; an empty listing is one empty chunk', () => {
    expect(chunkListing(listingEntries(250), 100).map((chunk) => chunk.length)).toEqual([
      100, 100, 50,
    ]);
    expect(chunkListing([], 100)).toEqual([[]]);
  });

  it('leaves no empty chunk after a listing that fills its last chunk exactly', () => {
    const listing = listingEntries(200);
    expect(chunkListing(listing, 100)).toEqual([listing.slice(0, 100), listing.slice(100)]);
  });
});

describe('LISTING_FRESHNESS', () => {
  it('adds up to the contract bound: a catalog change shows within 60 seconds', () => {
    const { refreshSeconds, refreshBudgetSeconds, headCacheSeconds, httpMaxAgeSeconds } =
      LISTING_FRESHNESS;
    expect(LISTING_FRESHNESS.boundSeconds).toBe(60);
    expect(
      refreshSeconds + refreshBudgetSeconds + headCacheSeconds + httpMaxAgeSeconds,
    ).toBeLessThanOrEqual(LISTING_FRESHNESS.boundSeconds);
  });
});
