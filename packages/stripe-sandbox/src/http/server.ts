import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refreshAfterSubscriptionEvent } from '../billing/entitlements';
import { runWithClock } from '../state/clock';
import { handleRequest } from './dispatch';
import { StripeApiError } from './errors';
import { FaultInjector } from './faults';
import { sendStripeError } from './messages';
import { IdempotencyKeys } from './idempotency';
import {
  DEFAULT_API_VERSION,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type StripeSandboxOptions,
} from './options';
import { openDataDir, restoreState, StateSaver } from '../state/persistence';
import { SandboxState } from '../state/state';
import { WebhookDelivery } from '../delivery/webhooks';

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

/**
 * A stateful stand-in for the part of Stripe's API a Checkout integration uses. The
 * `stripe` SDK reaches it unchanged through its `host`, `port` and `protocol` options.
 */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  // Read before listening: a data directory that cannot be loaded fails the start.
  const saved = options.dataDir === undefined ? undefined : openDataDir(options.dataDir);
  // The state needs the URL, known once listening; no request can arrive before that.
  const holder: { state?: SandboxState; saver?: StateSaver } = {};
  const delivery = new WebhookDelivery({
    secret: options.webhookSecret,
    endpoints: options.webhookEndpoints ?? [],
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    apiVersion,
    ...(options.log ? { log: options.log } : {}),
    ...(options.eventBridgeDelivery ? { eventBridgeDelivery: options.eventBridgeDelivery } : {}),
    onDelivered: () => holder.saver?.changed(),
  });
  const faults = new FaultInjector();
  const idempotency = new IdempotencyKeys();

  const server: Server = createServer((request, response) => {
    const current = holder.state;
    if (!current) throw new Error('sandbox not started');
    // Everything the request creates is stamped by this sandbox's clock.
    runWithClock(current.clock, () =>
      handleRequest(request, response, { state: current, faults, idempotency }),
    )
      .finally(() => {
        if (!READ_ONLY_METHODS.has(request.method ?? 'GET')) holder.saver?.changed();
      })
      .catch((error: unknown) => {
        options.log?.(
          `sandbox failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!response.headersSent)
          sendStripeError(
            response,
            new StripeApiError(500, 'api_error', 'Sandbox failure.'),
            'req_sandbox',
          );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // As at Stripe: a subscription that starts, changes or ends may change its customer's
  // active entitlements (then `entitlements.active_entitlement_summary.updated` follows).
  const started = new SandboxState(url, apiVersion, delivery, refreshAfterSubscriptionEvent);
  if (options.dataDir !== undefined) {
    const parts = { state: started, idempotency };
    if (saved) restoreState(parts, saved);
    holder.saver = new StateSaver(options.dataDir, parts, options.log);
  }
  holder.state = started;
  const saver = holder.saver;
  return {
    url,
    port,
    apiVersion,
    state: started,
    dataDir: options.dataDir,
    restored: saved !== undefined,
    stop: async () => {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeAllConnections();
      // Saved (for the last time) before the deliveries are reset, which forgets the
      // endpoints and outcomes: a request still finishing cannot save that reset state.
      const saving = saver?.close();
      started.delivery.reset();
      await closed;
      await saving;
    },
  };
}
