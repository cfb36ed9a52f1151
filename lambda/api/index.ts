import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsClientSettings, namedDependency } from '../core/dependencies';
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
    dynamo: namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb'),
    secrets: new SecretsManagerStore(
      config.secretsCacheMaxAgeSeconds,
      namedDependency(
        new SecretsManagerClient(awsClientSettings('secretsManager')),
        'secretsManager',
      ),
    ),
  }),
);
