import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalogRepository } from '../adapters/dynamo-catalog-repository';
import { JwtAuthenticator } from '../core/auth';
import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import { parseSecretValue, type SecretStore } from '../core/secrets';
import { createApiHandler } from './api-handler';
import type { ApiConfig } from './config';

/** The clients the API function talks through: AWS in Lambda, local stand-ins in `npm start`. */
export interface ApiInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly secrets: SecretStore;
  readonly logger?: Logger;
}

/** Builds the API handler's real dependencies from its configuration and clients. */
export function buildApiHandler(config: ApiConfig, infrastructure: ApiInfrastructure): HttpHandler {
  const logger = infrastructure.logger ?? createLogger();
  const documents = DynamoDBDocumentClient.from(infrastructure.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const jwtSecret = async () =>
    parseSecretValue(await infrastructure.secrets.get(config.jwtSecretName), config.jwtSecretName);

  return createApiHandler({
    logger,
    authenticator: new JwtAuthenticator(jwtSecret),
    catalog: new DynamoCatalogRepository(
      documents,
      { productsTable: config.productsTable, pricesTable: config.pricesTable },
      logger,
    ),
  });
}
