import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings, namedDependency } from '../core/dependencies';
import { SecretsManagerStore } from '../core/secrets';
import { buildApiHandler } from './composition-root';
import { loadApiConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadApiConfig(process.env);

export const handler = buildApiHandler(config, {
  dynamo: namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb'),
  secrets: new SecretsManagerStore(
    config.secretsCacheMaxAgeSeconds,
    namedDependency(
      new SecretsManagerClient(awsClientSettings('secretsManager')),
      'secretsManager',
    ),
  ),
});
