import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * An AWS SDK retry strategy that sends a call again only when the service refused it for
 * throttling: then it is known not to have acted. A call that timed out, lost its
 * connection or got a 5xx may have acted (a publish that landed while its answer was
 * lost), and sending it again in the same invocation would act twice: the SNS client uses
 * it, so a publish whose outcome is unknown fails the delivery instead (a 500, and one
 * copy at most per delivery; contract section 5's repeat windows).
 *
 * Hand-written on the SDK's own interface (`RetryStrategyV2`): the SDK's standard strategy
 * retries every transient error and has no option to leave timeouts alone.
 */
export class ThrottlingOnlyRetryStrategy implements RetryStrategyV2 {
  constructor(
    private readonly maxAttempts: number,
    /** The longest pause before retry `n` (1-based); the pause is drawn below it (full jitter). */
    private readonly maxDelayMs: (retry: number) => number,
    private readonly random: () => number = Math.random,
  ) {}

  acquireInitialRetryToken(): Promise<RetryToken> {
    return Promise.resolve(token(0, 0));
  }

  refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = previous.getRetryCount() + 1;
    if (info.errorType !== 'THROTTLING' || retry >= this.maxAttempts) {
      // The SDK throws the call's own error when no token is given.
      return Promise.reject(new Error(`Not retried (${info.errorType}, attempt ${String(retry)})`));
    }
    return Promise.resolve(token(retry, Math.floor(this.random() * this.maxDelayMs(retry))));
  }

  recordSuccess(): void {
    // No retry quota to refill: each call's attempts are bounded by `maxAttempts` alone.
  }
}

const token = (retryCount: number, delayMs: number): RetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => delayMs,
});
