import { RateLimiter, STRIPE_TEST_MODE_RATE_LIMITS } from '../../src/http/rate-limits';
import { StripeApiError } from '../../src/http/errors';

/** A limiter on a clock the test moves. */
function limiter(limits = STRIPE_TEST_MODE_RATE_LIMITS) {
  const clock = { now: 0 };
  return { clock, limiter: new RateLimiter(limits, () => clock.now) };
}

/** How many of `count` requests to `endpoint` are let through, all at the same instant. */
function admitted(l: RateLimiter, endpoint: string, count: number): number {
  let through = 0;
  for (let i = 0; i < count; i++) {
    try {
      l.admit(endpoint);
      through++;
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
    }
  }
  return through;
}

describe("the sandbox's rate limiter (Stripe's test-mode limits)", () => {
  it("lets 25 requests to one endpoint through in a second, and answers the 26th with Stripe's 429", () => {
    const { limiter: l } = limiter();
    expect(admitted(l, 'POST /v1/checkout/sessions', 25)).toBe(25);
    let refused: unknown;
    try {
      l.admit('POST /v1/checkout/sessions');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StripeApiError);
    expect((refused as StripeApiError).status).toBe(429);
    expect((refused as StripeApiError).toBody('req_1')).toMatchObject({
      error: { type: 'invalid_request_error', code: 'rate_limit' },
    });
  });

  it('counts every endpoint against the global limit too', () => {
    const { limiter: l } = limiter({ global: 25, perEndpoint: 20 });
    expect(admitted(l, 'GET /v1/customers/:id', 30)).toBe(20);
    // 5 left globally, although this endpoint has its own 20.
    expect(admitted(l, 'GET /v1/prices', 30)).toBe(5);
  });

  it('refills as time passes, at the limit per second, never beyond one second of burst', () => {
    const { clock, limiter: l } = limiter();
    expect(admitted(l, 'GET /v1/prices', 25)).toBe(25);
    clock.now += 200;
    expect(admitted(l, 'GET /v1/prices', 25)).toBe(5);
    clock.now += 60_000;
    expect(admitted(l, 'GET /v1/prices', 100)).toBe(25);
  });

  it('spends nothing on a refused request: a client that backs off gets through', () => {
    const { clock, limiter: l } = limiter();
    expect(admitted(l, 'GET /v1/prices', 25)).toBe(25);
    expect(admitted(l, 'GET /v1/prices', 1_000)).toBe(0);
    clock.now += 40;
    expect(admitted(l, 'GET /v1/prices', 1)).toBe(1);
  });

  it('can be lifted and set again', () => {
    const { limiter: l } = limiter();
    l.configure(undefined);
    expect(l.current).toBeUndefined();
    expect(admitted(l, 'GET /v1/prices', 1_000)).toBe(1_000);
    l.configure({ global: 3, perEndpoint: 2 });
    expect(l.current).toEqual({ global: 3, perEndpoint: 2 });
    expect(admitted(l, 'GET /v1/prices', 10)).toBe(2);
  });
});
