import type { CatalogPrice, CatalogProduct } from './catalog';

/**
 * The platform's catalog (the product and pricing services' tables): read access, and the
 * only writes the contract allows there, the Stripe ids.
 */
export interface CatalogRepository {
  /** Every active price; malformed records are skipped (and logged), never returned. */
  listActivePrices(): Promise<CatalogPrice[]>;
  /** The products with these ids that exist and are well-formed, by id. */
  getProducts(productIds: readonly string[]): Promise<Map<string, CatalogProduct>>;
  /** One price, active or not; undefined when missing or malformed. */
  getPrice(priceId: string): Promise<CatalogPrice | undefined>;
  /** One product, strongly consistent (a Stripe id written a moment ago is seen). */
  getProduct(productId: string): Promise<CatalogProduct | undefined>;
  /**
   * Writes the product's Stripe id unless it already has one; returns the id it has
   * afterwards (another request's, if that one was first).
   */
  recordStripeProductId(productId: string, stripeProductId: string): Promise<string>;
  /**
   * Writes the price's Stripe id if the record still has `expected` (none: no Stripe id)
   * or already has the new one; false when another writer changed it.
   */
  recordStripePriceId(
    priceId: string,
    stripePriceId: string,
    expected: string | undefined,
  ): Promise<boolean>;
}
