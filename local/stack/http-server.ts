import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../../lambda/core/http-handler';
import type { ParkedEventStore } from '../../lambda/domain/parked-event';
import { ALL_ROUTES, type FunctionId, matchRoute } from '../../lambda/shared/routes';
import type { BillingEventsRecorder } from '../billing-events-recorder';
import type { LocalConfig } from '../config';
import { serveDemoFile } from '../demo-files';
import {
  BodyTooLargeError,
  localContext,
  readBody,
  toApiGatewayEvent,
  writeJson,
  writeResult,
} from '../http-adapter';
import {
  issueLocalToken,
  listBillingEvents,
  listParkedEvents,
  LOCAL_ROUTES,
  type LocalRouteResult,
} from '../local-routes';
import type { Cleanup } from './cleanup';

export interface LocalHttpServer {
  readonly port: number;
  /** `http://localhost:<port>` */
  readonly url: string;
  /**
   * Hands the contract routes to the handlers; until then every request is a 503.
   * `localEndpoints` answers local-only requests of its own first (false: not one of them).
   */
  serve(handlers: Record<FunctionId, HttpHandler>, localEndpoints?: LocalEndpoints): void;
}

/** More local-only endpoints (the EventBridge stand-in's): true when it answered. */
export type LocalEndpoints = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean>;

interface LocalRoutesContext {
  readonly config: LocalConfig;
  readonly billingEvents: BillingEventsRecorder;
  readonly parkedEvents: ParkedEventStore;
}

/**
 * The local API listens before its handlers exist, because they need its origin
 * (an allowed redirect target); it answers 503 until `serve` is called.
 */
export async function startHttpServer(
  context: LocalRoutesContext,
  cleanup: Cleanup,
): Promise<LocalHttpServer> {
  let handlers: Record<FunctionId, HttpHandler> | undefined;
  let localEndpoints: LocalEndpoints | undefined;
  const server = createServer((request, response) => {
    if (!handlers) {
      writeJson(response, 503, {
        error: { code: 'not_ready', message: 'The local API is still starting.' },
      });
      return;
    }
    void handleRequest(request, response, { ...context, handlers, localEndpoints }).catch(
      (error: unknown) => {
        console.error('Local adapter failure', error);
        if (!response.headersSent) {
          writeJson(response, 500, {
            error: { code: 'internal_error', message: 'The local adapter failed.' },
          });
        }
      },
    );
  });
  const port = await listen(server, context.config.ports.api);
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  );
  return {
    port,
    url: `http://localhost:${port}`,
    serve: (ready, endpoints) => {
      handlers = ready;
      localEndpoints = endpoints;
    },
  };
}

/** The local-only helpers, matched as the contract's routes are. */
const LOCAL_HELPERS: readonly {
  readonly method: 'GET';
  readonly path: string;
  readonly handle: (url: URL, context: LocalRoutesContext) => Promise<LocalRouteResult>;
}[] = [
  {
    method: 'GET',
    path: LOCAL_ROUTES.token,
    handle: (url, context) =>
      issueLocalToken(url.searchParams, context.config.secrets.jwtAccessTokenSecret),
  },
  {
    method: 'GET',
    path: LOCAL_ROUTES.billingEvents,
    handle: (_url, context) => listBillingEvents(context.billingEvents),
  },
  {
    method: 'GET',
    path: LOCAL_ROUTES.parkedEvents,
    handle: (_url, context) => listParkedEvents(context.parkedEvents),
  },
];

/** The demo page's files, the local-only helpers, then the contract's routes. */
async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: LocalRoutesContext & {
    readonly handlers: Record<FunctionId, HttpHandler>;
    readonly localEndpoints: LocalEndpoints | undefined;
  },
) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  if (await context.localEndpoints?.(request, response, url)) return;

  if (await serveDemoFile(method, url.pathname, response)) return;
  const helper = matchRoute(LOCAL_HELPERS, method, url.pathname);
  if (helper) {
    const result = await helper.route.handle(url, context);
    writeJson(response, result.status, result.body);
    return;
  }

  const match = matchRoute(ALL_ROUTES, method, url.pathname);
  if (!match) {
    writeJson(response, 404, {
      error: { code: 'route_not_found', message: `No route ${method} ${url.pathname}.` },
    });
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    writeJson(response, 413, { error: { code: 'payload_too_large', message: error.message } });
    return;
  }
  const event = toApiGatewayEvent(request, url, body, match);
  const functionId = match.route.function;
  const result = await context.handlers[functionId](
    event,
    localContext(`local-stripe-${functionId}`),
  );
  writeResult(response, result);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
