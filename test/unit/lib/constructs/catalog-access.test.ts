import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalogRepository } from '../../../../lambda/adapters/dynamo-catalog-repository';
import {
  CATALOG_ACCESS,
  catalogWriteBackConditions,
} from '../../../../lib/constructs/catalog-access';

/**
 * The functions' IAM on the catalog tables (`CATALOG_ACCESS`) is checked against what the
 * adapter really sends for each: a new call, another table or another attribute in a
 * write-back fails here before it fails in AWS with AccessDenied.
 */

type CatalogTable = keyof typeof CATALOG_ACCESS;
const TABLE_NAMES: Record<string, CatalogTable> = {
  'products-table': 'products',
  'prices-table': 'prices',
};
/** The IAM action of each document client command. */
const ACTIONS: Record<string, string> = {
  GetCommand: 'dynamodb:GetItem',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  ScanCommand: 'dynamodb:Scan',
  QueryCommand: 'dynamodb:Query',
  UpdateCommand: 'dynamodb:UpdateItem',
  PutCommand: 'dynamodb:PutItem',
  DeleteCommand: 'dynamodb:DeleteItem',
};

interface Sent {
  readonly action: string;
  readonly table: CatalogTable;
  readonly input: Record<string, unknown>;
}

type Caller = 'api' | 'catalogSnapshot';

/** Runs the caller's repository methods against a client that records each command sent. */
async function sentByTheAdapter(caller: Caller): Promise<Sent[]> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const sent: Sent[] = [];
  // Stands in for the client's `send`: records the command, answers an empty result.
  const send = (command: object): Promise<unknown> => {
    const name = command.constructor.name;
    const action = ACTIONS[name];
    if (action === undefined) throw new Error(`unexpected command ${name}`);
    const input = (command as { input: Record<string, unknown> }).input;
    const requestItems = input.RequestItems as Record<string, unknown> | undefined;
    const tableNames = requestItems ? Object.keys(requestItems) : [input.TableName as string];
    for (const tableName of tableNames) {
      const table = TABLE_NAMES[tableName];
      if (table === undefined) throw new Error(`unexpected table ${tableName}`);
      sent.push({ action, table, input });
    }
    return Promise.resolve(name === 'BatchGetCommand' ? { Responses: {} } : { Items: [] });
  };
  Object.assign(documents, { send });
  const repository = new DynamoCatalogRepository(
    documents,
    { productsTable: 'products-table', pricesTable: 'prices-table' },
    new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  );
  if (caller === 'catalogSnapshot') {
    await repository.listActivePrices();
    await repository.getProducts(['prod-1', 'prod-2']);
    return sent;
  }
  await repository.getPrice('price-1');
  await repository.getProduct('prod-1');
  await repository.recordStripeProductId('prod-1', 'prod_stripe');
  await repository.recordStripePriceId('price-1', 'price_new', undefined);
  await repository.recordStripePriceId('price-1', 'price_new', 'price_old');
  return sent;
}

/** Every top-level attribute an expression request names: its key and its `#name`s. */
function attributesNamed(input: Record<string, unknown>): string[] {
  const expressions = [input.UpdateExpression, input.ConditionExpression].join(' ');
  // Every attribute goes through a `#name` placeholder: no bare attribute name is left
  // once placeholders, values, functions and operators are removed.
  const bare = expressions
    .replace(/#\w+|:\w+/g, '')
    .replace(/\b(SET|AND|OR|NOT|attribute_exists|attribute_not_exists)\b/g, '')
    .replace(/[()=,\s]/g, '');
  expect(bare).toBe('');
  return [
    ...Object.keys(input.Key as Record<string, unknown>),
    ...Object.values((input.ExpressionAttributeNames ?? {}) as Record<string, string>),
  ];
}

describe('the catalog snapshot function on the catalog tables', () => {
  it('is granted exactly the reads the adapter sends for the listing, per table', async () => {
    const sent = await sentByTheAdapter('catalogSnapshot');
    const used = new Set(sent.map(({ table, action }) => `${table} ${action}`));
    const granted = new Set(
      (Object.keys(CATALOG_ACCESS) as CatalogTable[]).flatMap((table) =>
        CATALOG_ACCESS[table].reads.catalogSnapshot.map((action) => `${table} ${action}`),
      ),
    );
    expect(used).toEqual(granted);
  });
});

describe('the api function on the catalog tables', () => {
  let sent: Sent[];
  beforeAll(async () => {
    sent = await sentByTheAdapter('api');
  });

  it('is granted exactly the actions the adapter sends, per table: no scan', () => {
    const used = new Set(sent.map(({ table, action }) => `${table} ${action}`));
    const granted = new Set(
      (Object.keys(CATALOG_ACCESS) as CatalogTable[]).flatMap((table) =>
        [...CATALOG_ACCESS[table].reads.api, 'dynamodb:UpdateItem'].map(
          (action) => `${table} ${action}`,
        ),
      ),
    );
    expect(used).toEqual(granted);
    expect([...used].some((grant) => grant.endsWith('dynamodb:Scan'))).toBe(false);
  });

  it('writes back only the key and the Stripe id, without asking for values back', () => {
    const updates = sent.filter(({ action }) => action === 'dynamodb:UpdateItem');
    expect(updates.map(({ table }) => table).sort()).toEqual(['prices', 'prices', 'products']);
    for (const { table, input } of updates) {
      const conditions = catalogWriteBackConditions(table) as {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': string[] };
        StringEquals: { 'dynamodb:ReturnValues': string };
      };
      const allowed = conditions['ForAllValues:StringEquals']['dynamodb:Attributes'];
      expect(allowed).toEqual([
        CATALOG_ACCESS[table].definition.partitionKey.name,
        CATALOG_ACCESS[table].stripeIdAttribute,
      ]);
      for (const attribute of attributesNamed(input)) expect(allowed).toContain(attribute);
      // No ReturnValues is ReturnValues NONE, which the policy requires.
      expect(input.ReturnValues ?? 'NONE').toBe(conditions.StringEquals['dynamodb:ReturnValues']);
    }
  });
});
