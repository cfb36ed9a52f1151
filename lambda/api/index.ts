import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerStore } from '../core/secrets';
import { buildApiHandler } from './composition-root';
import { loadApiConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadApiConfig(process.env);

export const handler = buildApiHandler(config, {
  dynamo: new DynamoDBClient({}),
  secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds),
});
