import { retryWithBackoff } from '../../../../lambda/core/backoff';
import { SCHEDULED_STRIPE_RATE_LIMIT_RETRIES } from '../../../../lambda/core/dependencies';

class Refused extends Error {}

/** A clock that sleeping moves, the sleeps asked for, and a request refused `refusals` times. */
function setup(refusals: number) {
  const time = { now: 1_000_000, sleeps: [] as number[] };
  const calls = { count: 0 };
  const request = () => {
    calls.count++;
    return calls.count <= refusals ? Promise.reject(new Refused()) : Promise.resolve('answer');
  };
  const clock = {
    now: () => time.now,
    sleep: (ms: number) => {
      time.sleeps.push(ms);
      time.now += ms;
      return Promise.resolve();
    },
  };
  return { time, calls, request, clock };
}

const isRefused = (error: unknown) => error instanceof Refused;

describe('retryWithBackoff (the scheduled functions’ budget)', () => {
  it('waits full-jitter under a doubling cap, up to the longest wait, and answers once allowed', async () => {
    const t = setup(6);
    await expect(
      retryWithBackoff(t.request, isRefused, {
        ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
        ...t.clock,
        random: () => 0.5,
      }),
    ).resolves.toBe('answer');
    // Half of 500, 1,000, 2,000, 4,000, then of the 8,000 cap.
    expect(t.time.sleeps).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000]);
  });

  it('gives up with the last refusal once a retry would start after the window', async () => {
    const t = setup(Infinity);
    const error = await retryWithBackoff(t.request, isRefused, {
      ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
      ...t.clock,
      random: () => 0.999,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Refused);
    const slept = t.time.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(slept).toBeLessThanOrEqual(SCHEDULED_STRIPE_RATE_LIMIT_RETRIES.windowMs);
    // 499 + 999 + 1,998 + 3,996 + 7,992 + 7,992 = 23,476 ms; 7,992 more would pass 30 s.
    expect(t.time.sleeps).toHaveLength(6);
  });

  it('never waits past the deadline, read at each retry (a run sets it as it starts)', async () => {
    const t = setup(Infinity);
    let deadline = t.time.now + 1_000;
    const options = {
      ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
      ...t.clock,
      random: () => 0.999,
      deadline: () => deadline,
    };
    await expect(retryWithBackoff(t.request, isRefused, options)).rejects.toBeInstanceOf(Refused);
    // 499 ends before it, 999 more would not.
    expect(t.time.sleeps).toEqual([499]);

    deadline = t.time.now + 10_000;
    t.time.sleeps.length = 0;
    await expect(retryWithBackoff(t.request, isRefused, options)).rejects.toBeInstanceOf(Refused);
    expect(t.time.sleeps).toEqual([499, 999, 1_998, 3_996]);
  });

  it('sends any other failure back at once', async () => {
    const t = setup(0);
    const other = new Error('down');
    await expect(
      retryWithBackoff(() => Promise.reject(other), isRefused, {
        ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
        ...t.clock,
      }),
    ).rejects.toBe(other);
    expect(t.time.sleeps).toEqual([]);
  });
});
