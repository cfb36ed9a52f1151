import type Stripe from 'stripe';
import { RateLimitBackoffHttpClient } from '../../../../lambda/adapters/stripe-rate-limit-http-client';
import { SCHEDULED_STRIPE_RATE_LIMIT_RETRIES } from '../../../../lambda/core/dependencies';

/** One answer of the fake HTTP client: a status, headers, and a JSON body. */
interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

const rateLimited = (code = 'rate_limit'): Answer => ({
  status: 429,
  body: { error: { type: 'invalid_request_error', code, message: 'Request rate limit exceeded.' } },
});
const ok: Answer = { status: 200, body: { id: 'evt_1' } };

/** An HTTP client that answers from a script (records and returns), counting body reads. */
class ScriptedHttpClient implements Stripe.HttpClient {
  readonly requests: string[] = [];
  bodyReads = 0;
  constructor(private readonly script: Answer[]) {}

  getClientName(): string {
    return 'scripted';
  }

  makeRequest(_host: string, _port: string, path: string): Promise<Stripe.HttpClientResponse> {
    this.requests.push(path);
    const answer = this.script.shift() ?? ok;
    return Promise.resolve({
      getStatusCode: () => answer.status,
      getHeaders: () => answer.headers ?? {},
      getRawResponse: () => answer,
      toStream: () => undefined,
      toJSON: () => {
        this.bodyReads++;
        return Promise.resolve(answer.body);
      },
    });
  }
}

function setup(script: Answer[], deadline = Number.POSITIVE_INFINITY) {
  const inner = new ScriptedHttpClient(script);
  const time = { now: 0, sleeps: [] as number[] };
  const client = new RateLimitBackoffHttpClient(inner, {
    ...SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
    random: () => 0.5,
    now: () => time.now,
    sleep: (ms) => {
      time.sleeps.push(ms);
      time.now += ms;
      return Promise.resolve();
    },
    deadline: () => deadline,
  });
  const send = () =>
    client.makeRequest('api.stripe.com', '443', '/v1/events', 'GET', {}, '', 'https', 1000);
  return { inner, time, send };
}

describe('RateLimitBackoffHttpClient', () => {
  it("sends a request Stripe's rate limits refused again after a backoff, and hands on the answer", async () => {
    const t = setup([rateLimited(), rateLimited()]);
    const answer = await t.send();
    expect(answer.getStatusCode()).toBe(200);
    expect(await answer.toJSON()).toEqual({ id: 'evt_1' });
    expect(t.inner.requests).toEqual(['/v1/events', '/v1/events', '/v1/events']);
    expect(t.time.sleeps).toEqual([250, 500]);
  });

  it('hands on the last refusal, its body still readable, once the budget is spent (the SDK raises it)', async () => {
    const t = setup(Array.from({ length: 50 }, () => rateLimited()));
    const answer = await t.send();
    expect(answer.getStatusCode()).toBe(429);
    expect(await answer.toJSON()).toEqual(rateLimited().body);
    expect(t.time.now).toBeLessThanOrEqual(SCHEDULED_STRIPE_RATE_LIMIT_RETRIES.windowMs);
    expect(t.inner.requests.length).toBeGreaterThan(3);
  });

  it('stops at the run’s deadline', async () => {
    const t = setup([rateLimited(), rateLimited(), rateLimited()], 600);
    expect((await t.send()).getStatusCode()).toBe(429);
    // 250 ends before 600; 500 more would not.
    expect(t.time.sleeps).toEqual([250]);
  });

  it.each([
    [
      'a 429 Stripe marks Stripe-Should-Retry (the SDK retries it itself)',
      { ...rateLimited('lock_timeout'), headers: { 'stripe-should-retry': 'true' } },
    ],
    ['a 429 lock_timeout', rateLimited('lock_timeout')],
    ['a 500', { status: 500, body: { error: { type: 'api_error' } } }],
    ['a 400', { status: 400, body: { error: { type: 'invalid_request_error' } } }],
  ] as const)('hands on %s at once, unchanged', async (_, answer: Answer) => {
    const t = setup([answer]);
    const handed = await t.send();
    expect(handed.getStatusCode()).toBe(answer.status);
    expect(await handed.toJSON()).toEqual(answer.body);
    expect(t.inner.requests).toHaveLength(1);
    expect(t.time.sleeps).toEqual([]);
  });

  it('reads no body but a 429’s', async () => {
    const t = setup([]);
    await t.send();
    expect(t.inner.bodyReads).toBe(0);
  });
});
