import { createHash } from 'node:crypto';
import type { CatalogPrice, CatalogProduct, PriceType, RecurringInterval } from './catalog';

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

/** The listing's page sizes (contract section 4): `limit` is 1-100, 100 when not given. */
export const LISTING_LIMITS = { min: 1, max: 100, default: 100 } as const;

/**
 * How stale the listing may be, and where the time goes. A catalog change shows within
 * the sum (the contract's 60 seconds): the next snapshot pass starts within
 * `refreshSeconds` and finishes within `refreshBudgetSeconds`; each API container keeps
 * the snapshot's head for `headCacheSeconds`; a browser or CDN reuses an answer for
 * `httpMaxAgeSeconds` (after which the ETag makes the re-check cheap). The schedule can
 * invoke the snapshot function at most once a minute (`scheduleSeconds`, EventBridge's
 * shortest rate), so each invocation makes a pass every `refreshSeconds` of its minute.
 */
export const LISTING_FRESHNESS = {
  scheduleSeconds: 60,
  refreshSeconds: 30,
  refreshBudgetSeconds: 10,
  headCacheSeconds: 5,
  httpMaxAgeSeconds: 10,
  boundSeconds: 60,
} as const;

/**
 * Stale-if-error: while the snapshot's head cannot be read (DynamoDB failing or stalled),
 * an API container answers from the head it read last, for at most this long after that
 * read, marked stale (`Warning`, `Cache-Control: max-age=0`) and counted
 * (`PriceListingServedStale`, alarmed). Outside `LISTING_FRESHNESS`: a stale answer is the
 * exception to the 60 s promise, said so on the answer. Five minutes rides out a blip or a
 * throttling burst without turning a longer outage into a quietly old catalog; beyond it
 * the listing fails as before. A stale list never charges a stale price: checkout reads
 * the live price.
 */
export const LISTING_STALE_IF_ERROR_SECONDS = 300;

/**
 * The prices a buyer can pay, in the listing's order: active prices of active products. A
 * price whose product is missing or inactive cannot be checked out, so it is not listed.
 */
export function buildPriceListing(
  prices: readonly CatalogPrice[],
  products: ReadonlyMap<string, CatalogProduct>,
): PriceListing[] {
  const listings: PriceListing[] = [];
  for (const price of prices) {
    const product = products.get(price.productId);
    if (!price.active || !product?.active) continue;
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
  return listings.sort(compareListings);
}

/**
 * By product name, then amount, then price id (unique, so the order is total). Code-unit
 * comparison rather than `localeCompare`: the order must not depend on the ICU data of
 * whichever runtime built the snapshot, or pages cut from two snapshots of the same
 * catalog could disagree.
 */
function compareListings(a: PriceListing, b: PriceListing): number {
  return (
    compareStrings(a.productName, b.productName) ||
    a.unitAmount - b.unitAmount ||
    compareStrings(a.priceId, b.priceId)
  );
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A snapshot's version: a digest of exactly what it lists, so an unchanged catalog gives
 * the same version (and ETags) however often it is rebuilt.
 */
export function listingVersion(listings: readonly PriceListing[]): string {
  return createHash('sha256').update(JSON.stringify(listings)).digest('base64url').slice(0, 22);
}

/** The snapshot's entries cut into the stored chunks (the last one may be shorter). */
export function chunkListing(
  listings: readonly PriceListing[],
  chunkSize: number,
): PriceListing[][] {
  const chunks: PriceListing[][] = [];
  for (let start = 0; start < listings.length; start += chunkSize) {
    chunks.push(listings.slice(start, start + chunkSize));
  }
  return chunks.length > 0 ? chunks : [[]];
}
