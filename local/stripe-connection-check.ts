import Stripe from 'stripe';
import { isStripeError } from '../lambda/adapters/stripe-client-provider';
import { STRIPE_API_VERSION } from '../lambda/shared/stripe-api-version';

/**
 * `npm start` with a key other than the sandbox's talks to real Stripe. Offline, or with a
 * mistyped key, nothing would say so until the first checkout failed with a 502; this check
 * asks Stripe once before anything starts, so the failure is a sentence at start instead.
 */

/** How long the check waits for Stripe: its p99 is about a second, 10 s is a dead link. */
const STRIPE_CHECK_TIMEOUT_MS = 10_000;

export interface StripeConnectionCheckOptions {
  /** Where Stripe is: api.stripe.com over https unless a test points it elsewhere. */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  readonly timeoutMs?: number;
}

export type StripeConnectionFailureKind =
  /** No connection: DNS failed, the connection was refused or reset. */
  | 'unreachable'
  /** Connected, but no answer within the timeout. */
  | 'timeout'
  /** Stripe answered 401: the key is not one Stripe knows. */
  | 'key-rejected'
  /** Stripe answered something else (403 for a restricted key without access, 429, 5xx). */
  | 'other';

export type StripeConnectionCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly kind: StripeConnectionFailureKind;
      /** What the SDK said (Stripe masks the key in its own messages). */
      readonly detail: string;
    };

/**
 * Asks Stripe for one customer with `key`, through the real `stripe` SDK and the service's
 * pinned API version. A customer list is what a key needs for checkout anyway (a restricted
 * key without balance access is still a good key for this service), and it changes nothing.
 * No retries: one attempt answers the question, and a retry would double the wait offline.
 */
export async function checkStripeConnection(
  key: string,
  options: StripeConnectionCheckOptions = {},
): Promise<StripeConnectionCheck> {
  const timeoutMs = options.timeoutMs ?? STRIPE_CHECK_TIMEOUT_MS;
  const stripe = new Stripe(key, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
  });
  try {
    await stripe.customers.list({ limit: 1 });
    return { ok: true };
  } catch (error) {
    return classify(error);
  }
}

function classify(error: unknown): StripeConnectionCheck & { ok: false } {
  const detail = error instanceof Error ? error.message : String(error);
  if (!isStripeError(error)) return { ok: false, kind: 'other', detail };
  if (error.type === 'StripeConnectionError') {
    // The SDK marks its own timeout with this code on the underlying error.
    const code = (error.detail as { code?: unknown } | undefined)?.code;
    const cause = describeCause(error.detail);
    return code === 'ETIMEDOUT'
      ? { ok: false, kind: 'timeout', detail }
      : { ok: false, kind: 'unreachable', detail: cause ?? detail };
  }
  if (error.statusCode === 401) return { ok: false, kind: 'key-rejected', detail };
  const status = error.statusCode !== undefined ? `${String(error.statusCode)} ` : '';
  return { ok: false, kind: 'other', detail: `${status}${error.type}: ${detail}` };
}

/**
 * The network error under a connection error ("getaddrinfo ENOTFOUND api.stripe.com"). By
 * shape: it comes from Node's own realm, where `instanceof Error` of another (a test's) fails.
 */
function describeCause(cause: unknown): string | undefined {
  const message = (cause as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** Where the check went, for messages: `api.stripe.com` unless overridden. */
const stripeApiHost = (options: StripeConnectionCheckOptions = {}): string =>
  options.host === undefined
    ? 'api.stripe.com'
    : `${options.host}${options.port !== undefined ? `:${String(options.port)}` : ''}`;

/**
 * What `npm start` prints when the check fails: what happened, why real Stripe was used at
 * all, and the way back to the sandbox. `keyVariable` is the variable the key came from.
 */
export function connectionFailureMessage(
  failure: StripeConnectionCheck & { ok: false },
  keyVariable: string,
  options: StripeConnectionCheckOptions = {},
): string {
  const host = stripeApiHost(options);
  const seconds = (options.timeoutMs ?? STRIPE_CHECK_TIMEOUT_MS) / 1000;
  const what: Record<StripeConnectionFailureKind, string> = {
    unreachable: `Cannot reach Stripe at ${host}: ${failure.detail}`,
    timeout: `Stripe at ${host} did not answer within ${String(seconds)} s.`,
    'key-rejected':
      `Stripe rejected ${keyVariable} (401): ${failure.detail}\n` +
      'Check the key under Developers > API keys in the Stripe Dashboard, in test mode.',
    other: `Stripe at ${host} refused the check: ${failure.detail}`,
  };
  return [
    what[failure.kind],
    '',
    `${keyVariable} is set to a key other than the sandbox's, so npm start uses real Stripe ` +
      `test mode (${host}), which needs a working test key and internet access.`,
    `To use the local Stripe sandbox instead (offline, no Stripe account), unset it: ` +
      `unset ${keyVariable}; npm start`,
  ].join('\n');
}
