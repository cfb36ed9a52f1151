import { StripeApiError } from './errors';

/** Requests per second Stripe allows: over all the API, and per endpoint. */
export interface RateLimits {
  readonly global: number;
  readonly perEndpoint: number;
}

/**
 * Stripe's documented limits for a sandbox / test mode (docs.stripe.com/rate-limits): 25
 * requests a second over the whole API, and 25 a second to any one endpoint (one named
 * operation: `POST /v1/checkout/sessions`, `GET /v1/customers/:id` whatever the id). Live
 * mode allows 100 overall.
 */
export const STRIPE_TEST_MODE_RATE_LIMITS: RateLimits = { global: 25, perEndpoint: 25 };

/** Stripe's answer to a request over a limit: 429, and its body for it. */
export const rateLimited = (): StripeApiError =>
  new StripeApiError(
    429,
    'invalid_request_error',
    'Request rate limit exceeded. You can learn more about rate limits here https://docs.stripe.com/rate-limits.',
    'rate_limit',
    null,
    { doc_url: 'https://docs.stripe.com/error-codes/rate-limit' },
  );

/** A token bucket: `rate` tokens a second, at most `rate` saved up (a one-second burst). */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.at = now;
  }

  /** Refills for the time since the last look; true when a whole token is there. */
  ready(now: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1_000) * this.rate);
    this.at = now;
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }
}

/**
 * The sandbox's rate limiter, on by default as Stripe's own is (`RateLimits`; `undefined`
 * lifts them). A request over either limit is refused and spends nothing, so a client that
 * backs off gets through as soon as the second allows.
 */
export class RateLimiter {
  private global: Bucket | undefined;
  private readonly endpoints = new Map<string, Bucket>();

  constructor(
    // No default: `undefined` means lifted, and must not turn into the default limits.
    private limits: RateLimits | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The limits in force (undefined: lifted). */
  get current(): RateLimits | undefined {
    return this.limits;
  }

  /** Sets new limits (undefined lifts them); every bucket starts full again. */
  configure(limits: RateLimits | undefined): void {
    this.limits = limits;
    this.global = undefined;
    this.endpoints.clear();
  }

  /** Throws Stripe's 429 when `endpoint` (method and route) is over a limit; else counts it. */
  admit(endpoint: string): void {
    const limits = this.limits;
    if (limits === undefined) return;
    const now = this.now();
    this.global ??= new Bucket(limits.global, now);
    let perEndpoint = this.endpoints.get(endpoint);
    if (perEndpoint === undefined) {
      perEndpoint = new Bucket(limits.perEndpoint, now);
      this.endpoints.set(endpoint, perEndpoint);
    }
    const globalReady = this.global.ready(now);
    if (!perEndpoint.ready(now) || !globalReady) throw rateLimited();
    this.global.take();
    perEndpoint.take();
  }
}
