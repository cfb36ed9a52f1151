import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterPaymentEvent } from '../billing/disputes';
import { refreshAfterSubscriptionEvent } from '../billing/entitlements';
import { WebhookDelivery } from '../delivery/webhooks';
import { runWithClock } from '../objects/clock';
import { openDataDir, restoreState, StateSaver } from './persistence';
import { SandboxState } from '../state/state';
import { handleRequest } from './dispatch';
import { StripeApiError } from '../http/errors';
import { FaultInjector } from '../http/faults';
import { IdempotencyKeys } from '../http/idempotency';
import { RateLimiter, STRIPE_TEST_MODE_RATE_LIMITS } from '../http/rate-limits';
import { sendStripeError } from '../http/messages';
import {
  DEFAULT_API_VERSION,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type StripeSandboxOptions,
} from './options';
import type { RequestContext } from '../http/request-context';

export interface StripeSandbox {
  /** `http://127.0.0.1:<port>`: the API base, and where the hosted pages live. */
  readonly url: string;
  readonly port: number;
  /** The API version it answers in (`options.apiVersion` or `DEFAULT_API_VERSION`). */
  readonly apiVersion: string;
  readonly state: SandboxState;
  /** Where the state is kept (`options.dataDir`), or undefined: in memory only. */
  readonly dataDir: string | undefined;
  /** It started from state saved in `dataDir` (not empty). */
  readonly restored: boolean;
  /** Stops it; with a `dataDir`, resolves once the state is saved (rejects if it cannot be). */
  stop(): Promise<void>;
}

/** Requests that never change the state, so never call for a save. */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD']);

/** What requests need once the sandbox has started: its state, and what saves it. */
interface Running {
  state?: SandboxState;
  saver?: StateSaver;
}

function webhookDelivery(
  options: StripeSandboxOptions,
  apiVersion: string,
  running: Running,
): WebhookDelivery {
  return new WebhookDelivery({
    secret: options.webhookSecret,
    endpoints: options.webhookEndpoints ?? [],
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    apiVersion,
    ...(options.log ? { log: options.log } : {}),
    ...(options.eventBridgeDelivery ? { eventBridgeDelivery: options.eventBridgeDelivery } : {}),
    onDelivered: () => running.saver?.changed(),
  });
}

/**
 * Serves each request with the running state, on its clock; a change calls for a save,
 * and a failure of the sandbox itself is logged and answered with Stripe's 500.
 */
function serve(
  running: Running,
  parts: Omit<RequestContext, 'state'>,
  log: ((line: string) => void) | undefined,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const state = running.state;
    if (!state) throw new Error('sandbox not started');
    // Everything the request creates is stamped by this sandbox's clock.
    runWithClock(state.clock, () => handleRequest(request, response, { state, ...parts }))
      .finally(() => {
        if (!READ_ONLY_METHODS.has(request.method ?? 'GET')) running.saver?.changed();
      })
      .catch((error: unknown) => {
        log?.(
          `sandbox failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!response.headersSent)
          sendStripeError(
            response,
            new StripeApiError(500, 'api_error', 'Sandbox failure.'),
            'req_sandbox',
          );
      });
  };
}

/** Listens on 127.0.0.1 only; answers the port (the one picked, for port 0). */
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function stopper(server: Server, state: SandboxState, saver: StateSaver | undefined) {
  return async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    server.closeAllConnections();
    // Saved (for the last time) before the deliveries are reset, which forgets the
    // endpoints and outcomes: a request still finishing cannot save that reset state.
    const saving = saver?.close();
    state.delivery.reset();
    await closed;
    await saving;
  };
}

/**
 * A stateful stand-in for the part of Stripe's API a Checkout integration uses. The
 * `stripe` SDK reaches it unchanged through its `host`, `port` and `protocol` options.
 */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  // Read before listening: a data directory that cannot be loaded fails the start.
  const saved = options.dataDir === undefined ? undefined : openDataDir(options.dataDir);
  // The state needs the URL, known once listening; no request can arrive before that.
  const running: Running = {};
  const delivery = webhookDelivery(options, apiVersion, running);
  const idempotency = new IdempotencyKeys();
  const rateLimits = new RateLimiter(
    options.rateLimits === false ? undefined : (options.rateLimits ?? STRIPE_TEST_MODE_RATE_LIMITS),
  );
  const server = createServer(
    serve(running, { faults: new FaultInjector(), idempotency, rateLimits }, options.log),
  );
  const port = await listen(server, options.port);
  const url = `http://127.0.0.1:${port}`;
  // As at Stripe: a subscription that starts, changes or ends may change its customer's
  // active entitlements (then `entitlements.active_entitlement_summary.updated` follows);
  // a payment that succeeds leaves its charge, disputed if a dispute test card paid it.
  const state = new SandboxState(url, apiVersion, delivery, (...event) => {
    refreshAfterSubscriptionEvent(...event);
    afterPaymentEvent(...event);
  });
  if (options.dataDir !== undefined) {
    const parts = { state, idempotency };
    if (saved) restoreState(parts, saved);
    running.saver = new StateSaver(options.dataDir, parts, options.log);
  }
  running.state = state;
  return {
    url,
    port,
    apiVersion,
    state,
    dataDir: options.dataDir,
    restored: saved !== undefined,
    stop: stopper(server, state, running.saver),
  };
}
