import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildCatalogSnapshotRefresh } from '../../lambda/catalog/composition-root';
import type { CatalogSnapshotConfig } from '../../lambda/catalog/config';
import type { RefreshReport } from '../../lambda/catalog/use-cases/refresh-catalog-snapshot';
import type { Logger } from '../../lambda/core/logger';
import { LISTING_FRESHNESS } from '../../lambda/domain/price-listing';
import type { Cleanup } from './cleanup';

/**
 * The price listing reads a snapshot, so one pass runs before the first request,
 * then one every `LISTING_FRESHNESS.refreshSeconds`, as the deployed schedule's passes do.
 * Returns the pass, for whoever wants one now.
 */
export async function startCatalogSnapshotTimer(
  settings: CatalogSnapshotConfig,
  dynamo: DynamoDBClient,
  logger: Logger | undefined,
  cleanup: Cleanup,
): Promise<() => Promise<RefreshReport>> {
  const refresh = buildCatalogSnapshotRefresh(settings, {
    dynamo,
    ...(logger ? { logger } : {}),
  });
  await refresh();
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => {
      (logger ?? console).error('Catalog snapshot pass failed', { error });
    });
  }, LISTING_FRESHNESS.refreshSeconds * 1000);
  timer.unref();
  cleanup.add(() => {
    clearInterval(timer);
  });
  return refresh;
}
