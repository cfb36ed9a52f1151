import type Stripe from 'stripe';
import { DEPENDENCY_BUDGETS } from '../core/dependencies';
import { STRIPE_API_VERSION } from '../shared/stripe-api-version';
import type { BackoffOptions } from '../core/backoff';
import { RateLimitBackoffHttpClient } from './stripe-rate-limit-http-client';

/** Where the stripe SDK connects: Stripe itself, or the local sandbox (host/port/protocol). */
export interface StripeConnection {
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** Per-request timeout; fault tests shorten it. */
  readonly timeoutMs?: number;
}

/**
 * One stripe client per secret key value: the key is read through the secrets cache on
 * every request (so a rotation takes effect), and a new client is built only when it
 * changes. The SDK module is loaded on first use: a function that needs Stripe only now
 * and then (the webhook, to settle an ordering tie) does not pay for it at cold start.
 */
export class StripeClientProvider {
  private cached: { key: string; client: Stripe } | undefined;

  constructor(
    private readonly secretKey: () => Promise<string>,
    private readonly connection: StripeConnection = {},
    /**
     * Set for the scheduled functions: Stripe's rate limits are waited out on every request
     * (`RateLimitBackoffHttpClient`). Unset, a 429 is the caller's (the API retries within
     * a request's budget).
     */
    private readonly rateLimitBackoff?: BackoffOptions,
  ) {}

  async client(): Promise<Stripe> {
    const key = await this.secretKey();
    const { host, port, protocol, timeoutMs } = this.connection;
    if (this.cached?.key !== key) {
      const { default: StripeSdk } = await import('stripe');
      this.cached = {
        key,
        client: new StripeSdk(key, {
          apiVersion: STRIPE_API_VERSION,
          ...(host !== undefined ? { host } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(protocol !== undefined ? { protocol } : {}),
          // One stalled call costs at most `worstCaseMs(DEPENDENCY_BUDGETS.stripe)`.
          maxNetworkRetries: DEPENDENCY_BUDGETS.stripe.maxAttempts - 1,
          timeout: timeoutMs ?? DEPENDENCY_BUDGETS.stripe.attemptTimeoutMs,
          ...(this.rateLimitBackoff
            ? {
                httpClient: new RateLimitBackoffHttpClient(
                  StripeSdk.createNodeHttpClient(),
                  this.rateLimitBackoff,
                ),
              }
            : {}),
        }),
      };
    }
    return this.cached.client;
  }
}

/**
 * Whether `error` is one the stripe SDK raised (an API answer or a connection failure).
 * Checked by shape, not `instanceof`: the SDK is loaded on first use, and where ESM and
 * CommonJS meet (tsx locally) that import may be another copy of the module than a static
 * one, whose classes `instanceof` would not recognise. Every SDK error names its class in
 * `type` (`StripeAPIError`, `StripeConnectionError`, ...).
 */
export function isStripeError(error: unknown): error is Stripe.errors.StripeError {
  if (!(error instanceof Error)) return false;
  const { type } = error as Error & { type?: unknown };
  return typeof type === 'string' && type.startsWith('Stripe');
}
