import type { JwtAuthenticator } from '../core/auth';
import { createHttpHandler, type HttpHandler } from '../core/http-handler';
import type { Logger } from '../core/logger';
import { notImplementedRoute } from '../core/not-implemented';
import type { CatalogRepository } from '../domain/catalog-repository';
import { listPricesRoute } from './routes/list-prices';

export interface ApiDependencies {
  readonly logger: Logger;
  readonly authenticator: JwtAuthenticator;
  readonly catalog: CatalogRepository;
}

/** The API function's routes over its use cases; the same handler runs in Lambda and locally. */
export function createApiHandler(deps: ApiDependencies): HttpHandler {
  return createHttpHandler({
    logger: deps.logger,
    authenticator: deps.authenticator,
    routes: {
      listPrices: listPricesRoute(deps.catalog),
      createCheckoutSession: notImplementedRoute,
      createPortalSession: notImplementedRoute,
      getCheckoutSession: notImplementedRoute,
    },
  });
}
