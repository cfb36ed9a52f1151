import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsDynamoClient, awsSecretsManagerClient } from '../core/aws-clients';
import { createLogger } from '../core/logger';
import { SecretsManagerStore } from '../core/secrets';
import { buildApiHandler } from './composition-root';
import { loadApiConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadApiConfig(process.env);
const logger = createLogger();
// EMF lines on stdout, flushed when each invocation ends (failed ones too); cold starts counted.
const metrics = metricsFromEnvironment(process.env, { logger });

export const handler = metrics.instrument(
  buildApiHandler(config, {
    logger,
    metrics,
    dynamo: awsDynamoClient(),
    secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds, awsSecretsManagerClient()),
  }),
);
