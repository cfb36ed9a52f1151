import Stripe from 'stripe';
import { isStripeRateLimit, retryRateLimited } from '../../../../lambda/adapters/stripe-rate-limit';
import { STRIPE_RATE_LIMIT_RETRIES } from '../../../../lambda/core/dependencies';

const rateLimit = (code = 'rate_limit') =>
  new Stripe.errors.StripeRateLimitError({
    type: 'invalid_request_error',
    code,
    message: 'Request rate limit exceeded.',
  });

/** A clock that sleeping moves, and the sleeps asked for. */
function fakeTime() {
  const time = { now: 0, sleeps: [] as number[] };
  return {
    time,
    options: {
      now: () => time.now,
      sleep: (ms: number) => {
        time.sleeps.push(ms);
        time.now += ms;
        return Promise.resolve();
      },
    },
  };
}

/** A request refused `refusals` times, then answered. */
function refusedThenAnswered(refusals: number, error: () => Error = () => rateLimit()) {
  const calls = { count: 0 };
  const request = () => {
    calls.count++;
    return calls.count <= refusals ? Promise.reject(error()) : Promise.resolve('answer');
  };
  return { calls, request };
}

describe('isStripeRateLimit', () => {
  it("is Stripe's 429 rate_limit, not a lock timeout (the SDK retries those) nor other errors", () => {
    expect(isStripeRateLimit(rateLimit())).toBe(true);
    expect(isStripeRateLimit(rateLimit('lock_timeout'))).toBe(false);
    expect(
      isStripeRateLimit(new Stripe.errors.StripeAPIError({ type: 'api_error', message: 'x' })),
    ).toBe(false);
    expect(isStripeRateLimit(new Error('rate_limit'))).toBe(false);
  });

  it('is told by shape: an error of another copy of the stripe SDK (tsx loads it twice) counts', () => {
    const otherCopy = (code: string) =>
      Object.assign(new Error('Request rate limit exceeded.'), {
        type: 'StripeRateLimitError',
        code,
      });
    expect(isStripeRateLimit(otherCopy('rate_limit'))).toBe(true);
    expect(isStripeRateLimit(otherCopy('lock_timeout'))).toBe(false);
  });
});

describe('retryRateLimited', () => {
  it('sends a rate-limited request again after a backoff, and answers what Stripe finally answers', async () => {
    const { time, options } = fakeTime();
    const { calls, request } = refusedThenAnswered(2);
    await expect(retryRateLimited(request, { ...options, random: () => 0.5 })).resolves.toBe(
      'answer',
    );
    expect(calls.count).toBe(3);
    // Full jitter of a doubling base: half of 200, then half of 400.
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('never sleeps longer than the cap, whatever the retry', async () => {
    const { time, options } = fakeTime();
    const { request } = refusedThenAnswered(6);
    await retryRateLimited(request, {
      ...options,
      random: () => 0.999,
      windowMs: 60_000,
    });
    expect(Math.max(...time.sleeps)).toBeLessThanOrEqual(STRIPE_RATE_LIMIT_RETRIES.maxDelayMs);
    expect(time.sleeps).toHaveLength(6);
  });

  it('gives up with the last refusal once a retry would start after the window', async () => {
    const { time, options } = fakeTime();
    const { calls, request } = refusedThenAnswered(1_000);
    const error = await retryRateLimited(request, { ...options, random: () => 0.999 }).catch(
      (e: unknown) => e,
    );
    expect(isStripeRateLimit(error)).toBe(true);
    expect(time.now).toBeLessThanOrEqual(STRIPE_RATE_LIMIT_RETRIES.windowMs);
    // 199 + 399 + 799 = 1,397 ms slept; the next (799 more) would pass 1,500 ms.
    expect(calls.count).toBe(4);
  });

  it('sends any other failure back at once, without a retry', async () => {
    const { time, options } = fakeTime();
    const failure = new Stripe.errors.StripeAPIError({ type: 'api_error', message: 'down' });
    const { calls, request } = refusedThenAnswered(1, () => failure);
    await expect(retryRateLimited(request, options)).rejects.toBe(failure);
    expect(calls.count).toBe(1);
    expect(time.sleeps).toEqual([]);
  });
});
