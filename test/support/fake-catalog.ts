import type { CatalogPrice, CatalogProduct } from '../../lambda/domain/catalog';
import type { CatalogRepository } from '../../lambda/domain/catalog-repository';
import type { CatalogSyncRecord, CatalogSyncRepository } from '../../lambda/domain/catalog-sync';

/** An in-memory catalog for use-case tests, with the adapter's rules and conditions. */
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

  getPrice(priceId: string): Promise<CatalogPrice | undefined> {
    return Promise.resolve(this.prices.find((price) => price.priceId === priceId));
  }

  getProduct(productId: string): Promise<CatalogProduct | undefined> {
    return Promise.resolve(this.products.find((product) => product.productId === productId));
  }

  recordStripeProductId(productId: string, stripeProductId: string): Promise<string> {
    const index = this.products.findIndex((product) => product.productId === productId);
    const product = this.products[index];
    if (!product) return Promise.reject(new Error(`no product ${productId}`));
    if (product.stripeProductId !== undefined) return Promise.resolve(product.stripeProductId);
    this.products[index] = { ...product, stripeProductId };
    return Promise.resolve(stripeProductId);
  }

  recordStripePriceId(
    priceId: string,
    stripePriceId: string,
    expected: string | undefined,
  ): Promise<boolean> {
    const index = this.prices.findIndex((price) => price.priceId === priceId);
    const price = this.prices[index];
    if (!price) return Promise.resolve(false);
    const current = price.stripePriceId;
    if (current !== expected && current !== stripePriceId) return Promise.resolve(false);
    this.prices[index] = { ...price, stripePriceId };
    return Promise.resolve(true);
  }

  /** Replaces a price record, as the pricing service would when it changes a price. */
  update(priceId: string, changes: Partial<CatalogPrice>): void {
    const index = this.prices.findIndex((price) => price.priceId === priceId);
    const price = this.prices[index];
    if (!price) throw new Error(`no price ${priceId}`);
    this.prices[index] = { ...price, ...changes };
  }
}

/** The catalog sync table in memory, with the adapter's condition. */
export class InMemoryCatalogSync implements CatalogSyncRepository {
  readonly rows = new Map<string, CatalogSyncRecord>();

  get(priceId: string): Promise<CatalogSyncRecord | undefined> {
    return Promise.resolve(this.rows.get(priceId));
  }

  save(record: CatalogSyncRecord, expectedStripePriceId: string | undefined): Promise<boolean> {
    const current = this.rows.get(record.priceId)?.stripePriceId;
    if (current !== expectedStripePriceId && current !== record.stripePriceId) {
      return Promise.resolve(false);
    }
    this.rows.set(record.priceId, record);
    return Promise.resolve(true);
  }
}
