import { listPricesRoute } from '../../../../../lambda/api/routes/list-prices';
import type {
  ListingHead,
  ListingSnapshotReader,
} from '../../../../../lambda/domain/catalog-snapshot';
import { METRICS } from '../../../../../lambda/domain/metrics';
import { chunkListing, listingVersion } from '../../../../../lambda/domain/price-listing';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { InMemoryCatalogSnapshot, listingEntries } from '../../../../support/fake-catalog-snapshot';

/**
 * The route's answer when the snapshot says its head is stale (stale-if-error): the page,
 * with headers that say it is stale and keep every cache from reusing it, and a count.
 */
async function routeOver(staleSeconds?: number) {
  const store = new InMemoryCatalogSnapshot();
  const listing = listingEntries(150);
  await store.publish({
    version: listingVersion(listing),
    builtAt: '2026-12-01T00:00:00.000Z',
    chunkSize: 100,
    chunks: chunkListing(listing, 100),
    expiresAt: 0,
  });
  // A fake that records and returns: the head the store has, as stale as it is told.
  const snapshot: ListingSnapshotReader = {
    currentHead: async (): Promise<ListingHead> => ({
      head: await store.head(),
      ...(staleSeconds === undefined ? {} : { staleSeconds }),
    }),
    chunks: (version, indexes) => store.chunks(version, indexes),
  };
  const metrics = new RecordingMetrics();
  const route = listPricesRoute(snapshot, metrics);
  const get = (query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    route({
      event: apiEvent(ROUTES.listPrices, { queryStringParameters: query, headers }),
      context: lambdaContext(),
    });
  return { get, metrics };
}

describe('GET /stripe/prices answered stale (stale-if-error)', () => {
  it('answers a fresh head as ever: cacheable for 10 s, no warning, nothing counted', async () => {
    const { get, metrics } = await routeOver();
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=10');
    expect(response.headers.warning).toBeUndefined();
    expect(metrics.totals()).toEqual({});
  });

  it('answers the page from a stale head, says so, lets no cache reuse it, and counts it', async () => {
    const { get, metrics } = await routeOver(42);
    const response = await get({ limit: '100' });
    expect(response.statusCode).toBe(200);
    expect((JSON.parse(response.body) as { prices: unknown[] }).prices).toHaveLength(100);
    expect(response.headers).toMatchObject({
      'cache-control': 'public, max-age=0, must-revalidate',
      warning: '110 - "Response is Stale", 111 - "Revalidation Failed"',
    });
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+\.0\.100"$/);
    expect(metrics.totals()).toEqual({ [METRICS.priceListingServedStale]: 1 });
  });

  it('marks a 304 stale too, and counts it', async () => {
    const { get, metrics } = await routeOver(42);
    const first = await get();
    const again = await get({}, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.headers.warning).toBe('110 - "Response is Stale", 111 - "Revalidation Failed"');
    expect(again.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(metrics.totals()).toEqual({ [METRICS.priceListingServedStale]: 2 });
  });
});
