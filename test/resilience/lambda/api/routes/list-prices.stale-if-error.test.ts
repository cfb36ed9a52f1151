import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildApiHandler } from '../../../../../lambda/api/composition-root';
import type { ApiConfig } from '../../../../../lambda/api/config';
import { DynamoCatalogSnapshotStore } from '../../../../../lambda/adapters/dynamo-catalog-snapshot';
import { StaticSecretStore } from '../../../../../lambda/core/secrets';
import { METRICS } from '../../../../../lambda/domain/metrics';
import {
  chunkListing,
  LISTING_FRESHNESS,
  listingVersion,
} from '../../../../../lambda/domain/price-listing';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { CATALOG_SNAPSHOT_TABLE } from '../../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { createTable } from '../../../../../local/services/provision';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { injectFault, serviceUnavailable } from '../../../../support/aws-fault-injection';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { listingEntries } from '../../../../support/fake-catalog-snapshot';
import { CapturingLogger } from '../../../../support/log-capture';
import { serviceEndpoint } from '../../../../support/services';
import { startStallingProxy, type StallingProxy } from '../../../../support/stalling-proxy';
import { uniqueProjectName } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Stale-if-error (issue 21): DynamoDB failing or stalled while the listing's head is in an
 * API container's memory. The listing answers from it, marked stale, instead of 500; the
 * failed read is logged and counted as DynamoDB's; once DynamoDB is back, answers are fresh
 * again. Against DynamoDB Local, through the API's own composition root. (The bound itself,
 * five minutes, is held by the cache's unit test: waiting it out here would add nothing.)
 */
const table = `${uniqueProjectName('stale')}-catalog-snapshot`;
const config: ApiConfig = {
  customersTable: 'unused',
  catalogSyncTable: 'unused',
  productsTable: 'unused',
  pricesTable: 'unused',
  catalogSnapshotTable: table,
  stripeSecretKey: { name: 'stripe' },
  jwtSecret: { name: 'jwt' },
  allowedRedirectOrigins: ['https://app.example.com'],
  jwtMaxLifetimeSeconds: 86_400,
  secretsCacheMaxAgeSeconds: 300,
  // The listing is anonymous: the per-user limit never applies to it.
  userRateLimit: false,
};
const STALE_HEADERS = {
  'cache-control': 'public, max-age=0, must-revalidate',
  warning: '110 - "Response is Stale", 111 - "Revalidation Failed"',
};

