import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoCatalogRepository } from '../../../../lambda/adapters/dynamo-catalog-repository';
import { PRICES_TABLE, PRODUCTS_TABLE } from '../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import { serviceEndpoint } from '../../../support/services';
import { silentLogger, uniqueProjectName } from '../../../support/test-stack';

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
  const puts: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < 150; i++) {
    const id = `prod-${String(i).padStart(3, '0')}`;
    puts.push(() =>
      documents.send(
        new PutCommand({
          TableName: tables.productsTable,
          Item: { productId: id, name: `Product ${i}`, active: true },
        }),
      ),
    );
    puts.push(() =>
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
  puts.push(() =>
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
  // Ten at a time: hundreds of requests at once can wait longer than the client's
  // 1 s connection budget for a socket on a busy machine.
  for (let i = 0; i < puts.length; i += 10)
    await Promise.all(puts.slice(i, i + 10).map((put) => put()));
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
