import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runWithClock } from './clock';
import { handleRequest } from './dispatch';
import { StripeApiError } from './errors';
import { FaultInjector } from './faults';
import { sendStripeError } from './http';
import { IdempotencyKeys } from './idempotency';
import {
  DEFAULT_API_VERSION,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type StripeSandboxOptions,
} from './options';
import { SandboxState } from './state';
import { WebhookDelivery } from './webhooks';

export interface StripeSandbox {
  /** `http://127.0.0.1:<port>`: the API base, and where the hosted pages live. */
  readonly url: string;
  readonly port: number;
  /** The API version it answers in (`options.apiVersion` or `DEFAULT_API_VERSION`). */
  readonly apiVersion: string;
  readonly state: SandboxState;
  stop(): Promise<void>;
}

/**
 * A stateful stand-in for the part of Stripe's API a Checkout integration uses. The
 * `stripe` SDK reaches it unchanged through its `host`, `port` and `protocol` options.
 */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const delivery = new WebhookDelivery({
    secret: options.webhookSecret,
    endpoints: options.webhookEndpoints ?? [],
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    apiVersion,
    ...(options.log ? { log: options.log } : {}),
  });
  const faults = new FaultInjector();
  const idempotency = new IdempotencyKeys();
  // The state needs the URL, known once listening; no request can arrive before that.
  const holder: { state?: SandboxState } = {};

  const server: Server = createServer((request, response) => {
    const current = holder.state;
    if (!current) throw new Error('sandbox not started');
    // Everything the request creates is stamped by this sandbox's clock.
    runWithClock(current.clock, () =>
      handleRequest(request, response, { state: current, faults, idempotency }),
    ).catch((error: unknown) => {
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
  const started = new SandboxState(url, apiVersion, delivery);
  holder.state = started;
  return {
    url,
    port,
    apiVersion,
    state: started,
    stop: () =>
      new Promise((resolve) => {
        started.delivery.reset();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
