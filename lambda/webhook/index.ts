import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { metricsFromEnvironment } from '../adapters/powertools-metrics';
import { awsClientSettings, namedDependency } from '../core/dependencies';
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
