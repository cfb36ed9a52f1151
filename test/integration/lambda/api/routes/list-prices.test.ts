import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { buildApiHandler } from '../../../../../lambda/api/composition-root';
import { decodeCursor, encodeCursor } from '../../../../../lambda/api/use-cases/list-prices';
import type { ApiConfig } from '../../../../../lambda/api/config';
import { DynamoCatalogSnapshotStore } from '../../../../../lambda/adapters/dynamo-catalog-snapshot';
import { buildCatalogSnapshotRefresh } from '../../../../../lambda/catalog/composition-root';
import { StaticSecretStore } from '../../../../../lambda/core/secrets';
import { chunkListing, listingVersion } from '../../../../../lambda/domain/price-listing';
import { ROUTES } from '../../../../../lambda/shared/routes';
import {
  CATALOG_SNAPSHOT_TABLE,
  PRICES_TABLE,
  PRODUCTS_TABLE,
} from '../../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { createTable } from '../../../../../local/services/provision';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { injectFault, throttled } from '../../../../support/aws-fault-injection';
import { itemKeysRead, recordRequests } from '../../../../support/dynamo-requests';
import { listingEntries } from '../../../../support/fake-catalog-snapshot';
import { serviceEndpoint } from '../../../../support/services';
import { silentLogger, uniqueProjectName } from '../../../../support/test-stack';

jest.setTimeout(60_000);

const prefix = uniqueProjectName('listing');
const names = {
  productsTable: `${prefix}-products`,
  pricesTable: `${prefix}-prices`,
  catalogSnapshotTable: `${prefix}-catalog-snapshot`,
};
const PRICES = 1_005;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

const config: ApiConfig = {
  customersTable: 'unused',
  catalogSyncTable: 'unused',
  ...names,
  stripeSecretKey: { name: 'stripe' },
  jwtSecret: { name: 'jwt' },
  allowedRedirectOrigins: ['https://app.example.com'],
  jwtMaxLifetimeSeconds: 86_400,
  secretsCacheMaxAgeSeconds: 300,
  userRateLimit: false,
};
/** A new API container: its own snapshot cache. */
const newApi = () =>
  buildApiHandler(config, {
    dynamo: client,
    secrets: new StaticSecretStore({ jwt: 'secret' }),
    logger: silentLogger(),
  });
const refresh = () =>
  buildCatalogSnapshotRefresh(names, { dynamo: client, logger: silentLogger() })();

async function list(
  api: ReturnType<typeof newApi>,
  query: Record<string, string> = {},
  headers = {},
) {
  const response = await api(
    apiEvent(ROUTES.listPrices, { queryStringParameters: query, headers }),
    lambdaContext(),
  );
  return {
    response,
    body: response.body === '' ? undefined : (JSON.parse(response.body) as ListingBody),
  };
}
interface ListingBody {
  readonly prices: { readonly priceId: string; readonly unitAmount: number }[];
  readonly nextCursor?: string;
}

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  documents = DynamoDBDocumentClient.from(client);
  await Promise.all([
    createTable(client, PRODUCTS_TABLE, names.productsTable),
    createTable(client, PRICES_TABLE, names.pricesTable),
    createTable(client, CATALOG_SNAPSHOT_TABLE, names.catalogSnapshotTable),
  ]);
  const items = [
    ...Array.from({ length: 10 }, (_, i) => ({
      table: names.productsTable,
      item: { productId: `prod-${String(i)}`, name: `Product ${String(i)}`, active: i !== 9 },
    })),
    ...Array.from({ length: PRICES }, (_, i) => ({
      table: names.pricesTable,
      item: {
        priceId: `price-${String(i).padStart(4, '0')}`,
        productId: `prod-${String(i % 9)}`,
        unitAmount: 100 + i,
        currency: 'usd',
        type: 'one_time',
        active: true,
      },
    })),
  ];
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25);
    const byTable: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
    for (const { table, item } of batch)
      (byTable[table] ??= []).push({ PutRequest: { Item: item } });
    await documents.send(new BatchWriteCommand({ RequestItems: byTable }));
  }
});
afterAll(() => {
  client.destroy();
});

