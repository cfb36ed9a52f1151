import { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../../../lambda/api/api-handler';
import { JwtAuthenticator } from '../../../../lambda/core/auth';
import type { CatalogPrice } from '../../../../lambda/domain/catalog';
import { METRICS } from '../../../../lambda/domain/metrics';
import { RedirectPolicy } from '../../../../lambda/domain/redirect-policy';
import { ROUTES, type RouteDefinition } from '../../../../lambda/shared/routes';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { RecordingMetrics } from '../../../support/emf-capture';
import { FakeStripe, InMemoryCustomers } from '../../../support/fake-billing';
import { InMemoryCatalog, InMemoryCatalogSync } from '../../../support/fake-catalog';
import { InMemoryCatalogSnapshot } from '../../../support/fake-catalog-snapshot';
import { FakeRequestLimiter } from '../../../support/fake-request-limiter';
import { signAccessToken } from '../../../support/tokens';

/**
 * The per-user request limit in the API handler, over fakes: which requests are counted
 * (every authenticated route, after the token, before the route), what a refused one is
 * answered, and that a refused one reaches no use case.
 */
const SECRET = 'api-limit-secret-0123456789';
const ORIGIN = 'https://app.example.com';
const price: CatalogPrice = {
  priceId: 'monthly',
  productId: 'course',
  unitAmount: 1500,
  currency: 'usd',
  type: 'recurring',
  interval: 'month',
  intervalCount: 1,
  active: true,
};

function api() {
  const limiter = new FakeRequestLimiter();
  const metrics = new RecordingMetrics();
  const stripe = new FakeStripe();
  const customers = new InMemoryCustomers();
  const catalogSync = new InMemoryCatalogSync();
  const handler = createApiHandler({
    logger: new Logger({ logLevel: 'SILENT' }),
    authenticator: new JwtAuthenticator(() => Promise.resolve(SECRET)),
    catalog: new InMemoryCatalog(
      [{ productId: 'course', name: 'Course', active: true }],
      [{ ...price }],
    ),
    catalogSync,
    priceListing: new InMemoryCatalogSnapshot(),
    customers,
    stripe,
    redirects: new RedirectPolicy([ORIGIN]),
    now: () => new Date('2026-11-23T10:00:00Z'),
    metrics,
    requestLimiter: limiter,
  });
  const call = async (
    route: RouteDefinition,
    options: { userId?: string; token?: string; body?: unknown; path?: string } = {},
  ) => {
    const token =
      options.token ??
      (options.userId === undefined
        ? undefined
        : await signAccessToken({ secret: SECRET, subject: options.userId }));
    return handler(
      apiEvent(route, {
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          'content-type': 'application/json',
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.path === undefined ? {} : { pathParameters: { id: options.path } }),
      }),
      lambdaContext(),
    );
  };
  const checkout = (userId: string) =>
    call(ROUTES.createCheckoutSession, {
      userId,
      body: { priceId: 'monthly', successUrl: `${ORIGIN}/ok`, cancelUrl: `${ORIGIN}/` },
    });
  return { limiter, metrics, stripe, customers, catalogSync, call, checkout };
}

const errorOf = (response: { body: string }) =>
  (JSON.parse(response.body) as { error: { code: string; message: string } }).error;

describe('the per-user request limit in the API', () => {
  it('counts an authenticated request for the user of its token, then runs the route', async () => {
    const { limiter, stripe, checkout } = api();
    expect((await checkout('user-1')).statusCode).toBe(200);
    expect(limiter.users).toEqual(['user-1']);
    expect(stripe.checkoutSessions).toHaveLength(1);
  });

  it('answers a request over the limit 429 rate_limited with Retry-After, and runs nothing', async () => {
    const { limiter, metrics, stripe, customers, catalogSync, checkout } = api();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 42 };
    const response = await checkout('user-1');
    expect(response.statusCode).toBe(429);
    expect(response.headers['Retry-After']).toBe('42');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(errorOf(response)).toEqual({
      code: 'rate_limited',
      message: 'Too many requests for this user; try again in 42 seconds.',
    });
    // Nothing was read from or written to Stripe or the tables.
    expect([stripe.log, stripe.checkoutSessions, [...customers.rows.keys()]]).toEqual([[], [], []]);
    expect(catalogSync.rows.size).toBe(0);
    expect(metrics.totals()).toEqual({ [METRICS.userRateLimited]: 1 });
  });

  it.each([
    ['the portal', ROUTES.createPortalSession, { returnUrl: `${ORIGIN}/` }, undefined],
    ['session status', ROUTES.getCheckoutSession, undefined, 'cs_test_1'],
  ])('limits %s too', async (_name, route, body, path) => {
    const { limiter, stripe, call } = api();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 5 };
    const response = await call(route, {
      userId: 'user-2',
      ...(body ? { body } : {}),
      ...(path ? { path } : {}),
    });
    expect([response.statusCode, errorOf(response).code]).toEqual([429, 'rate_limited']);
    expect(limiter.users).toEqual(['user-2']);
    expect(stripe.log).toEqual([]);
  });

  it('counts a request with a bad body too: the limit comes before the route reads anything', async () => {
    const { limiter, call } = api();
    const response = await call(ROUTES.createCheckoutSession, { userId: 'user-3', body: {} });
    expect(response.statusCode).toBe(400);
    expect(limiter.users).toEqual(['user-3']);
  });

  it('counts nothing for a request whose token is refused: no user to count it for', async () => {
    const { limiter, call } = api();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 5 };
    const missing = await call(ROUTES.createCheckoutSession, { body: {} });
    const forged = await call(ROUTES.createCheckoutSession, {
      token: await signAccessToken({ secret: 'another-secret', subject: 'user-1' }),
      body: {},
    });
    expect([missing.statusCode, forged.statusCode]).toEqual([401, 401]);
    expect(limiter.calls).toEqual([]);
  });

  it('never counts the public price listing', async () => {
    const { limiter, call } = api();
    limiter.next = { kind: 'refuse', retryAfterSeconds: 5 };
    const response = await call(ROUTES.listPrices);
    // The listing's own answer (no snapshot built yet), not the limit's.
    expect([response.statusCode, errorOf(response).code]).not.toContain('rate_limited');
    expect(response.statusCode).toBe(503);
    expect(limiter.calls).toEqual([]);
  });

  it('serves the request when the limiter fails (fails open), and counts the failure', async () => {
    const { limiter, metrics, stripe, checkout } = api();
    limiter.next = { kind: 'fail', error: new Error('DynamoDB unavailable') };
    expect((await checkout('user-4')).statusCode).toBe(200);
    expect(stripe.checkoutSessions).toHaveLength(1);
    expect(metrics.totals()).toEqual({
      [METRICS.userRateLimiterFailures]: 1,
      [METRICS.checkoutSessionsCreated]: 1,
    });
  });
});
