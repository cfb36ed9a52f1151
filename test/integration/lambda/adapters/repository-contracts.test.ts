import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCatalogSyncRepository } from '../../../../lambda/adapters/dynamo-catalog-sync-repository';
import { DynamoParkedEventStore } from '../../../../lambda/adapters/dynamo-parked-event-store';
import { FakeParkedEventStore } from '../../../support/fake-parked-events';
import { DynamoCustomerRepository } from '../../../../lambda/adapters/dynamo-customer-repository';
import {
  PARKED_EVENTS_TABLE,
  CATALOG_SYNC_TABLE,
  CUSTOMERS_TABLE,
  PRICES_TABLE,
  PRODUCTS_TABLE,
} from '../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import { InMemoryCatalog, InMemoryCatalogSync } from '../../../support/fake-catalog';
import { DynamoCatalogRepository } from '../../../../lambda/adapters/dynamo-catalog-repository';
import { InMemoryCustomers } from '../../../support/fake-billing';
import {
  CONTRACT_PRICE,
  CONTRACT_PRODUCT,
  catalogRepositoryContract,
  catalogSyncContract,
  parkedEventStoreContract,
  customerRepositoryContract,
} from '../../../support/repository-contracts';
import { serviceEndpoint } from '../../../support/services';
import { silentLogger, uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The repositories' contracts (test/support/repository-contracts.ts), run against the
 * DynamoDB adapters on DynamoDB Local, a fresh table per test, and against the in-memory
 * fakes the use cases' unit tests use: a fake that drifts from the real conditions fails here.
 */
let client: DynamoDBClient;
beforeAll(() => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
});
afterAll(() => {
  client.destroy();
});
const documents = () => DynamoDBDocumentClient.from(client);

describe('DynamoCustomerRepository (DynamoDB Local)', () => {
  customerRepositoryContract(async () => {
    const table = uniqueProjectName('customers-contract');
    await createTable(client, CUSTOMERS_TABLE, table);
    return new DynamoCustomerRepository(documents(), table);
  });
});

describe('InMemoryCustomers (the unit tests’ fake)', () => {
  customerRepositoryContract(() => Promise.resolve(new InMemoryCustomers()));
});

describe('DynamoCatalogSyncRepository (DynamoDB Local)', () => {
  catalogSyncContract(async () => {
    const table = uniqueProjectName('sync-contract');
    await createTable(client, CATALOG_SYNC_TABLE, table);
    return new DynamoCatalogSyncRepository(documents(), table);
  });
});

describe('InMemoryCatalogSync (the unit tests’ fake)', () => {
  catalogSyncContract(() => Promise.resolve(new InMemoryCatalogSync()));
});

describe('DynamoCatalogRepository (DynamoDB Local)', () => {
  catalogRepositoryContract(async () => {
    const prefix = uniqueProjectName('catalog-contract');
    const tables = { productsTable: `${prefix}-products`, pricesTable: `${prefix}-prices` };
    await createTable(client, PRODUCTS_TABLE, tables.productsTable);
    await createTable(client, PRICES_TABLE, tables.pricesTable);
    const db = documents();
    await db.send(
      new PutCommand({ TableName: tables.productsTable, Item: { ...CONTRACT_PRODUCT } }),
    );
    await db.send(new PutCommand({ TableName: tables.pricesTable, Item: { ...CONTRACT_PRICE } }));
    return new DynamoCatalogRepository(db, tables, silentLogger());
  });
});

describe('InMemoryCatalog (the unit tests’ fake)', () => {
  catalogRepositoryContract(() =>
    Promise.resolve(new InMemoryCatalog([CONTRACT_PRODUCT], [CONTRACT_PRICE])),
  );
});

describe('DynamoParkedEventStore (DynamoDB Local)', () => {
  parkedEventStoreContract(async () => {
    const table = uniqueProjectName('parked-contract');
    await createTable(client, PARKED_EVENTS_TABLE, table);
    return new DynamoParkedEventStore(documents(), table);
  });
});

describe('FakeParkedEventStore (the unit tests’ fake)', () => {
  parkedEventStoreContract(() => Promise.resolve(new FakeParkedEventStore()));
});
