import type { Logger } from '../../core/logger';
import type { CatalogRepository } from '../../domain/catalog-repository';
import {
  type CatalogSnapshotStore,
  SNAPSHOT_CHUNK_SIZE,
  SNAPSHOT_RETENTION,
} from '../../domain/catalog-snapshot';
import { METRICS, type ServiceMetrics } from '../../domain/metrics';
import {
  buildPriceListing,
  chunkListing,
  listingVersion,
  type PriceListing,
} from '../../domain/price-listing';

export interface RefreshDependencies {
  readonly catalog: Pick<CatalogRepository, 'listActivePrices' | 'getProducts'>;
  readonly snapshots: CatalogSnapshotStore;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly now: () => Date;
}

export interface RefreshReport {
  /**
   * `published`: the catalog changed and its snapshot is now current; `renewed`: unchanged,
   * its chunks' expiry pushed back; `unchanged`: nothing written; `superseded`: a pass that
   * started later already published.
   */
  readonly outcome: 'published' | 'renewed' | 'unchanged' | 'superseded';
  readonly version: string;
  readonly count: number;
  /** Entries left out because one alone would not fit a stored chunk. */
  readonly oversized: number;
}

/**
 * The largest listing entry kept, serialised: a hundred of them fit one DynamoDB item
 * (400 KB) with room to spare. A product name that long is a catalog mistake, logged.
 */
export const MAX_LISTING_ENTRY_BYTES = 3_000;

/**
 * One snapshot pass: reads the sellable catalog (a scan of the prices table and the
 * products it names: the only reads that grow with the catalog, once per pass instead of
 * once per listing request), and makes it the current snapshot when it changed. An
 * unchanged catalog writes nothing, except to renew its chunks before they would expire.
 */
export async function refreshCatalogSnapshot(deps: RefreshDependencies): Promise<RefreshReport> {
  const builtAt = deps.now();
  const prices = await deps.catalog.listActivePrices();
  const products = await deps.catalog.getProducts(prices.map((price) => price.productId));
  const { listed, oversized } = withinEntryLimit(buildPriceListing(prices, products), deps.logger);
  const version = listingVersion(listed);

  const head = await deps.snapshots.head();
  const nowSeconds = Math.floor(builtAt.getTime() / 1000);
  const report = { version, count: listed.length, oversized };
  const renewDue =
    head !== undefined && head.expiresAt - nowSeconds < SNAPSHOT_RETENTION.renewBeforeSeconds;
  if (head?.version === version && !renewDue) {
    deps.metrics.count(METRICS.catalogSnapshotRefreshes);
    return { outcome: 'unchanged', ...report };
  }

  const published = await deps.snapshots.publish({
    version,
    builtAt: builtAt.toISOString(),
    chunkSize: SNAPSHOT_CHUNK_SIZE,
    chunks: chunkListing(listed, SNAPSHOT_CHUNK_SIZE),
    expiresAt: nowSeconds + SNAPSHOT_RETENTION.retainSeconds,
  });
  deps.metrics.count(METRICS.catalogSnapshotRefreshes);
  if (!published) return { outcome: 'superseded', ...report };
  if (head?.version === version) return { outcome: 'renewed', ...report };
  deps.metrics.count(METRICS.catalogSnapshotChanges);
  deps.logger.info('Price listing changed: new catalog snapshot is current', {
    version,
    previousVersion: head?.version,
    count: listed.length,
  });
  return { outcome: 'published', ...report };
}

function withinEntryLimit(
  listings: readonly PriceListing[],
  logger: Logger,
): { listed: PriceListing[]; oversized: number } {
  const listed: PriceListing[] = [];
  let oversized = 0;
  for (const entry of listings) {
    if (Buffer.byteLength(JSON.stringify(entry)) <= MAX_LISTING_ENTRY_BYTES) {
      listed.push(entry);
      continue;
    }
    oversized++;
    logger.warn('Price left out of the listing: its entry is too large to store', {
      priceId: entry.priceId,
      productId: entry.productId,
      maxBytes: MAX_LISTING_ENTRY_BYTES,
    });
  }
  return { listed, oversized };
}
