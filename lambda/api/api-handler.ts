import type { JwtAuthenticator } from '../core/auth';
import { createHttpHandler, type HttpHandler } from '../core/http-handler';
import type { Logger } from '../core/logger';
import type { CatalogRepository } from '../domain/catalog-repository';
import type { ListingSnapshotReader } from '../domain/catalog-snapshot';
import type { CatalogSyncRepository } from '../domain/catalog-sync';
import type { CustomerRepository } from '../domain/customer';
import type { ServiceMetrics } from '../domain/metrics';
import type { RedirectPolicy } from '../domain/redirect-policy';
import type { UserRequestLimiter } from '../domain/request-limit';
import type { StripeGateway } from '../domain/stripe-gateway';
import { checkoutSessionStatusRoute } from './routes/checkout-session-status';
import { createCheckoutSessionRoute } from './routes/create-checkout-session';
import { listPricesRoute } from './routes/list-prices';
import { portalRoute } from './routes/portal';

export interface ApiDependencies {
  readonly logger: Logger;
  readonly authenticator: JwtAuthenticator;
  /** The live catalog records: checkout validates and syncs the price it sells. */
  readonly catalog: CatalogRepository;
  /** The price listing's snapshot (a stale list can never charge a stale price). */
  readonly priceListing: ListingSnapshotReader;
  readonly catalogSync: CatalogSyncRepository;
  readonly customers: CustomerRepository;
  readonly stripe: StripeGateway;
  readonly redirects: RedirectPolicy;
  readonly now: () => Date;
  /**
   * Counts checkout sessions created, failed Stripe/AWS calls and stale listing answers;
   * none when absent.
   */
  readonly metrics?: ServiceMetrics;
  /** Counts each authenticated request against its user's limit; no limit when absent. */
  readonly requestLimiter?: UserRequestLimiter;
}

/** The API function's routes over its use cases; the same handler runs in Lambda and locally. */
export function createApiHandler(deps: ApiDependencies): HttpHandler {
  return createHttpHandler({
    logger: deps.logger,
    authenticator: deps.authenticator,
    metrics: deps.metrics,
    ...(deps.requestLimiter ? { requestLimit: { limiter: deps.requestLimiter } } : {}),
    routes: {
      listPrices: listPricesRoute(deps.priceListing, deps.metrics),
      createCheckoutSession: createCheckoutSessionRoute(deps, deps.redirects, deps.metrics),
      createPortalSession: portalRoute(deps, deps.redirects),
      getCheckoutSession: checkoutSessionStatusRoute(deps.stripe),
    },
  });
}
