import type { CatalogPrice, CatalogProduct } from './catalog';

/** Read access to the platform's catalog (the product and pricing services' tables). */
export interface CatalogRepository {
  /** Every active price; malformed records are skipped (and logged), never returned. */
  listActivePrices(): Promise<CatalogPrice[]>;
  /** The products with these ids that exist and are well-formed, by id. */
  getProducts(productIds: readonly string[]): Promise<Map<string, CatalogProduct>>;
}
