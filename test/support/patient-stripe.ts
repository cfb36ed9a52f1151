import Stripe from 'stripe';
import { RateLimitBackoffHttpClient } from '../../lambda/adapters/stripe-rate-limit-http-client';

/**
 * The stripe SDK as a test's own setup and checks use it against a sandbox, which enforces
 * Stripe's test-mode rate limits as Stripe does: a request Stripe's limits refuse (429
 * `rate_limit`) is sent again after a short backoff (the service's scheduled functions'
 * own HTTP client, `RateLimitBackoffHttpClient`), as a patient client would; any other
 * failure shows at once (no network retries).
 */
export function patientStripe(port: number, key = 'sk_test_sandbox'): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port,
    protocol: 'http',
    maxNetworkRetries: 0,
    httpClient: new RateLimitBackoffHttpClient(Stripe.createNodeHttpClient(), {
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      windowMs: 20_000,
    }),
  });
}
