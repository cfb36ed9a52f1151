/**
 * The HTTP API's routes, defined once: the stack wires each one to its function, the
 * API function dispatches on the route key, and the local run matches requests to them.
 */

export type HttpMethod = 'GET' | 'POST';
export type FunctionId = 'api' | 'webhook';
/** How a route's caller proves who it is: a platform JWT, nothing, or Stripe's signature. */
export type RouteAuth = 'jwt' | 'public' | 'stripe-signature';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path template: `{name}` is a path parameter. */
  readonly path: string;
  readonly function: FunctionId;
  readonly auth: RouteAuth;
}

export const ROUTES = {
  listPrices: { method: 'GET', path: '/stripe/prices', function: 'api', auth: 'public' },
  createCheckoutSession: {
    method: 'POST',
    path: '/stripe/payment-intent',
    function: 'api',
    auth: 'jwt',
  },
  createPortalSession: { method: 'POST', path: '/stripe/portal', function: 'api', auth: 'jwt' },
  getCheckoutSession: {
    method: 'GET',
    path: '/stripe/checkout-sessions/{id}',
    function: 'api',
    auth: 'jwt',
  },
  stripeWebhook: {
    method: 'POST',
    path: '/stripe/webhook',
    function: 'webhook',
    auth: 'stripe-signature',
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof ROUTES;

/** API Gateway's `routeKey` for a route: `"<METHOD> <path template>"`. */
export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

export const ALL_ROUTES: readonly RouteDefinition[] = Object.values(ROUTES);
