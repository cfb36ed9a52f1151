import type Stripe from 'stripe';
import { type BackoffOptions, retryWithBackoff } from '../core/backoff';

type MakeRequest = Stripe.HttpClient['makeRequest'];

/** Stripe's 429 for its rate limits, carrying the answer so the last one can be handed on. */
class RateLimitedAnswer extends Error {
  constructor(readonly response: Stripe.HttpClientResponse) {
    super("Refused by Stripe's rate limits (429 rate_limit)");
  }
}

/**
 * The stripe SDK's HTTP client for the scheduled functions: a request Stripe refused for
 * its rate limits is sent again after a full-jitter backoff (the options given: the
 * scheduled budget and the run's deadline); the last refusal goes to the SDK, which raises
 * it as its `StripeRateLimitError`.
 *
 * Why this is needed: stripe-node's own `maxNetworkRetries` retries a 429 only when Stripe
 * sends `Stripe-Should-Retry: true` (`RequestSender._shouldRetry` in stripe 23: connection
 * errors, 409, 5xx, or that header), which Stripe sends for a `lock_timeout`, not for a
 * `rate_limit` refusal (the sandbox sends none either): without this the SDK gives up on
 * the first 429. A 429 that does carry the header is left to the SDK, so nothing is
 * retried twice over.
 *
 * Why at this level rather than around each call, as the API's `call()` does:
 * reconciliation's listings are auto-paginated by the SDK, and a page refused in the middle
 * of a walk cannot be asked again from outside the SDK's iterator without starting the walk
 * over. Here every request of the run (a listing's next page, a thin event, a subscription,
 * entitlements), whichever adapter makes it, waits out the limit the same way.
 */
export class RateLimitBackoffHttpClient implements Stripe.HttpClient {
  constructor(
    private readonly inner: Stripe.HttpClient,
    private readonly options: BackoffOptions,
  ) {}

  getClientName(): string {
    return this.inner.getClientName();
  }

  async makeRequest(...request: Parameters<MakeRequest>): Promise<Stripe.HttpClientResponse> {
    try {
      return await retryWithBackoff(
        async () => {
          const answer = await inspect(await this.inner.makeRequest(...request));
          if (answer.rateLimited) throw new RateLimitedAnswer(answer.response);
          return answer.response;
        },
        (error) => error instanceof RateLimitedAnswer,
        this.options,
      );
    } catch (error) {
      if (error instanceof RateLimitedAnswer) return error.response;
      throw error;
    }
  }
}

/**
 * Whether the answer is Stripe's 429 `rate_limit` (its small body read to tell, then kept
 * for the SDK to read again); anything else is handed on unread.
 */
async function inspect(
  response: Stripe.HttpClientResponse,
): Promise<{ readonly response: Stripe.HttpClientResponse; readonly rateLimited: boolean }> {
  if (response.getStatusCode() !== 429 || response.getHeaders()['stripe-should-retry'] === 'true') {
    return { response, rateLimited: false };
  }
  let body: Promise<unknown>;
  let code: unknown;
  try {
    const parsed: unknown = await response.toJSON();
    body = Promise.resolve(parsed);
    code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
  } catch (error) {
    // An unreadable body is the SDK's to report, as it would without this client.
    body = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    body.catch(() => undefined);
    return { response: withBody(response, body), rateLimited: false };
  }
  return {
    response: withBody(response, body),
    rateLimited: code === undefined || code === 'rate_limit',
  };
}

/** The answer, its body already read. */
const withBody = (
  response: Stripe.HttpClientResponse,
  body: Promise<unknown>,
): Stripe.HttpClientResponse => ({
  getStatusCode: () => response.getStatusCode(),
  getHeaders: () => response.getHeaders(),
  getRawResponse: () => response.getRawResponse(),
  toStream: (done) => response.toStream(done),
  toJSON: () => body,
});
