import { STRIPE_API_VERSION } from '../../lambda/shared/stripe-api-version';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'qs';
import { completeCheckoutSession } from './checkout-api';
import { cancelSubscription } from './billing-api';
import { runWithClock } from './clock';
import { handleControl } from './controls';
import { StripeApiError } from './errors';
import { FaultInjector } from './faults';
import { IdempotencyKeys } from './idempotency';
import { checkoutPage, portalPage, successRedirect } from './pages';
import { matchApiRoute } from './routes';
import { SandboxState } from './state';
import type { StripeObject } from './fixtures';
import type { PaymentOutcome } from './billing-objects';
import { WebhookDelivery } from './webhooks';
import { stripeId } from './ids';

/** The API version the installed `stripe` package pins; objects have its shapes. */
export const SANDBOX_API_VERSION: string = STRIPE_API_VERSION;

const MAX_BODY_BYTES = 1024 * 1024;

export interface StripeSandboxOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The signing secret of the `webhookEndpoints` (each API-created endpoint has its own). */
  readonly webhookSecret: string;
  /** The default endpoints: listed by `/v1/webhook_endpoints` like any other, `*` events. */
  readonly webhookEndpoints?: string[];
  /** Delays before each delivery retry; short by default so local flows settle fast. */
  readonly retryDelaysMs?: readonly number[];
  readonly deliveryTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export const DEFAULT_RETRY_DELAYS_MS = [250, 1_000, 4_000, 15_000];

export interface StripeSandbox {
  /** `http://127.0.0.1:<port>`: the API base, and where the hosted pages live. */
  readonly url: string;
  readonly port: number;
  readonly state: SandboxState;
  stop(): Promise<void>;
}

