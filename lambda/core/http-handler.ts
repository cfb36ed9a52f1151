import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTES, type RouteAuth, type RouteName, routeKey } from '../shared/routes';
import { NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import type { AuthenticatedUser, JwtAuthenticator } from './auth';
import { dependencyFailureOf } from './dependencies';
import { countDependencyFailure } from './dependency-metrics';
import { HttpError, internalError, notFound } from './errors';
import { errorResponse, type HttpResponse } from './http';
import type { Logger } from './logger';
import { admitRequest, type RequestLimitGate } from './request-limit';

export interface PublicRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
}
export interface AuthenticatedRequest extends PublicRequest {
  readonly user: AuthenticatedUser;
}

type RequestFor<A extends RouteAuth> = A extends 'jwt' ? AuthenticatedRequest : PublicRequest;

/** A route's handler gets the verified user exactly when the route's definition needs one. */
export type RouteHandlers = {
  readonly [N in RouteName]?: (
    request: RequestFor<(typeof ROUTES)[N]['auth']>,
  ) => Promise<HttpResponse>;
};

type AnyRouteHandler = (
  request: PublicRequest & { readonly user?: AuthenticatedUser },
) => Promise<HttpResponse>;

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<HttpResponse>;

export interface HttpHandlerOptions {
  readonly logger: Logger;
  readonly routes: RouteHandlers;
  /** Needed when any route is `jwt`. */
  readonly authenticator?: JwtAuthenticator;
  /**
   * Counts the Stripe and AWS failures that fail a request (the function's `index.ts`
   * flushes them when the invocation ends); none are counted when absent.
   */
  readonly metrics?: ServiceMetrics;
  /**
   * The per-user request limit of every `jwt` route, applied once the token is verified
   * and before the route runs (`admitRequest`); no limit when absent.
   */
  readonly requestLimit?: RequestLimitGate;
}

/**
 * The shell every HTTP function shares: it puts the request ids on the logger, finds the
 * route by API Gateway's route key, authenticates it if the route says so (and counts it
 * against the caller's request limit), and turns any failure into the contract's error
 * body. Caller mistakes (HttpError 4xx) are logged as such; anything else is a 500 whose
 * details stay in the log. A Stripe or AWS failure is also counted (`StripeCallFailures`,
 * `AwsCallFailures`, and their timeouts).
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { logger, routes, authenticator } = options;
  const metrics = options.metrics ?? NO_METRICS;
  const byRouteKey = new Map<string, RouteName>(
    (Object.keys(ROUTES) as RouteName[]).map((name) => [routeKey(ROUTES[name]), name]),
  );

  return async (event, context) => {
    logger.resetKeys();
    logger.addContext(context);
    logger.appendKeys({ apiRequestId: event.requestContext.requestId, routeKey: event.routeKey });
    try {
      const name = byRouteKey.get(event.routeKey);
      // Handlers are typed per route where they are defined; here they are called
      // generically, and the route's `auth` decides whether a user is passed.
      const handle = (name === undefined ? undefined : routes[name]) as AnyRouteHandler | undefined;
      if (name === undefined || handle === undefined) {
        throw notFound(`No route ${event.routeKey}.`, 'route_not_found');
      }
      let user: AuthenticatedUser | undefined;
      if (ROUTES[name].auth === 'jwt') {
        if (!authenticator) throw new Error(`Route ${name} needs an authenticator.`);
        user = await authenticator.authenticate(event);
        logger.appendKeys({ userId: user.userId });
        if (options.requestLimit) {
          await admitRequest(user.userId, options.requestLimit, { logger, metrics });
        }
      }
      const response = await handle(user ? { event, context, user } : { event, context });
      logger.info('Request handled', { status: response.statusCode });
      return response;
    } catch (error) {
      // Counted where it is logged: one failed request, one count, whichever call failed.
      countDependencyFailure(metrics, error);
      return toErrorResponse(error, logger);
    }
  };
}

function toErrorResponse(error: unknown, logger: Logger): HttpResponse {
  // An HttpError is an answer we chose (the caller's mistake, or a dependency we name);
  // anything else is a bug or an outage, logged with its stack and hidden from the caller.
  if (error instanceof HttpError) {
    const fields = { status: error.status, errorCode: error.code, ...error.logFields };
    if (error.status < 500) logger.info('Request rejected', fields);
    else logger.warn('Request not completed', fields);
    return errorResponse(error);
  }
  // A dependency that failed or timed out (after its retries) is named, so the log says
  // what to look at without a stack trace being read.
  const dependency = dependencyFailureOf(error);
  if (dependency) logger.error('Dependency failed', { ...dependency, error: error as Error });
  else logger.error('Unexpected failure', error as Error);
  return errorResponse(internalError());
}
