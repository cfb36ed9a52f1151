import Stripe from 'stripe';
import { sandboxClient, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ rateLimits: true });

afterEach(async () => {
  // Back to Stripe's defaults for the next test.
  await control('POST', { enabled: 'true' });
});

async function control(method: 'GET' | 'POST', body?: Record<string, string>): Promise<unknown> {
  const response = await fetch(`${h.sandbox.url}/_sandbox/rate-limits`, {
    method,
    ...(body
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  expect(response.status).toBe(200);
  return response.json();
}

/**
 * `count` lists at once through the SDK (no retries): how many got 429, and one of the
 * errors. The bounds the tests draw hold however slowly a loaded machine sends them: a
 * bucket refills at its limit per second, so only a burst that takes seconds could slip by.
 */
async function burst(
  stripe: Stripe,
  count = 40,
): Promise<{ limited: number; error?: Stripe.errors.StripeError }> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => stripe.prices.list({ limit: 1 })),
  );
  const errors = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason as Stripe.errors.StripeError] : [],
  );
  return { limited: errors.filter((e) => e.statusCode === 429).length, error: errors[0] };
}

describe("Stripe's test-mode rate limits, on by default", () => {
  it('answers a burst over 25 a second with 429s that stripe-node reads as StripeRateLimitError', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a full bucket
    const { limited, error } = await burst(sandboxClient(h.sandbox), 100);
    expect(limited).toBeGreaterThan(0);
    // A full bucket holds 25: those 25 at least went through.
    expect(limited).toBeLessThanOrEqual(75);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error?.code).toBe('rate_limit');
    expect(error?.requestId).toMatch(/^req_/);
    // The request log shows them, as Stripe's dashboard would.
    const log = h.sandbox.state.requests.filter((r) => r.status === 429);
    expect(log.length).toBeGreaterThanOrEqual(limited);
  });

  it('reports the limits in force, and lifts or sets them by control', async () => {
    expect(await control('GET')).toEqual({ rate_limits: { global: 25, per_endpoint: 25 } });
    expect(await control('POST', { enabled: 'false' })).toEqual({ rate_limits: null });
    expect((await burst(sandboxClient(h.sandbox))).limited).toBe(0);
    expect(await control('POST', { global: '100', per_endpoint: '1' })).toEqual({
      rate_limits: { global: 100, per_endpoint: 1 },
    });
    expect((await burst(sandboxClient(h.sandbox))).limited).toBeGreaterThanOrEqual(20);
  });

  it('refuses a limit that is not a positive integer, and keeps the one in force', async () => {
    const response = await fetch(`${h.sandbox.url}/_sandbox/rate-limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ global: '0' }),
    });
    expect(response.status).toBe(400);
    expect(await control('GET')).toEqual({ rate_limits: { global: 25, per_endpoint: 25 } });
  });
});

describe('the rateLimits: false option', () => {
  const lifted = useHarness();

  it('starts the sandbox with the limits lifted: a burst goes through whole', async () => {
    const response = await fetch(`${lifted.sandbox.url}/_sandbox/rate-limits`);
    expect(await response.json()).toEqual({ rate_limits: null });
    expect((await burst(sandboxClient(lifted.sandbox), 100)).limited).toBe(0);
  });
});
