import type { PriceType, RecurringInterval } from '../../domain/catalog';
import type { CatalogRepository } from '../../domain/catalog-repository';

/** One entry of `GET /stripe/prices` (contract section 4). */
export interface PriceListing {
  readonly priceId: string;
  readonly productId: string;
  readonly productName: string;
  readonly unitAmount: number;
  readonly currency: string;
  readonly type: PriceType;
  readonly interval?: RecurringInterval;
  readonly intervalCount?: number;
}

/**
 * The prices a buyer can pay: active prices of active products. A price whose product is
 * missing or inactive cannot be checked out, so it is not listed either.
 */
export async function listPrices(catalog: CatalogRepository): Promise<PriceListing[]> {
  const prices = await catalog.listActivePrices();
  const products = await catalog.getProducts(prices.map((price) => price.productId));

  const listings: PriceListing[] = [];
  for (const price of prices) {
    const product = products.get(price.productId);
    if (!product?.active) continue;
    listings.push({
      priceId: price.priceId,
      productId: price.productId,
      productName: product.name,
      unitAmount: price.unitAmount,
      currency: price.currency,
      type: price.type,
      ...(price.type === 'recurring'
        ? { interval: price.interval, intervalCount: price.intervalCount }
        : {}),
    });
  }
  // A stable order, so a storefront (and its cache) sees the same list for the same catalog.
  return listings.sort(
    (a, b) =>
      a.productName.localeCompare(b.productName) ||
      a.unitAmount - b.unitAmount ||
      a.priceId.localeCompare(b.priceId),
  );
}
