import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsClientSettings, namedDependency } from '../core/dependencies';
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
    dynamo: namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb'),
  }),
);
