import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { createLogger } from '../core/logger';
import { SecretsManagerStore } from '../core/secrets';
import { buildEventBridgeHandler } from './composition-root';
import { loadEventBridgeConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadEventBridgeConfig(process.env);
const logger = createLogger();
// EMF lines on stdout, flushed when each invocation ends (failed ones too); cold starts counted.
const metrics = metricsFromEnvironment(process.env, { logger });

/** Stripe's events from the partner event bus (context `eventBridgeSource`), invoked by its rule. */
export const handler = metrics.instrument(
  buildEventBridgeHandler(config, {
    logger,
    metrics,
    dynamo: awsDynamoClient(),
    sns: awsSnsClient(),
    secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds, awsSecretsManagerClient()),
  }),
);
