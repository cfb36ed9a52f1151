/**
 * Full-jitter exponential backoff (the AWS Architecture Blog's "full jitter": a random wait
 * under a doubling cap), for failures that say "send it again later", such as Stripe's
 * rate limits. Free of any SDK, so the modules a cold start loads can use it.
 */
export interface BackoffOptions {
  /** The first retry's cap; each retry doubles it. */
  readonly baseDelayMs: number;
  /** No wait is longer. */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt. */
  readonly windowMs: number;
  /**
   * Epoch ms after which no retry's wait may end (a scheduled run's own deadline); read at
   * each retry, so a run can set it when it starts. None: the window alone.
   */
  readonly deadline?: () => number;
  /** [0, 1): the jitter (tests pass a fixed one). */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Runs `request`, sending it again after a failure `shouldRetry` accepts, as long as the
 * retry would start within the window and its wait end before the deadline; then the last
 * failure is thrown. Any other failure is thrown at once.
 */
export async function retryWithBackoff<T>(
  request: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  options: BackoffOptions,
): Promise<T> {
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? realSleep;
  const started = now();
  for (let retry = 0; ; retry++) {
    try {
      return await request();
    } catch (error) {
      if (!shouldRetry(error)) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
      const delay = Math.floor(random() * cap);
      const wakeAt = now() + delay;
      if (wakeAt - started > options.windowMs) throw error;
      if (options.deadline && wakeAt > options.deadline()) throw error;
      await sleep(delay);
    }
  }
}
