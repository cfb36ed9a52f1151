import { jsonResponse } from '../../core/http';
import type { HttpResponse } from '../../core/http';
import type { CatalogRepository } from '../../domain/catalog-repository';
import { listPrices } from '../use-cases/list-prices';

/** Browsers and CDNs may reuse the list for a minute; a catalog change shows within that. */
export const PRICES_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=60';

/** GET /stripe/prices */
export const listPricesRoute = (catalog: CatalogRepository) => async (): Promise<HttpResponse> =>
  jsonResponse(
    200,
    { prices: await listPrices(catalog) },
    { 'cache-control': PRICES_CACHE_CONTROL },
  );
