import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientSettings, namedDependency } from '../core/dependencies';
import { SecretsManagerStore } from '../core/secrets';
import { buildWebhookHandler } from './composition-root';
import { loadWebhookConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadWebhookConfig(process.env);

export const handler = buildWebhookHandler(config, {
  dynamo: namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb'),
  sns: namedDependency(new SNSClient(awsClientSettings('sns')), 'sns'),
  secrets: new SecretsManagerStore(
    config.secretsCacheMaxAgeSeconds,
    namedDependency(
      new SecretsManagerClient(awsClientSettings('secretsManager')),
      'secretsManager',
    ),
  ),
});
