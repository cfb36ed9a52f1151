import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SecretsManagerStore } from '../core/secrets';
import { buildWebhookHandler } from './composition-root';
import { loadWebhookConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadWebhookConfig(process.env);

export const handler = buildWebhookHandler(config, {
  dynamo: new DynamoDBClient({}),
  sns: new SNSClient({}),
  secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds),
});
