import { syncedStripePrice } from '../../../../../lambda/api/use-cases/sync-price';
import type { CatalogPrice, CatalogProduct } from '../../../../../lambda/domain/catalog';
import {
  type CatalogSyncRecord,
  priceTerms,
  termsDigest,
} from '../../../../../lambda/domain/catalog-sync';
import { FakeStripe } from '../../../../support/fake-billing';
import { InMemoryCatalog, InMemoryCatalogSync } from '../../../../support/fake-catalog';
import { rejectedHttpError } from '../../../../support/http-errors';
import { CapturingLogger } from '../../../../support/log-capture';

const NOW = new Date('2026-11-23T10:00:00Z');
const product: CatalogProduct = { productId: 'course', name: 'Course', active: true };
const monthly: CatalogPrice = {
  priceId: 'monthly',
  productId: 'course',
  unitAmount: 1500,
  currency: 'usd',
  type: 'recurring',
  interval: 'month',
  intervalCount: 1,
  active: true,
};
const MONTHLY_TERMS = '1500 usd recurring month/1';

function setup(price: CatalogPrice = monthly) {
  const catalog = new InMemoryCatalog([{ ...product }], [{ ...price }]);
  const catalogSync = new InMemoryCatalogSync();
  const stripe = new FakeStripe();
  const logger = new CapturingLogger();
  const deps = { catalog, catalogSync, stripe, logger, now: () => NOW };
  /** Syncs the catalog's current record of the price, as a checkout would read it. */
  const sync = async (priceId = price.priceId) => {
    const current = await catalog.getPrice(priceId);
    if (!current) throw new Error(`no price ${priceId}`);
    return syncedStripePrice(deps, current, await catalogSync.get(priceId));
  };
  return { catalog, catalogSync, stripe, logger, deps, sync };
}

/** Writes `record` into the sync table just before the use case's own save, as a concurrent sync would. */
function concurrentSyncRecords(catalogSync: InMemoryCatalogSync, record: CatalogSyncRecord) {
  const save = catalogSync.save.bind(catalogSync);
  catalogSync.save = (mine, expected) => {
    catalogSync.rows.set(record.priceId, record);
    return save(mine, expected);
  };
}

describe('syncedStripePrice', () => {
  it('creates the product and the price with keys derived from the local ids and terms', async () => {
    const { stripe, logger, sync } = setup();
    const createProduct = jest.spyOn(stripe, 'createProduct');
    const createPrice = jest.spyOn(stripe, 'createPrice');
    await sync();
    // Stable keys make a retry or a concurrent first sale replay the same Stripe objects.
    expect(createProduct.mock.calls.map(([input]) => input.idempotencyKey)).toEqual([
      'catalog-product-course',
    ]);
    expect(createPrice.mock.calls.map(([input]) => input.idempotencyKey)).toEqual([
      `catalog-price-monthly-${termsDigest(MONTHLY_TERMS)}`,
    ]);
    // A first sync replaces nothing and loses no race: nothing worth a line.
    expect(logger.lines.filter((line) => line.level !== 'DEBUG')).toEqual([]);
  });

  it('names the replaced Stripe price in the key of a changed price, archives it and logs the change', async () => {
    const { catalog, stripe, logger, sync } = setup();
    const first = await sync();
    catalog.update('monthly', { unitAmount: 1800 });
    const createPrice = jest.spyOn(stripe, 'createPrice');
    const second = await sync();
    const terms = '1800 usd recurring month/1';
    expect(createPrice.mock.calls.map(([input]) => input.idempotencyKey)).toEqual([
      `catalog-price-monthly-${termsDigest(terms)}-replaces-${first}`,
    ]);
    expect(stripe.prices.get(first)?.active).toBe(false);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Catalog price changed: new Stripe price, old one archived',
        priceId: 'monthly',
        stripePriceId: second,
        archivedStripePriceId: first,
        terms,
      }),
    ]);
  });

  it('sells a synced price without a Stripe call or a write when the catalog already names it', async () => {
    const { catalog, stripe, sync } = setup();
    const synced = await sync();
    stripe.log.length = 0;
    const recordStripePriceId = jest.spyOn(catalog, 'recordStripePriceId');
    expect(await sync()).toBe(synced);
    expect(stripe.log).toEqual([]);
    expect(recordStripePriceId).not.toHaveBeenCalled();
  });

  it('is 404 price_not_found naming the product when the price names a product that does not exist', async () => {
    const { sync } = setup({ ...monthly, productId: 'ghost' });
    const error = await rejectedHttpError(sync());
    expect([error.status, error.code, error.message]).toEqual([
      404,
      'price_not_found',
      "Price's product ghost does not exist.",
    ]);
  });
});

describe('price sync racing another request', () => {
  const recordFor = (stripePriceId: string, terms: string): CatalogSyncRecord => ({
    priceId: 'monthly',
    productId: 'course',
    stripeProductId: 'prod_elsewhere',
    stripePriceId,
    terms,
    syncedAt: NOW.toISOString(),
  });

  it('sells the Stripe price a concurrent sync recorded first for the same terms', async () => {
    const { catalog, catalogSync, sync } = setup();
    concurrentSyncRecords(catalogSync, recordFor('price_elsewhere', priceTerms(monthly)));
    expect(await sync()).toBe('price_elsewhere');
    expect(catalogSync.rows.get('monthly')?.stripePriceId).toBe('price_elsewhere');
    // The winner writes its id back to the catalog; the loser leaves it alone.
    expect(catalog.prices[0]?.stripePriceId).toBeUndefined();
  });

  it('fails, for the caller to retry, when a concurrent sync recorded other terms', async () => {
    const { catalogSync, sync } = setup();
    concurrentSyncRecords(catalogSync, recordFor('price_elsewhere', '9900 usd recurring month/1'));
    await expect(sync()).rejects.toThrow('Price monthly changed during sync.');
  });

  it('still sells the new price when the catalog record changed meanwhile, and warns', async () => {
    const { catalog, catalogSync, logger, deps } = setup();
    const read = { ...monthly };
    // The pricing service points the record elsewhere after this request read it.
    catalog.update('monthly', { stripePriceId: 'price_set_by_hand' });
    const sold = await syncedStripePrice(deps, read, undefined);
    expect(catalogSync.rows.get('monthly')?.stripePriceId).toBe(sold);
    expect(catalog.prices[0]?.stripePriceId).toBe('price_set_by_hand');
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'The price record changed while its Stripe id was written back',
        priceId: 'monthly',
        stripePriceId: sold,
      }),
    ]);
  });
});
