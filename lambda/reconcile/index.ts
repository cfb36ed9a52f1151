import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { createLogger } from '../core/logger';
import { SecretsManagerStore } from '../core/secrets';
import { buildReconcileHandler } from './composition-root';
import { loadReconcileConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadReconcileConfig(process.env);
const logger = createLogger();
// EMF lines on stdout, flushed when each run ends (a failed one too); cold starts counted.
const metrics = metricsFromEnvironment(process.env, { logger });

/** The scheduled reconciliation (every `reconcileIntervalMinutes`): reads only the Stripe key. */
export const handler = metrics.instrument(
  buildReconcileHandler(config, {
    logger,
    metrics,
    dynamo: awsDynamoClient(),
    sns: awsSnsClient(),
    secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds, awsSecretsManagerClient()),
  }),
);
