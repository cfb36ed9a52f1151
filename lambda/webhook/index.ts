import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsDynamoClient, awsSecretsManagerClient, awsSnsClient } from '../core/aws-clients';
import { createLogger } from '../core/logger';
import { SecretsManagerStore } from '../core/secrets';
import { buildWebhookHandler } from './composition-root';
import { loadWebhookConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadWebhookConfig(process.env);
const logger = createLogger();
// EMF lines on stdout, flushed when each invocation ends (failed ones too); cold starts counted.
const metrics = metricsFromEnvironment(process.env, { logger });

export const handler = metrics.instrument(
  buildWebhookHandler(config, {
    logger,
    metrics,
    dynamo: awsDynamoClient(),
    sns: awsSnsClient(),
    secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds, awsSecretsManagerClient()),
  }),
);
