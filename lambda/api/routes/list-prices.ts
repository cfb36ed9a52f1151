import { invalidRequest } from '../../core/errors';
import { getHeader, jsonResponse } from '../../core/http';
import type { HttpResponse } from '../../core/http';
import type { PublicRequest } from '../../core/http-handler';
import type { ListingSnapshotReader } from '../../domain/catalog-snapshot';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import { LISTING_LIMITS } from '../../domain/price-listing';
import {
  decodeCursor,
  listPrices,
  type ListPricesQuery,
  PRICES_CACHE_CONTROL,
  STALE_PRICES_HEADERS,
} from '../use-cases/list-prices';

export { PRICES_CACHE_CONTROL, STALE_PRICES_HEADERS } from '../use-cases/list-prices';

/** GET /stripe/prices[?limit=1-100][&cursor=<nextCursor>] */
export const listPricesRoute =
  (snapshot: ListingSnapshotReader, metrics: ServiceMetrics = NO_METRICS) =>
  async ({ event }: PublicRequest): Promise<HttpResponse> => {
    const result = await listPrices(
      snapshot,
      parseQuery(event.queryStringParameters ?? {}),
      getHeader(event, 'if-none-match'),
    );
    const stale = result.staleSeconds !== undefined;
    if (stale) metrics.count(METRICS.priceListingServedStale);
    const headers = {
      'cache-control': PRICES_CACHE_CONTROL,
      ...(stale ? STALE_PRICES_HEADERS : {}),
      etag: result.etag,
    };
    if (result.status === 'not-modified') {
      return { statusCode: 304, headers, body: '' };
    }
    return jsonResponse(200, result.page, headers);
  };

function parseQuery(query: Readonly<Record<string, string | undefined>>): ListPricesQuery {
  const { limit: rawLimit, cursor } = query;
  let limit: number = LISTING_LIMITS.default;
  if (rawLimit !== undefined) {
    // Digits only: "1e2", " 5" or "5.0" are not what a client meant to send.
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= LISTING_LIMITS.min && limit <= LISTING_LIMITS.max)) {
      throw invalidRequest(
        `limit must be a whole number from ${String(LISTING_LIMITS.min)} to ${String(LISTING_LIMITS.max)}.`,
        'invalid_limit',
      );
    }
  }
  return { limit, ...(cursor === undefined ? {} : { cursor: decodeCursor(cursor) }) };
}
