import { type BackoffOptions, retryWithBackoff } from '../core/backoff';
import { STRIPE_RATE_LIMIT_RETRIES } from '../core/dependencies';
import { isStripeError } from './stripe-client-provider';

/**
 * Stripe refused the request for its rate limits (429 `rate_limit`): nothing was done, so
 * it can be sent again. A 429 `lock_timeout` (an object busy at Stripe) is not this: Stripe
 * marks it `Stripe-Should-Retry` and stripe-node retries it itself. Told by shape, as
 * `isStripeError` says why: under tsx (`npm start`, the benchmarks) the client's SDK, loaded
 * on first use, is another copy of the module than a static import's, and `instanceof`
 * failed, so the local stack answered Stripe's rate limits with 502s.
 */
export function isStripeRateLimit(error: unknown): boolean {
  return (
    isStripeError(error) &&
    error.type === 'StripeRateLimitError' &&
    (error.code === undefined || error.code === 'rate_limit')
  );
}

/** A request's backoff: `STRIPE_RATE_LIMIT_RETRIES` unless given. */
export type RateLimitRetryOptions = Partial<BackoffOptions>;

/**
 * Runs `request`, sending it again after a rate-limit refusal with full-jitter
 * exponential backoff (`STRIPE_RATE_LIMIT_RETRIES`), as long as the retry would start
 * within the window; then the last refusal is thrown. Any other failure is thrown at once.
 */
export const retryRateLimited = <T>(
  request: () => Promise<T>,
  options: RateLimitRetryOptions = {},
): Promise<T> =>
  retryWithBackoff(request, isStripeRateLimit, { ...STRIPE_RATE_LIMIT_RETRIES, ...options });
