import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsClientSettings, namedDependency } from '../core/dependencies';
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
    dynamo: namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb'),
    sns: namedDependency(new SNSClient(awsClientSettings('sns')), 'sns'),
    secrets: new SecretsManagerStore(
      config.secretsCacheMaxAgeSeconds,
      namedDependency(
        new SecretsManagerClient(awsClientSettings('secretsManager')),
        'secretsManager',
      ),
    ),
  }),
);