describe('GET /stripe/prices over a snapshot on DynamoDB Local', () => {
  it('answers 503 catalog_unavailable before the first snapshot', async () => {
    const { response, body } = await list(newApi());
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(body).toMatchObject({ error: { code: 'catalog_unavailable' } });
  });

  it('pages through the whole catalog: every sellable price once, in order', async () => {
    expect(await refresh()).toMatchObject({ outcome: 'published', count: PRICES });
    const api = newApi();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { response, body } = await list(api, { limit: '37', ...(cursor ? { cursor } : {}) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=10');
      expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+\.\d+\.37"$/);
      seen.push(...(body?.prices ?? []).map((p) => p.priceId));
      cursor = body?.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(Math.ceil(PRICES / 37));
    expect(new Set(seen).size).toBe(PRICES);
    const first = await list(api);
    expect(first.body?.prices).toHaveLength(100);
    expect(first.body?.prices[0]).toEqual({
      priceId: 'price-0000',
      productId: 'prod-0',
      productName: 'Product 0',
      unitAmount: 100,
      currency: 'usd',
      type: 'one_time',
    });
  });

  it('answers 304 with no body to a matching If-None-Match, on the first and later pages', async () => {
    const api = newApi();
    const first = await list(api);
    const notModified = await list(api, {}, { 'If-None-Match': first.response.headers.etag });
    expect(notModified.response.statusCode).toBe(304);
    expect(notModified.response.body).toBe('');
    expect(notModified.response.headers.etag).toBe(first.response.headers.etag);
    expect(notModified.response.headers['cache-control']).toBe('public, max-age=10');

    const cursor = first.body?.nextCursor ?? '';
    const second = await list(api, { cursor });
    const again = await list(
      api,
      { cursor },
      { 'if-none-match': `W/${second.response.headers.etag}` },
    );
    expect(again.response.statusCode).toBe(304);
  });

  it('shows a changed, added or deactivated price after the next refresh; a cursor stays on its snapshot', async () => {
    const api = newApi();
    const before = await list(api, { limit: '100' });
    await documents.send(
      new UpdateCommand({
        TableName: names.pricesTable,
        Key: { priceId: 'price-0000' },
        UpdateExpression: 'SET active = :false',
        ExpressionAttributeValues: { ':false': false },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: names.pricesTable,
        Item: {
          priceId: 'price-new',
          productId: 'prod-0',
          unitAmount: 1,
          currency: 'usd',
          type: 'one_time',
          active: true,
        },
      }),
    );
    expect(await refresh()).toMatchObject({ outcome: 'published', count: PRICES });

    // A new container (or this one, once its head cache expires) sees the change.
    const after = await list(newApi(), { limit: '100' });
    expect(after.body?.prices[0]?.priceId).toBe('price-new');
    expect(after.body?.prices.map((p) => p.priceId)).not.toContain('price-0000');
    expect(after.response.headers.etag).not.toBe(before.response.headers.etag);

    // The old first page's cursor still walks the old snapshot.
    const second = await list(api, { cursor: before.body?.nextCursor ?? '' });
    // Product 0 has prices 0, 9, 18, ... by amount: its 101st is price-0900.
    expect(before.body?.prices[0]?.priceId).toBe('price-0000');
    expect(second.body?.prices[0]?.priceId).toBe('price-0900');
  });

  it('answers 400 for a bad limit or cursor', async () => {
    const api = newApi();
    for (const [query, code] of [
      [{ limit: '0' }, 'invalid_limit'],
      [{ limit: '101' }, 'invalid_limit'],
      [{ limit: 'ten' }, 'invalid_limit'],
      [{ limit: '1e2' }, 'invalid_limit'],
      [{ limit: '10,20' }, 'invalid_limit'],
      [{ cursor: 'not a cursor' }, 'invalid_cursor'],
      [{ cursor: Buffer.from('["nope",100,100]').toString('base64url') }, 'cursor_expired'],
    ] as const) {
      const { response, body } = await list(api, query);
      expect(response.statusCode).toBe(400);
      expect(body).toMatchObject({ error: { code } });
    }
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
      secrets: new StaticSecretStore({}),
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

describe('what a forged cursor costs (issue 21)', () => {
  const chunkReads = (sent: Parameters<typeof itemKeysRead>[0]) =>
    itemKeysRead(sent, CATALOG_SNAPSHOT_TABLE.partitionKey.name).filter((key) => key !== 'head');

  it('reads no chunk for a cursor the head shows was never handed out, and no more than a page needs otherwise', async () => {
    await refresh();
    const recorded = localDynamoClient(serviceEndpoint('dynamodb'));
    const sent = recordRequests(recorded);
    const api = buildApiHandler(config, {
      dynamo: recorded,
      secrets: new StaticSecretStore({ jwt: 'secret' }),
      logger: silentLogger(),
    });
    try {
      const first = await list(api, { limit: '1' });
      const { version } = decodeCursor(first.body?.nextCursor ?? '');
      for (const [cursor, code] of [
        // What the attacker sent: one anonymous request read 100 chunk keys.
        [{ version, offset: 1000, chunkSize: 1 }, 'invalid_cursor'],
        [{ version, offset: 1_000_000, chunkSize: 100 }, 'invalid_cursor'],
        [{ version: 'forged', offset: 1000, chunkSize: 1 }, 'cursor_expired'],
      ] as const) {
        const { response, body } = await list(api, { cursor: encodeCursor(cursor) });
        expect(response.statusCode).toBe(400);
        expect(body).toMatchObject({ error: { code } });
      }
      expect(chunkReads(sent)).toEqual([]);

      // A snapshot the head does not name is known only by reading: at most the two chunks
      // a page of 100 spans, as for a real cursor.
      const unknown = encodeCursor({ version: 'forged', offset: 1050, chunkSize: 100 });
      expect((await list(api, { cursor: unknown })).response.statusCode).toBe(400);
      expect(chunkReads(sent)).toEqual(['chunk#forged#10', 'chunk#forged#11']);
    } finally {
      recorded.destroy();
    }
  });
});

describe('a snapshot pass interrupted between its writes', () => {
  const changePrice = (unitAmount: number) =>
    documents.send(
      new UpdateCommand({
        TableName: names.pricesTable,
        Key: { priceId: 'price-0001' },
        UpdateExpression: 'SET unitAmount = :amount',
        ExpressionAttributeValues: { ':amount': unitAmount },
      }),
    );
  const etag = async () => (await list(newApi())).response.headers.etag;

  it.each([
    ['the chunks', 'BatchWriteItemCommand', 7_001],
    ['the head', 'PutItemCommand', 7_002],
  ])(
    'leaves the listing on the previous snapshot when %s fails to write; the next pass publishes',
    async (_what, command, newAmount) => {
      await refresh();
      const before = await etag();
      await changePrice(newAmount);
      const fault = injectFault(client, { command, nth: 1, error: throttled() });
      try {
        await expect(refresh()).rejects.toThrow();
        expect(fault.failures).toBe(1);
      } finally {
        fault.remove();
      }
      // Whole pages of the old snapshot: the head never names a half-written version.
      expect(await etag()).toBe(before);
      const { body } = await list(newApi(), { limit: '100' });
      expect(body?.prices).toHaveLength(100);

      expect(await refresh()).toMatchObject({ outcome: 'published' });
      expect(await etag()).not.toBe(before);
    },
  );
});

describe('DynamoCatalogSnapshotStore on DynamoDB Local', () => {
  const table = `${prefix}-store`;
  beforeAll(async () => {
    await createTable(client, CATALOG_SNAPSHOT_TABLE, table);
  });

  it('writes more chunks than one batch holds, and reads any two in one request', async () => {
    const store = new DynamoCatalogSnapshotStore(documents, table);
    const listing = listingEntries(3_050); // 31 chunks: two BatchWriteItem calls
    const version = listingVersion(listing);
    expect(
      await store.publish({
        version,
        builtAt: '2026-12-01T00:00:00.000Z',
        chunkSize: 100,
        chunks: chunkListing(listing, 100),
        expiresAt: 2_000_000_000,
      }),
    ).toBe(true);
    const head = await store.head();
    expect(head).toMatchObject({ version, count: 3_050, chunkSize: 100, expiresAt: 2_000_000_000 });
    expect(head?.firstChunk).toEqual(listing.slice(0, 100));
    const chunks = await store.chunks(version, [29, 30, 31]);
    expect([...chunks.keys()].sort()).toEqual([29, 30]);
    expect(chunks.get(30)?.entries).toEqual(listing.slice(3_000));
    expect(chunks.get(30)?.count).toBe(3_050);
  });

  it('never makes an older build current over a newer one', async () => {
    const store = new DynamoCatalogSnapshotStore(documents, table);
    const publish = (listing: ReturnType<typeof listingEntries>, builtAt: string) =>
      store.publish({
        version: listingVersion(listing),
        builtAt,
        chunkSize: 100,
        chunks: chunkListing(listing, 100),
        expiresAt: 2_000_000_000,
      });
    expect(await publish(listingEntries(2), '2026-12-01T00:05:00.000Z')).toBe(true);
    expect(await publish(listingEntries(3), '2026-12-01T00:04:00.000Z')).toBe(false);
    expect((await store.head())?.count).toBe(2);
  });
});