/**
 * A stateful stand-in for the part of Stripe's API the service uses. The `stripe` SDK
 * reaches it unchanged through its `host`, `port` and `protocol` options.
 */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const delivery = new WebhookDelivery({
    secret: options.webhookSecret,
    endpoints: options.webhookEndpoints ?? [],
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    apiVersion: SANDBOX_API_VERSION,
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
      handle(request, response, { state: current, faults, idempotency }),
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
  const started = new SandboxState(url, SANDBOX_API_VERSION, delivery);
  holder.state = started;
  return {
    url,
    port,
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

interface Context {
  readonly state: SandboxState;
  readonly faults: FaultInjector;
  readonly idempotency: IdempotencyKeys;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new StripeApiError(413, 'invalid_request_error', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text === '') return {};
  if (contentType?.includes('application/json')) {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  return parseForm(text, { depth: 10, arrayLimit: 100, parameterLimit: 1000 });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  context: Context,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sandbox');
  const method = request.method ?? 'GET';
  const path = url.pathname;
  if (path.startsWith('/v1/')) {
    await handleApi(request, response, context, method, url);
    return;
  }
  const body = parseBody(await readBody(request), request.headers['content-type']);
  if (path.startsWith('/_sandbox/')) {
    await handleControlRequest(response, context, method, url, body);
  } else if (path.startsWith('/checkout/')) {
    handleCheckoutPage(response, context.state, method, path);
  } else if (path.startsWith('/portal/')) {
    handlePortalPage(response, context.state, method, path, body);
  } else {
    sendJson(response, 404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}).`,
      },
    });
  }
}

async function handleControlRequest(
  response: ServerResponse,
  context: Context,
  method: string,
  url: URL,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    const result = await handleControl(context, method, url.pathname, url.searchParams, body);
    if (result) sendJson(response, result.status, result.body);
    else {
      sendJson(response, 404, {
        error: {
          type: 'invalid_request_error',
          message: `No sandbox control ${method} ${url.pathname}`,
        },
      });
    }
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendStripeError(response, error, 'req_control');
  }
}

async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  context: Context,
  method: string,
  url: URL,
): Promise<void> {
  const requestId = stripeId('req', 14);
  const keyHeader = request.headers['idempotency-key'];
  const key =
    method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null;
  const answer = (status: number, body: string, replayed = false) => {
    context.state.recordRequest({
      method,
      path: url.pathname,
      status,
      idempotencyKey: key,
      replayed,
    });
    sendRaw(response, status, body);
  };
  const version = request.headers['stripe-version'];
  response.setHeader('request-id', requestId);
  response.setHeader('stripe-version', typeof version === 'string' ? version : SANDBOX_API_VERSION);
  try {
    authenticate(request);
    const text = await readBody(request);
    const raw =
      method === 'POST'
        ? parseBody(text, request.headers['content-type'])
        : parseForm(url.search.slice(1), { depth: 10 });
    const match = matchApiRoute(method, url.pathname);
    if (!match) {
      throw new StripeApiError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );
    }
    const fault = context.faults.take(url.pathname);
    if (fault) {
      // Unref'd: a delayed answer must not keep a stopped sandbox's process alive.
      if (fault.delayMs > 0)
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      if (fault.error) throw fault.error;
    }

    const fingerprint = IdempotencyKeys.fingerprint(method, url.pathname, raw);
    if (key) {
      IdempotencyKeys.assertValid(key);
      response.setHeader('idempotency-key', key);
      const replay = context.idempotency.replay(key, fingerprint);
      if (replay) {
        response.setHeader('idempotent-replayed', 'true');
        answer(replay.status, replay.body, true);
        return;
      }
    }
    let body: string;
    try {
      body = JSON.stringify(
        match.handler({
          state: context.state,
          raw,
          pathParams: match.pathParams,
          origin: { id: requestId, idempotencyKey: key },
        }),
        null,
        2,
      );
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      const errorBody = JSON.stringify(error.toBody(requestId), null, 2);
      // Stripe saves a result only once the endpoint started executing, not validation errors.
      if (key && error.status >= 500)
        context.idempotency.record(key, fingerprint, error.status, errorBody);
      answer(error.status, errorBody);
      return;
    }
    if (key) context.idempotency.record(key, fingerprint, 200, body);
    answer(200, body);
  } catch (error) {
    if (error instanceof StripeApiError) {
      answer(error.status, JSON.stringify(error.toBody(requestId), null, 2));
      return;
    }
    throw error;
  }
}

/** `Authorization: Bearer sk_test_...` (or Basic with the key as user name), as Stripe accepts. */
function authenticate(request: IncomingMessage): void {
  const header = request.headers.authorization ?? '';
  let key = '';
  if (/^Bearer /i.test(header)) key = header.slice(7).trim();
  else if (/^Basic /i.test(header))
    key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const shown =
      key === ''
        ? 'You did not provide an API key.'
        : `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`;
    throw new StripeApiError(
      401,
      'invalid_request_error',
      shown,
      key === '' ? null : 'api_key_invalid',
    );
  }
}

const PAGE_OUTCOMES: Readonly<Partial<Record<string, PaymentOutcome>>> = {
  pay: 'succeeded',
  decline: 'failed',
  'requires-action': 'requires_action',
};

/** The hosted checkout page: GET shows it, POST /pay|/decline|/requires-action completes. */
function handleCheckoutPage(
  response: ServerResponse,
  state: SandboxState,
  method: string,
  path: string,
): void {
  const [, , id, action] = path.split('/');
  const session = id ? state.store.get('checkout.session', id) : undefined;
  if (!session) {
    sendHtml(response, 404, '<h1>No such checkout session</h1>');
  } else if (method === 'GET' && action === undefined) {
    sendHtml(response, 200, checkoutPage(state, session));
  } else {
    const outcome = action === undefined ? undefined : PAGE_OUTCOMES[action];
    if (method !== 'POST' || !outcome) sendHtml(response, 404, '<h1>Not found</h1>');
    else payOnPage(response, state, session, outcome);
  }
}

function payOnPage(
  response: ServerResponse,
  state: SandboxState,
  session: StripeObject,
  outcome: PaymentOutcome,
): void {
  try {
    completeCheckoutSession(state, session.id as string, outcome);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendHtml(response, 409, checkoutPage(state, session, error.message));
    return;
  }
  const target = outcome === 'succeeded' ? successRedirect(session) : null;
  if (target !== null) {
    redirect(response, target);
    return;
  }
  const notices: Record<PaymentOutcome, string> = {
    succeeded: 'Payment succeeded.',
    failed: 'Your card was declined. Try another card.',
    requires_action: 'Your bank requires authentication (3-D Secure) to complete this payment.',
  };
  sendHtml(
    response,
    outcome === 'succeeded' ? 200 : 402,
    checkoutPage(state, session, notices[outcome]),
  );
}

/** The portal page: GET lists subscriptions, POST .../subscriptions/:id/cancel cancels one. */
function handlePortalPage(
  response: ServerResponse,
  state: SandboxState,
  method: string,
  path: string,
  body: Record<string, unknown>,
): void {
  const [, , id, section, subscriptionId, action] = path.split('/');
  const portal = id ? state.store.get('billing_portal.session', id) : undefined;
  const sub = subscriptionId ? state.store.get('subscription', subscriptionId) : undefined;
  if (!portal) {
    sendHtml(response, 404, '<h1>No such portal session</h1>');
  } else if (method === 'GET' && section === undefined) {
    sendHtml(response, 200, portalPage(state, portal));
  } else if (
    method === 'POST' &&
    section === 'subscriptions' &&
    action === 'cancel' &&
    sub !== undefined &&
    sub.customer === portal.customer
  ) {
    cancelSubscription(state, sub.id as string, {
      atPeriodEnd: body.when === 'period_end',
      reason: 'cancellation_requested',
    });
    redirect(response, `/portal/${portal.id as string}`);
  } else {
    sendHtml(response, 404, '<h1>Not found</h1>');
  }
}

function sendRaw(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendRaw(response, status, JSON.stringify(body, null, 2));
}

function sendStripeError(response: ServerResponse, error: StripeApiError, requestId: string): void {
  sendJson(response, error.status, error.toBody(requestId));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  response.end(html);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'content-length': 0 });
  response.end();
}
