import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildApiHandler } from '../../lambda/api/composition-root';
import { DynamoCatalogRepository } from '../../lambda/adapters/dynamo-catalog-repository';
import { StaticSecretStore } from '../../lambda/core/secrets';
import { ROUTES } from '../../lambda/shared/routes';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../../lambda/shared/tables';
import { localDynamoClient } from '../../local/services/aws-clients';
import { createTable } from '../../local/services/provision';
import { apiEvent, lambdaContext } from '../support/api-events';
import { serviceEndpoint } from './services';
import { silentLogger, uniqueProjectName } from './support';

jest.setTimeout(30_000);

const prefix = uniqueProjectName('catalog');
const tables = { productsTable: `${prefix}-products`, pricesTable: `${prefix}-prices` };
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  documents = DynamoDBDocumentClient.from(client);
  await createTable(client, PRODUCTS_TABLE, tables.productsTable);
  await createTable(client, PRICES_TABLE, tables.pricesTable);
  // 150 products: more than one BatchGetItem (100 keys) can fetch.
  const puts: Promise<unknown>[] = [];
  for (let i = 0; i < 150; i++) {
    const id = `prod-${String(i).padStart(3, '0')}`;
    puts.push(
      documents.send(
        new PutCommand({
          TableName: tables.productsTable,
          Item: { productId: id, name: `Product ${i}`, active: true },
        }),
      ),
    );
    puts.push(
      documents.send(
        new PutCommand({
          TableName: tables.pricesTable,
          Item: {
            priceId: `price-${i}`,
            productId: id,
            unitAmount: 100 + i,
            currency: 'usd',
            type: 'one_time',
            active: i % 10 !== 0,
          },
        }),
      ),
    );
  }
  puts.push(
    documents.send(
      new PutCommand({
        TableName: tables.pricesTable,
        Item: {
          priceId: 'price-broken',
          productId: 'prod-001',
          unitAmount: 'lots',
          currency: 'usd',
          type: 'one_time',
          active: true,
        },
      }),
    ),
  );
  await Promise.all(puts);
});
afterAll(() => {
  client.destroy();
});

describe('DynamoCatalogRepository on DynamoDB Local', () => {
  it('lists active prices only and skips malformed records with a warning', async () => {
    const warn = jest.fn();
    const logger = { warn } as unknown as Logger;
    const prices = await new DynamoCatalogRepository(documents, tables, logger).listActivePrices();
    expect(prices).toHaveLength(135);
    expect(prices.every((p) => p.active)).toBe(true);
    expect(warn).toHaveBeenCalledWith('Skipping malformed price record', {
      problem: 'price price-broken has no non-negative integer unitAmount',
    });
  });

  it('fetches more products than one batch read allows', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `prod-${String(i).padStart(3, '0')}`);
    const products = await new DynamoCatalogRepository(
      documents,
      tables,
      silentLogger(),
    ).getProducts([...ids, 'prod-missing']);
    expect(products.size).toBe(150);
    expect(products.get('prod-149')?.name).toBe('Product 149');
  });
});

describe('GET /stripe/prices through the API handler', () => {
  const secrets = new StaticSecretStore({ jwt: 'secret' });
  const config = {
    customersTable: 'unused',
    catalogSyncTable: 'unused',
    ...tables,
    stripeSecretKey: { name: 'stripe' },
    jwtSecret: { name: 'jwt' },
    allowedRedirectOrigins: ['https://app.example.com'],
    secretsCacheMaxAgeSeconds: 300,
  };

  it('answers with the joined, sorted list', async () => {
    const handler = buildApiHandler(config, { dynamo: client, secrets, logger: silentLogger() });
    const response = await handler(apiEvent(ROUTES.listPrices), lambdaContext());
    expect(response.statusCode).toBe(200);
    const { prices } = JSON.parse(response.body) as {
      prices: { priceId: string; productName: string }[];
    };
    expect(prices).toHaveLength(135);
    expect(prices[0]).toEqual({
      priceId: 'price-1',
      productId: 'prod-001',
      productName: 'Product 1',
      unitAmount: 101,
      currency: 'usd',
      type: 'one_time',
    });
  });

  it('answers 500 internal_error, revealing nothing, when DynamoDB is unreachable', async () => {
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const handler = buildApiHandler(config, {
      dynamo: unreachable,
      secrets,
      logger: silentLogger(),
    });
    const response = await handler(apiEvent(ROUTES.listPrices), lambdaContext());
    unreachable.destroy();
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'internal_error',
        message: 'Something went wrong on our side; try again later.',
      },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
