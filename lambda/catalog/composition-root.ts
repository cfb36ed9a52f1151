import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoCatalogRepository } from '../adapters/dynamo-catalog-repository';
import { DynamoCatalogSnapshotStore } from '../adapters/dynamo-catalog-snapshot';
import { createLogger, type Logger } from '../core/logger';
import { NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import { LISTING_FRESHNESS } from '../domain/price-listing';
import { type CatalogSnapshotConfig, loadCatalogSnapshotConfig } from './config';
import type { Environment } from '../core/config';
import { coldStart, type FunctionClients } from '../core/cold-start';
import { refreshDuringWindow } from './refresh-passes';
import { refreshCatalogSnapshot, type RefreshReport } from './use-cases/refresh-catalog-snapshot';

export interface CatalogSnapshotInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
}

/** One snapshot pass, wired: what the scheduled function repeats and the local stack runs. */
export function buildCatalogSnapshotRefresh(
  config: CatalogSnapshotConfig,
  infrastructure: CatalogSnapshotInfrastructure,
): () => Promise<RefreshReport> {
  const logger = infrastructure.logger ?? createLogger();
  const documents = DynamoDBDocumentClient.from(infrastructure.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const deps = {
    catalog: new DynamoCatalogRepository(
      documents,
      { productsTable: config.productsTable, pricesTable: config.pricesTable },
      logger,
    ),
    snapshots: new DynamoCatalogSnapshotStore(documents, config.catalogSnapshotTable),
    logger,
    metrics: infrastructure.metrics ?? NO_METRICS,
    now: () => new Date(),
  };
  return () => refreshCatalogSnapshot(deps);
}

/** The schedule's invocation: a pass every `LISTING_FRESHNESS.refreshSeconds` of its minute. */
export function buildCatalogSnapshotHandler(
  config: CatalogSnapshotConfig,
  infrastructure: CatalogSnapshotInfrastructure,
): (event: ScheduledEvent | undefined, context: Context) => Promise<RefreshReport[]> {
  const logger = infrastructure.logger ?? createLogger();
  const refresh = buildCatalogSnapshotRefresh(config, { ...infrastructure, logger });
  const metrics = infrastructure.metrics ?? NO_METRICS;
  return async (_event, context) => {
    logger.addContext(context);
    const reports = await refreshDuringWindow(
      refresh,
      {
        intervalSeconds: LISTING_FRESHNESS.refreshSeconds,
        windowSeconds: LISTING_FRESHNESS.scheduleSeconds,
        passBudgetSeconds: LISTING_FRESHNESS.refreshBudgetSeconds,
      },
      {
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        remainingMs: () => context.getRemainingTimeInMillis(),
      },
      { logger, metrics },
    );
    logger.info('Catalog snapshot passes done', { reports });
    return reports;
  };
}

/**
 * The deployed function, as its index builds it at cold start: the configuration from
 * the environment the stack sets (a misconfigured function fails here, naming every
 * missing setting), then the composition root with the given AWS clients.
 */
export function catalogSnapshotFunction(
  env: Environment,
  aws: Pick<FunctionClients, 'dynamo'>,
): (event: ScheduledEvent | undefined, context: Context) => Promise<RefreshReport[]> {
  const config = loadCatalogSnapshotConfig(env);
  const { logger, metrics } = coldStart(env);
  return metrics.instrument(
    buildCatalogSnapshotHandler(config, { logger, metrics, dynamo: aws.dynamo }),
  );
}
