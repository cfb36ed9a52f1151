import type { JwtAuthenticator } from '../core/auth';
import { createHttpHandler, type HttpHandler } from '../core/http-handler';
import type { Logger } from '../core/logger';
import { notImplementedRoute } from '../core/not-implemented';
import type { CatalogRepository } from '../domain/catalog-repository';
import type { CustomerRepository } from '../domain/customer';
import type { RedirectPolicy } from '../domain/redirect-policy';
import type { StripeGateway } from '../domain/stripe-gateway';
import { checkoutSessionStatusRoute } from './routes/checkout-session-status';
import { listPricesRoute } from './routes/list-prices';
import { portalRoute } from './routes/portal';

export interface ApiDependencies {
  readonly logger: Logger;
  readonly authenticator: JwtAuthenticator;
  readonly catalog: CatalogRepository;
  readonly customers: CustomerRepository;
  readonly stripe: StripeGateway;
  readonly redirects: RedirectPolicy;
}

/** The API function's routes over its use cases; the same handler runs in Lambda and locally. */
export function createApiHandler(deps: ApiDependencies): HttpHandler {
  return createHttpHandler({
    logger: deps.logger,
    authenticator: deps.authenticator,
    routes: {
      listPrices: listPricesRoute(deps.catalog),
      createCheckoutSession: notImplementedRoute,
      createPortalSession: portalRoute(deps, deps.redirects),
      getCheckoutSession: checkoutSessionStatusRoute(deps.stripe),
    },
  });
}
