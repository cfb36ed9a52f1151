import type { StripeObject } from 'stripe-sandbox';
import type { UserRequestLimit } from '../../../../lambda/domain/request-limit';
import { ROUTES } from '../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../local/config';
import type { LocalStack } from '../../../../local/local-stack';
import { startOfRoomyWindow } from '../../../support/limit-windows';
import { startTestStack } from '../../../support/test-stack';
import { signAccessToken } from '../../../support/tokens';

jest.setTimeout(60_000);

/**
 * The per-user request limit through the local stack over HTTP: the API function as
 * `npm start` runs it, its counters on DynamoDB Local, Stripe in the sandbox. One user's
 * burst is cut at the limit, the refused requests create nothing at Stripe, and other users
 * are served meanwhile.
 */
const LIMIT: UserRequestLimit = { requests: 3, windowSeconds: 60 };
const BURST = 10;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ userRateLimit: LIMIT });
});
afterAll(async () => {
  await stack.stop();
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { error?: { code: string; message: string }; checkoutSessionId?: string };
}

async function request(
  method: string,
  path: string,
  userId: string | undefined,
  body?: unknown,
): Promise<Answer> {
  const token =
    userId === undefined
      ? undefined
      : await signAccessToken({
          secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
          subject: userId,
        });
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Answer['body'],
  };
}

const checkout = (userId: string) =>
  request('POST', ROUTES.createCheckoutSession.path, userId, {
    priceId: 'price-pro-monthly',
    successUrl: `${stack.apiUrl}/success`,
    cancelUrl: `${stack.apiUrl}/`,
  });

const sandboxObjects = (kind: 'checkout.session' | 'customer'): StripeObject[] =>
  stack.stripeSandbox?.state.store.list(kind) ?? [];
const sessionsOf = (userId: string) =>
  sandboxObjects('checkout.session').filter((s) => s.client_reference_id === userId);
const customersOf = (userId: string) =>
  sandboxObjects('customer').filter(
    (c) => (c.metadata as Record<string, string> | undefined)?.userId === userId,
  );

describe('the per-user request limit over HTTP', () => {
  it('serves exactly the limit of one user’s burst and refuses the rest, creating nothing at Stripe for them', async () => {
    await startOfRoomyWindow(LIMIT.windowSeconds, 10);
    const answers = await Promise.all(Array.from({ length: BURST }, () => checkout('burster')));

    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(served).toHaveLength(LIMIT.requests);
    expect(refused).toHaveLength(BURST - LIMIT.requests);
    for (const answer of refused) {
      expect([answer.status, answer.body.error?.code]).toEqual([429, 'rate_limited']);
      const seconds = Number(answer.retryAfter);
      expect(Number.isInteger(seconds)).toBe(true);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(LIMIT.windowSeconds);
      expect(answer.body.error?.message).toBe(
        `Too many requests for this user; try again in ${String(seconds)} second${seconds === 1 ? '' : 's'}.`,
      );
    }
    // One session per served request, one customer for the user, nothing for the refused.
    expect(
      sessionsOf('burster')
        .map((s) => s.id)
        .sort(),
    ).toEqual(served.map((a) => a.body.checkoutSessionId).sort());
    expect(customersOf('burster')).toHaveLength(1);
  });

  it('keeps serving other users while one is refused, and refuses that one on every authenticated route', async () => {
    await startOfRoomyWindow(LIMIT.windowSeconds, 10);
    for (let i = 0; i < LIMIT.requests; i++) expect((await checkout('hog')).status).toBe(200);

    const neighbour = await checkout('neighbour');
    expect(neighbour.status).toBe(200);
    expect(sessionsOf('neighbour')).toHaveLength(1);

    // The limit is the user's, not the route's.
    const portal = await request('POST', ROUTES.createPortalSession.path, 'hog', {
      returnUrl: `${stack.apiUrl}/`,
    });
    const status = await request(
      'GET',
      `/stripe/checkout-sessions/${String(sessionsOf('hog')[0]?.id)}`,
      'hog',
    );
    expect([portal.status, portal.body.error?.code]).toEqual([429, 'rate_limited']);
    expect([status.status, status.body.error?.code]).toEqual([429, 'rate_limited']);
    expect(sessionsOf('hog')).toHaveLength(LIMIT.requests);

    // The public listing counts nobody.
    expect((await request('GET', ROUTES.listPrices.path, undefined)).status).toBe(200);
  });
});
