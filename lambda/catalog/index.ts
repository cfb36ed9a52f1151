import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsDynamoClient } from '../core/aws-clients';
import { createLogger } from '../core/logger';
import { buildCatalogSnapshotHandler } from './composition-root';
import { loadCatalogSnapshotConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadCatalogSnapshotConfig(process.env);
const logger = createLogger();
const metrics = metricsFromEnvironment(process.env, { logger });

/** Scheduled every minute: rebuilds the price listing's snapshot when the catalog changed. */
export const handler = metrics.instrument(
  buildCatalogSnapshotHandler(config, {
    logger,
    metrics,
    dynamo: awsDynamoClient(),
  }),
);
