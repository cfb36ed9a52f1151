import { ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoParkedEventStore } from '../../lambda/adapters/dynamo-parked-event-store';
import type { ParkedEventStore } from '../../lambda/domain/parked-event';
import { CATALOG_SYNC_TABLE, PRICES_TABLE, PRODUCTS_TABLE } from '../../lambda/shared/tables';
import type { LocalConfig } from '../config';
import { BillingEventsRecorder } from '../billing-events-recorder';
import { type CatalogSeed, seedCatalog } from '../seed-catalog';
import { createTable, createTopic, subscribeQueue } from '../services/provision';
import { type LocalResourceNames, localTables } from './resource-names';
import type { LocalClients } from './services';
import { sandboxKeepsEarlierObjects } from './stripe-sandbox';

/**
 * The tables (the sample catalog in them when they hold none) and the billing events
 * topic. Stripe ids of an earlier sandbox are forgotten here: before the sandbox starts.
 */
export async function provisionResources(
  config: Pick<LocalConfig, 'dataDir' | 'stripe'>,
  clients: LocalClients,
  names: LocalResourceNames,
  seed: CatalogSeed,
): Promise<LocalTopic> {
  await provisionTables(clients.dynamo, names);
  await seedCatalogWhenMissing(clients.dynamo, names, seed);
  await forgetEarlierSandboxObjects(config, clients.dynamo, names);
  return provisionTopic(clients, names);
}

/**
 * The stack's tables, each created only when missing: in memory they all are; in a
 * data directory kept from an earlier run they are already there, with their data.
 */
async function provisionTables(dynamo: DynamoDBClient, names: LocalResourceNames): Promise<void> {
  const existing = await tableNames(dynamo);
  await Promise.all(
    localTables(names)
      .filter(([, tableName]) => !existing.has(tableName))
      .map(([definition, tableName]) => createTable(dynamo, definition, tableName)),
  );
}

async function tableNames(dynamo: DynamoDBClient): Promise<Set<string>> {
  const names = new Set<string>();
  let start: string | undefined;
  do {
    const page = await dynamo.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) names.add(name);
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return names;
}

/**
 * The sample catalog, written only when the catalog is missing (no product and no
 * price): a catalog kept in a data directory, edited or not, is left as it is.
 */
async function seedCatalogWhenMissing(
  dynamo: DynamoDBClient,
  names: LocalResourceNames,
  seed: CatalogSeed,
): Promise<void> {
  const documents = DynamoDBDocumentClient.from(dynamo);
  const holdsItems = async (table: string) =>
    ((await documents.send(new ScanCommand({ TableName: table, Limit: 1 }))).Count ?? 0) > 0;
  const [products, prices] = await Promise.all([
    holdsItems(names.productsTable),
    holdsItems(names.pricesTable),
  ]);
  if (products || prices) return;
  await seedCatalog(documents, names, seed);
}

/**
 * With a data directory the sandbox keeps its objects in `<dir>/stripe-sandbox`, so the
 * Stripe ids the tables hold still name something. Only when the sandbox starts empty on
 * a directory that already has tables (one from before the sandbox kept its state, or one
 * whose `stripe-sandbox/` was deleted) would those ids name nothing: then the catalog sync
 * records and the catalog's Stripe ids are forgotten, and the next checkout syncs each
 * price to this sandbox again (as the service does for a price never synced). The
 * customers table is left as it is: the service replaces a Stripe customer that is gone
 * at the buyer's next checkout. Must run before the sandbox starts (it asks whether the
 * sandbox will restore its state). Nothing to forget in memory, nor with a real test-mode
 * key (Stripe keeps its objects).
 */
async function forgetEarlierSandboxObjects(
  config: Pick<LocalConfig, 'dataDir' | 'stripe'>,
  dynamo: DynamoDBClient,
  names: LocalResourceNames,
): Promise<void> {
  if (
    config.dataDir === undefined ||
    config.stripe !== 'sandbox' ||
    sandboxKeepsEarlierObjects(config)
  )
    return;
  const documents = DynamoDBDocumentClient.from(dynamo);
  const syncKey = CATALOG_SYNC_TABLE.partitionKey.name;
  for await (const item of scan(documents, names.catalogSyncTable, syncKey)) {
    await documents.send(
      new DeleteCommand({ TableName: names.catalogSyncTable, Key: { [syncKey]: item[syncKey] } }),
    );
  }
  for (const [table, definition] of [
    [names.productsTable, PRODUCTS_TABLE],
    [names.pricesTable, PRICES_TABLE],
  ] as const) {
    const key = definition.partitionKey.name;
    for await (const item of scan(documents, table, key, definition.stripeIdAttribute)) {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { [key]: item[key] },
          UpdateExpression: 'REMOVE #stripeId',
          ExpressionAttributeNames: { '#stripeId': definition.stripeIdAttribute },
        }),
      );
    }
  }
}

/** Every item's key (of those holding `withAttribute`, when given), page by page. */
async function* scan(
  documents: DynamoDBDocumentClient,
  table: string,
  key: string,
  withAttribute?: string,
): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#key',
        ExpressionAttributeNames: {
          '#key': key,
          ...(withAttribute === undefined ? {} : { '#with': withAttribute }),
        },
        ...(withAttribute === undefined ? {} : { FilterExpression: 'attribute_exists(#with)' }),
        ExclusiveStartKey: start,
      }),
    );
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

export interface LocalTopic {
  readonly topicArn: string;
  /** What a subscriber of the topic received (an SQS queue subscribed to it). */
  readonly billingEvents: BillingEventsRecorder;
}

/** The billing events topic and a subscriber's queue on it (the emulator keeps none). */
async function provisionTopic(
  clients: LocalClients,
  names: LocalResourceNames,
): Promise<LocalTopic> {
  const topicArn = await createTopic(clients.sns, names.billingEventsTopic);
  const subscriber = await subscribeQueue(
    clients.sns,
    clients.sqs,
    topicArn,
    `${names.billingEventsTopic}-local-subscriber`,
  );
  return { topicArn, billingEvents: new BillingEventsRecorder(clients.sqs, subscriber.queueUrl) };
}

/** The parked events, for `/_local/parked-events`. */
export const parkedEventStore = (
  dynamo: DynamoDBClient,
  names: LocalResourceNames,
): ParkedEventStore =>
  new DynamoParkedEventStore(DynamoDBDocumentClient.from(dynamo), names.parkedEventsTable);
