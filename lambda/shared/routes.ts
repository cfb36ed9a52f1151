/**
 * The HTTP API's routes, defined once: the stack wires each one to its function, the
 * API function dispatches on the route key, and the local run matches requests to them
 * (`matchRoute`, which also matches the local-only helpers).
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

/** What a request is matched on: a method and a path template. */
type RoutePattern = Pick<RouteDefinition, 'method' | 'path'>;

/** A request matched to a route: the route, and its path parameters (decoded). */
export interface RouteMatch<R extends RoutePattern = RouteDefinition> {
  readonly route: R;
  readonly pathParameters: Record<string, string>;
}

const PATH_PARAMETER = /^\{(\w+)\}$/;

/**
 * The route of `routes` a request is for, as the HTTP API's route selection finds it: the
 * same method, and the path segment for segment, where `{name}` is any one non-empty
 * segment. The one path matcher: the local stack uses it for the contract's routes and
 * for its own helpers alike.
 */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] ?? '';
      const name = PATH_PARAMETER.exec(part)?.[1];
      if (name === undefined) return part === segment;
      pathParameters[name] = decodeURIComponent(segment);
      return segment !== '';
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