beforeAll(async () => {
  const client = localDynamoClient(serviceEndpoint('dynamodb'));
  await createTable(client, CATALOG_SNAPSHOT_TABLE, table);
  const listing = listingEntries(250);
  await new DynamoCatalogSnapshotStore(DynamoDBDocumentClient.from(client), table).publish({
    version: listingVersion(listing),
    builtAt: new Date().toISOString(),
    chunkSize: 100,
    chunks: chunkListing(listing, 100),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  client.destroy();
});

/** One API container on `endpoint`, with what it logs and counts. */
function container(endpoint = serviceEndpoint('dynamodb')) {
  const dynamo = localDynamoClient(endpoint);
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  // The head ages by this container's own clock: a test moves it past the head's lifetime
  // instead of waiting (the stale-if-error bound is minutes away either way).
  let aged = 0;
  const api = buildApiHandler(config, {
    dynamo,
    secrets: new StaticSecretStore({}),
    logger,
    metrics,
    listingClock: () => Date.now() + aged,
  });
  const expireHead = () => {
    aged += LISTING_FRESHNESS.headCacheSeconds * 1000 + 200;
  };
  const list = async (query: Record<string, string> = {}) => {
    const response = await api(
      apiEvent(ROUTES.listPrices, { queryStringParameters: query }),
      lambdaContext(),
    );
    const body = JSON.parse(response.body) as {
      prices?: { priceId: string }[];
      nextCursor?: string;
      error?: { code: string };
    };
    return { response, body };
  };
  return { dynamo, logger, metrics, list, expireHead };
}

const staleLine = (lines: readonly LogAttributes[]) =>
  lines.find(
    (line) =>
      line.message ===
      'Catalog snapshot head not read; the listing answers from memory, marked stale',
  );

describe('GET /stripe/prices while DynamoDB fails or stalls (stale-if-error)', () => {
  it('DynamoDB failing: answers from the head in memory, marked stale; a chunk it never read is still a 500; fresh once DynamoDB is back', async () => {
    const api = container();
    const first = await api.list({ limit: '100' });
    expect(first.response.statusCode).toBe(200);
    const second = await api.list({ cursor: first.body.nextCursor ?? '' }); // chunk 1, kept
    expect(second.response.statusCode).toBe(200);

    api.expireHead();
    const fault = injectFault(api.dynamo, {
      command: 'GetItemCommand',
      nth: 1,
      times: Infinity,
      error: serviceUnavailable,
    });
    try {
      const stale = await api.list({ limit: '100' });
      expect(stale.response.statusCode).toBe(200);
      expect(stale.response.headers).toMatchObject(STALE_HEADERS);
      expect(stale.response.headers.etag).toBe(first.response.headers.etag);
      expect(stale.body).toEqual(first.body);
      // A later page whose chunk the container holds: stale too, from memory.
      const staleSecond = await api.list({ cursor: first.body.nextCursor ?? '' });
      expect([staleSecond.response.statusCode, staleSecond.body]).toEqual([200, second.body]);
      expect(staleSecond.response.headers).toMatchObject(STALE_HEADERS);
      // One it never read cannot be made up: the failure it is.
      const unread = await api.list({ cursor: second.body.nextCursor ?? '' });
      expect([unread.response.statusCode, unread.body.error?.code]).toEqual([
        500,
        'internal_error',
      ]);

      expect(staleLine(api.logger.lines)).toMatchObject({
        level: 'WARN',
        dependency: 'DynamoDB',
        operation: 'GetItem',
      });
      expect(api.metrics.totals()).toMatchObject({
        [METRICS.priceListingServedStale]: 2,
        // The failed head read (once: retried a TTL later, not per request) and the chunk.
        [METRICS.awsCallFailures]: 2,
      });
      expect(fault.failures).toBe(2);
    } finally {
      fault.remove();
    }

    api.expireHead();
    const fresh = await api.list({ limit: '100' });
    expect(fresh.response.statusCode).toBe(200);
    expect(fresh.response.headers['cache-control']).toBe('public, max-age=10');
    expect(fresh.response.headers.warning).toBeUndefined();
    api.dynamo.destroy();
  });

  it('DynamoDB stalled: answers stale once the read times out (instead of 500), the timeout counted', async () => {
    let proxy: StallingProxy | undefined;
    try {
      proxy = await startStallingProxy(serviceEndpoint('dynamodb'));
      const api = container(proxy.endpoint);
      const first = await api.list();
      expect(first.response.statusCode).toBe(200);

      api.expireHead();
      proxy.stall();
      const stale = await api.list();
      expect(stale.response.statusCode).toBe(200);
      expect(stale.response.headers).toMatchObject(STALE_HEADERS);
      expect(stale.body).toEqual(first.body);
      expect(staleLine(api.logger.lines)).toMatchObject({
        dependency: 'DynamoDB',
        operation: 'GetItem',
      });
      expect(api.metrics.totals()).toMatchObject({
        [METRICS.priceListingServedStale]: 1,
        [METRICS.awsCallFailures]: 1,
        [METRICS.awsTimeouts]: 1,
      });

      proxy.resume();
      api.expireHead();
      const fresh = await api.list();
      expect([fresh.response.statusCode, fresh.response.headers.warning]).toEqual([200, undefined]);
      api.dynamo.destroy();
    } finally {
      await proxy?.close();
    }
  });
});
