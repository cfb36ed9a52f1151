import { notFound } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { CatalogPrice } from '../../domain/catalog';
import type { CatalogRepository } from '../../domain/catalog-repository';
import {
  type CatalogSyncRecord,
  type CatalogSyncRepository,
  priceTerms,
  termsDigest,
} from '../../domain/catalog-sync';
import type { StripeGateway } from '../../domain/stripe-gateway';

export interface PriceSyncDependencies {
  readonly catalog: Pick<
    CatalogRepository,
    'getProduct' | 'recordStripeProductId' | 'recordStripePriceId'
  >;
  readonly catalogSync: CatalogSyncRepository;
  readonly stripe: Pick<
    StripeGateway,
    'createProduct' | 'createPrice' | 'findPrice' | 'archivePrice'
  >;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * The Stripe price to sell a catalog price with, syncing it to Stripe first when needed.
 *
 * The sync record (what was last created in Stripe, with the terms it was created for) is
 * the journal: a price whose record matches its current terms is synced, with no Stripe
 * call. Otherwise the product (once) and a new price are created with idempotency keys
 * derived from the local ids and terms, so concurrent requests and retries of a
 * half-finished sync get the same Stripe objects back instead of new ones; the old price is
 * archived; and the record is written last, so an interrupted sync is simply redone.
 */
export async function syncedStripePrice(
  deps: PriceSyncDependencies,
  price: CatalogPrice,
  synced: CatalogSyncRecord | undefined,
): Promise<string> {
  const terms = priceTerms(price);
  if (synced?.terms === terms) {
    if (price.stripePriceId !== synced.stripePriceId) {
      await writeBackStripePriceId(deps, price, synced.stripePriceId);
    }
    return synced.stripePriceId;
  }

  // A price id with no sync record was synced before this service kept records (or by
  // hand): look at it once, and keep it if it still matches.
  if (synced === undefined && price.stripePriceId !== undefined) {
    const existing = await deps.stripe.findPrice(price.stripePriceId);
    if (existing?.active === true && existing.terms === terms) {
      return record(deps, price, terms, existing, undefined);
    }
  }

  const previous = synced?.stripePriceId ?? price.stripePriceId;
  const stripeProductId = await ensureStripeProduct(deps, price.productId);
  const stripePriceId = await deps.stripe.createPrice({
    price,
    stripeProductId,
    // The previous price is part of the key: going back to earlier terms needs a new
    // Stripe price too, not a replay of the archived one.
    idempotencyKey: [
      'catalog-price',
      price.priceId,
      termsDigest(terms),
      ...(previous !== undefined ? ['replaces', previous] : []),
    ].join('-'),
  });
  if (previous !== undefined && previous !== stripePriceId) {
    await deps.stripe.archivePrice(previous);
    deps.logger.info('Catalog price changed: new Stripe price, old one archived', {
      priceId: price.priceId,
      stripePriceId,
      archivedStripePriceId: previous,
      terms,
    });
  }
  return record(deps, price, terms, { id: stripePriceId, stripeProductId }, synced?.stripePriceId);
}

async function record(
  deps: PriceSyncDependencies,
  price: CatalogPrice,
  terms: string,
  stripePrice: { readonly id: string; readonly stripeProductId: string },
  expected: string | undefined,
): Promise<string> {
  const stripePriceId = stripePrice.id;
  const saved = await deps.catalogSync.save(
    {
      priceId: price.priceId,
      productId: price.productId,
      stripeProductId: stripePrice.stripeProductId,
      stripePriceId,
      terms,
      syncedAt: deps.now().toISOString(),
    },
    expected,
  );
  if (!saved) {
    // Another request recorded a different sync in the meantime (the price changed
    // again): sell what it recorded if it is for these terms, else let the caller retry.
    const current = await deps.catalogSync.get(price.priceId);
    if (current?.terms !== terms) throw new Error(`Price ${price.priceId} changed during sync.`);
    return current.stripePriceId;
  }
  await writeBackStripePriceId(deps, price, stripePriceId);
  return stripePriceId;
}

async function ensureStripeProduct(
  deps: PriceSyncDependencies,
  productId: string,
): Promise<string> {
  const product = await deps.catalog.getProduct(productId);
  if (!product) throw notFound(`Price's product ${productId} does not exist.`, 'price_not_found');
  if (product.stripeProductId !== undefined) return product.stripeProductId;
  const created = await deps.stripe.createProduct({
    product,
    idempotencyKey: `catalog-product-${productId}`,
  });
  return deps.catalog.recordStripeProductId(productId, created);
}

/** The pricing service's record gets the Stripe id; a lost race there is only logged. */
async function writeBackStripePriceId(
  deps: PriceSyncDependencies,
  price: CatalogPrice,
  stripePriceId: string,
): Promise<void> {
  const written = await deps.catalog.recordStripePriceId(
    price.priceId,
    stripePriceId,
    price.stripePriceId,
  );
  if (!written) {
    deps.logger.warn('The price record changed while its Stripe id was written back', {
      priceId: price.priceId,
      stripePriceId,
    });
  }
}
