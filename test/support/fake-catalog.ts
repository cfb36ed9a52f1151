import type { CatalogPrice, CatalogProduct } from '../../lambda/domain/catalog';
import type { CatalogRepository } from '../../lambda/domain/catalog-repository';

/** An in-memory catalog for use-case tests; it applies the same "active" rule as the adapter. */
export class InMemoryCatalog implements CatalogRepository {
  constructor(
    readonly products: CatalogProduct[] = [],
    readonly prices: CatalogPrice[] = [],
  ) {}

  listActivePrices(): Promise<CatalogPrice[]> {
    return Promise.resolve(this.prices.filter((price) => price.active));
  }

  getProducts(productIds: readonly string[]): Promise<Map<string, CatalogProduct>> {
    const wanted = new Set(productIds);
    return Promise.resolve(
      new Map(this.products.filter((p) => wanted.has(p.productId)).map((p) => [p.productId, p])),
    );
  }
}
