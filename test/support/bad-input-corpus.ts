import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { UserRequestLimit } from '../../lambda/domain/request-limit';
import { ROUTES } from '../../lambda/shared/routes';
import { startOfRoomyWindow } from './limit-windows';
import {
  paymentIntentObject,
  signatureFor,
  stripeEvent,
  subscriptionObject,
} from './stripe-events';
import { signAccessToken, unsignedToken } from './tokens';

/**
 * Every endpoint's bad input, as a caller or a forger would send it, with the answer the
 * contract gives. The checkout and resilience suites both run it.
 */
export interface BadRequest {
  readonly endpoint: string;
  readonly name: string;
  readonly status: number;
  /** The error's code; `parked` for a verified event answered 200 and parked. */
  readonly code: string;
  readonly build: (context: CorpusContext) => Promise<HttpRequest>;
  /**
   * The only stores it may change: a signed event the service refuses is kept for an
   * operator (the parked-events store, and the ledger's record of the event) and answered
   * 200, never published. Nothing by default.
   */
  readonly keeps?: readonly ('parkedEvents' | 'eventLedger')[];
}

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface CorpusContext {
  /** Origin of the local API: the allowed redirect origin. */
  readonly apiUrl: string;
  readonly jwtSecret: string;
  readonly webhookSecret: string;
  /** A Checkout Session that belongs to another user. */
  readonly foreignSessionId: string;
  /** The per-user request limit of the stack (`CORPUS_USER_RATE_LIMIT`): the burst spends it. */
  readonly userRateLimit: UserRequestLimit;
}

/**
 * The per-user limit a stack running the corpus starts with: above what any other case or
 * test of those suites sends as one user (20 concurrent checkouts at most), and low enough
 * for the burst to spend it in a moment.
 */
export const CORPUS_USER_RATE_LIMIT: UserRequestLimit = { requests: 25, windowSeconds: 60 };

const JSON_TYPE = { 'content-type': 'application/json' };

const bearer = async (context: CorpusContext, userId: string) =>
  `Bearer ${await signAccessToken({ secret: context.jwtSecret, subject: userId })}`;

/** A JSON route's bad bodies, each sent by a signed-in caller of its own. */
function jsonBodyCases(
  endpoint: { method: string; path: string },
  label: string,
  cases: [string, (context: CorpusContext) => unknown, number, string][],
): BadRequest[] {
  return cases.map(([name, body, status, code], index) => ({
    endpoint: label,
    name,
    status,
    code,
    build: async (context) => {
      const value = body(context);
      return {
        method: endpoint.method,
        path: endpoint.path,
        headers: {
          ...JSON_TYPE,
          authorization: await bearer(
            context,
            `corpus-${label.replace(/\W+/g, '-')}-${String(index)}`,
          ),
        },
        body: typeof value === 'string' ? value : JSON.stringify(value),
      };
    },
  }));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token with exactly these times (the dev-token helper always stamps `iat` now). */
const timedToken = (secret: string, times: { iat: number; exp: number }) =>
  new SignJWT({ sub: 'u' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp)
    .sign(new TextEncoder().encode(secret));

/** The bad tokens every authenticated route must refuse with 401. */
function tokenCases(
  endpoint: { method: string; path: string },
  label: string,
  body?: unknown,
): BadRequest[] {
  const tokens: [string, (context: CorpusContext) => Promise<string | undefined>][] = [
    ['no Authorization header', () => Promise.resolve(undefined)],
    ['a non-Bearer scheme', async (c) => (await bearer(c, 'u')).replace('Bearer', 'Basic')],
    ['a malformed token', () => Promise.resolve('Bearer not.a.jwt')],
    [
      'a token signed with another secret',
      async () => `Bearer ${await signAccessToken({ secret: 'another-secret', subject: 'u' })}`,
    ],
    [
      'an expired token',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, subject: 'u', expiresIn: -60 })}`,
    ],
    [
      'a token without exp',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, subject: 'u', expiresIn: null })}`,
    ],
    [
      'an HS512 token',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, subject: 'u', algorithm: 'HS512' })}`,
    ],
    [
      'an unsigned (alg none) token',
      () => Promise.resolve(`Bearer ${unsignedToken({ sub: 'u' })}`),
    ],
    [
      'a token whose user id is over 512 characters',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, subject: 'u'.repeat(513) })}`,
    ],
    [
      'a token issued a year in the future that never expires',
      async (c) =>
        `Bearer ${await timedToken(c.jwtSecret, { iat: nowSeconds() + 365 * 86_400, exp: 1e300 })}`,
    ],
    [
      'a token that lives for a century',
      async (c) =>
        `Bearer ${await timedToken(c.jwtSecret, { iat: nowSeconds(), exp: nowSeconds() + 100 * 365 * 86_400 })}`,
    ],
    [
      'a token whose user id is not well-formed Unicode',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, subject: 'bad\ud800id' })}`,
    ],
    [
      'a token without a user id',
      async (c) =>
        `Bearer ${await signAccessToken({ secret: c.jwtSecret, claims: { role: 'x' } })}`,
    ],
  ];
  return tokens.map(([name, authorization]) => ({
    endpoint: label,
    name,
    status: 401,
    code: name === 'no Authorization header' ? 'missing_token' : 'invalid_token',
    build: async (context) => {
      const header = await authorization(context);
      return {
        method: endpoint.method,
        path: endpoint.path,
        headers: { ...JSON_TYPE, ...(header === undefined ? {} : { authorization: header }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      };
    },
  }));
}

const url = (context: CorpusContext, path: string) => `${context.apiUrl}${path}`;

/**
 * The burst attack on an authenticated endpoint: one signed-in user spends the whole
 * per-user limit on requests that change nothing (malformed JSON to checkout, 400 each),
 * then sends the endpoint a good request: 429 rate_limited, and nothing done. The primer
 * goes to another route on purpose: the limit is the user's, not the route's.
 */
function burstCase(
  label: string,
  request: (context: CorpusContext, authorization: string) => HttpRequest,
): BadRequest {
  return {
    endpoint: label,
    name: 'a burst past the per-user request limit',
    status: 429,
    code: 'rate_limited',
    build: async (c) => {
      const authorization = await bearer(c, `corpus-burst-${label.replace(/\W+/g, '-')}`);
      // The primer and the request in one window: across a boundary it would be two.
      await startOfRoomyWindow(c.userRateLimit.windowSeconds, 10);
      await Promise.all(
        Array.from({ length: c.userRateLimit.requests }, async () => {
          const response = await fetch(url(c, ROUTES.createCheckoutSession.path), {
            method: 'POST',
            headers: { ...JSON_TYPE, authorization },
            body: '{',
          });
          if (response.status !== 400) {
            throw new Error(`The burst's primer was answered ${String(response.status)}.`);
          }
        }),
      );
      return request(c, authorization);
    },
  };
}

export function paymentIntentCorpus(): BadRequest[] {
  const route = ROUTES.createCheckoutSession;
  const label = `${route.method} ${route.path}`;
  const good = (c: CorpusContext) => ({
    priceId: 'price-pro-monthly',
    successUrl: url(c, '/success?session_id={CHECKOUT_SESSION_ID}'),
    cancelUrl: url(c, '/'),
  });
  return [
    ...jsonBodyCases(route, label, [
      ['malformed JSON', () => '{"priceId": ', 400, 'invalid_json'],
      ['a JSON array', () => '[1,2]', 400, 'invalid_json'],
      ['an empty body', () => '', 400, 'invalid_json'],
      ['no priceId', (c) => ({ ...good(c), priceId: undefined }), 400, 'missing_field'],
      ['a numeric priceId', (c) => ({ ...good(c), priceId: 42 }), 400, 'invalid_field'],
      ['a blank priceId', (c) => ({ ...good(c), priceId: ' ' }), 400, 'invalid_field'],
      [
        'an oversized priceId',
        (c) => ({ ...good(c), priceId: 'p'.repeat(129) }),
        400,
        'invalid_field',
      ],
      ['an unknown field', (c) => ({ ...good(c), sucessUrl: 'x' }), 400, 'unknown_field'],
      ['no successUrl', (c) => ({ ...good(c), successUrl: undefined }), 400, 'missing_field'],
      [
        'a foreign successUrl',
        (c) => ({ ...good(c), successUrl: 'https://evil.example/ok' }),
        400,
        'invalid_redirect_url',
      ],
      [
        'a relative cancelUrl',
        (c) => ({ ...good(c), cancelUrl: '/prices' }),
        400,
        'invalid_redirect_url',
      ],
      [
        'a javascript: successUrl',
        (c) => ({ ...good(c), successUrl: 'javascript:alert(1)' }),
        400,
        'invalid_redirect_url',
      ],
      [
        'credentials in a URL',
        (c) => ({ ...good(c), successUrl: c.apiUrl.replace('//', '//user:pw@') }),
        400,
        'invalid_redirect_url',
      ],
      [
        'an oversized URL',
        (c) => ({ ...good(c), successUrl: url(c, `/${'a'.repeat(2100)}`) }),
        400,
        'invalid_field',
      ],
      ['quantity 0', (c) => ({ ...good(c), quantity: 0 }), 400, 'invalid_field'],
      ['quantity 1.5', (c) => ({ ...good(c), quantity: 1.5 }), 400, 'invalid_field'],
      ['quantity "2"', (c) => ({ ...good(c), quantity: '2' }), 400, 'invalid_field'],
      ['quantity over the cap', (c) => ({ ...good(c), quantity: 101 }), 400, 'invalid_field'],
      ['an unknown price', (c) => ({ ...good(c), priceId: 'price-nope' }), 404, 'price_not_found'],
      [
        'an inactive price',
        (c) => ({ ...good(c), priceId: 'price-pro-weekly-retired' }),
        404,
        'price_not_found',
      ],
      [
        'a body over 16 KiB',
        (c) => ({ ...good(c), pad: 'x'.repeat(17_000) }),
        413,
        'payload_too_large',
      ],
    ]),
    {
      endpoint: label,
      name: 'a form body',
      status: 415,
      code: 'unsupported_media_type',
      build: async (c) => ({
        method: route.method,
        path: route.path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: await bearer(c, 'form'),
        },
        body: 'priceId=x',
      }),
    },
    ...tokenCases(route, label, { priceId: 'price-pro-monthly' }),
    burstCase(label, (c, authorization) => ({
      method: route.method,
      path: route.path,
      headers: { ...JSON_TYPE, authorization },
      body: JSON.stringify(good(c)),
    })),
  ];
}

export function portalCorpus(): BadRequest[] {
  const route = ROUTES.createPortalSession;
  const label = `${route.method} ${route.path}`;
  return [
    ...jsonBodyCases(route, label, [
      ['malformed JSON', () => '{', 400, 'invalid_json'],
      ['no returnUrl', () => ({}), 400, 'missing_field'],
      ['a numeric returnUrl', () => ({ returnUrl: 7 }), 400, 'invalid_field'],
      ['an unknown field', (c) => ({ returnUrl: url(c, '/'), extra: 1 }), 400, 'unknown_field'],
      [
        'a foreign returnUrl',
        () => ({ returnUrl: 'https://evil.example/' }),
        400,
        'invalid_redirect_url',
      ],
      [
        'a data: returnUrl',
        () => ({ returnUrl: 'data:text/html,hi' }),
        400,
        'invalid_redirect_url',
      ],
      ['a user who never checked out', (c) => ({ returnUrl: url(c, '/') }), 404, 'no_customer'],
    ]),
    ...tokenCases(route, label, { returnUrl: 'http://localhost/' }),
    burstCase(label, (c, authorization) => ({
      method: route.method,
      path: route.path,
      headers: { ...JSON_TYPE, authorization },
      body: JSON.stringify({ returnUrl: url(c, '/') }),
    })),
  ];
}

export function sessionStatusCorpus(): BadRequest[] {
  const route = ROUTES.getCheckoutSession;
  const label = `${route.method} ${route.path}`;
  const get = (name: string, path: (c: CorpusContext) => string): BadRequest => ({
    endpoint: label,
    name,
    status: 404,
    code: 'checkout_session_not_found',
    build: async (c) => ({
      method: 'GET',
      path: path(c),
      headers: { authorization: await bearer(c, 'status-intruder') },
    }),
  });
  const withId = { method: route.method, path: route.path.replace('{id}', 'cs_test_x') };
  return [
    get("another user's session", (c) => `/stripe/checkout-sessions/${c.foreignSessionId}`),
    get('a session that does not exist', () => '/stripe/checkout-sessions/cs_test_doesnotexist'),
    get('a malformed id', () => '/stripe/checkout-sessions/..%2F..%2Fv1%2Fcustomers'),
    get('a customer id', () => '/stripe/checkout-sessions/cus_123'),
    ...tokenCases(withId, label),
    burstCase(label, (c, authorization) => ({
      method: 'GET',
      path: `/stripe/checkout-sessions/${c.foreignSessionId}`,
      headers: { authorization },
    })),
  ];
}

export function webhookCorpus(): BadRequest[] {
  const route = ROUTES.stripeWebhook;
  const label = `${route.method} ${route.path}`;
  const payload = () =>
    JSON.stringify(stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')));
  const delivery = (
    name: string,
    status: number,
    code: string,
    make: (c: CorpusContext, body: string) => { body: string; signature?: string },
  ): BadRequest => ({
    endpoint: label,
    name,
    status,
    code,
    build: (c) => {
      const made = make(c, payload());
      return Promise.resolve({
        method: route.method,
        path: route.path,
        headers: {
          ...JSON_TYPE,
          ...(made.signature === undefined ? {} : { 'stripe-signature': made.signature }),
        },
        body: made.body,
      });
    },
  });
  return [
    delivery('no signature header', 400, 'missing_signature', (_, body) => ({ body })),
    delivery('a malformed header', 400, 'invalid_signature', (_, body) => ({
      body,
      signature: 'garbage',
    })),
    delivery('a wrong secret', 400, 'invalid_signature', (_, body) => ({
      body,
      signature: signatureFor(body, 'whsec_wrong'),
    })),
    delivery('a tampered body', 400, 'invalid_signature', (c, body) => ({
      body: body.replace('4900', '49'),
      signature: signatureFor(body, c.webhookSecret),
    })),
    delivery('a timestamp outside the tolerance', 400, 'invalid_signature', (c, body) => ({
      body,
      signature: signatureFor(body, c.webhookSecret, Math.floor(Date.now() / 1000) - 600),
    })),
    delivery('a timestamp a year in the future', 400, 'invalid_signature', (c, body) => ({
      body,
      signature: signatureFor(body, c.webhookSecret, Math.floor(Date.now() / 1000) + 365 * 86_400),
    })),
    delivery('only a v0 signature', 400, 'invalid_signature', (c, body) => ({
      body,
      signature: signatureFor(body, c.webhookSecret).replace('v1=', 'v0='),
    })),
    delivery('a signed non-JSON body', 400, 'invalid_json', (c) => ({
      body: 'not json',
      signature: signatureFor('not json', c.webhookSecret),
    })),
    delivery('signed JSON that is not an event', 400, 'invalid_event', (c) => ({
      body: '{"id":"x"}',
      signature: signatureFor('{"id":"x"}', c.webhookSecret),
    })),
    ...(
      [
        ['a thin notification without an event id', { id: 'x' }],
        ['a thin notification whose time is not ISO 8601', { created: 1_700_000_000 }],
        ['a thin notification whose snapshot event is no event', { snapshot_event: 'pi_1' }],
      ] as const
    ).map(([name, fault]) =>
      delivery(`signed ${name}`, 400, 'invalid_event', (c) => {
        const body = JSON.stringify({
          id: 'evt_test_65thin',
          object: 'v2.core.event',
          type: 'v1.payment_intent.succeeded',
          created: new Date().toISOString(),
          livemode: false,
          ...fault,
        });
        return { body, signature: signatureFor(body, c.webhookSecret) };
      }),
    ),
    delivery('a body over 1 MiB', 413, 'payload_too_large', (c) => {
      const body = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
      return { body, signature: signatureFor(body, c.webhookSecret) };
    }),
    ...refusedEvents().map(({ name, event, keeps }) => ({
      ...delivery(name, 200, 'parked', (c) => {
        const body = JSON.stringify(event());
        return { body, signature: signatureFor(body, c.webhookSecret) };
      }),
      keeps,
    })),
  ];
}

/**
 * Signed events the service refuses on admission (contract section 4): parked, never
 * published nor made a high-water mark. Each is built afresh (a new event id per run).
 */
function refusedEvents() {
  const fresh = () => `evt_corpus_${randomUUID().replaceAll('-', '')}`;
  const event = (options: { created?: number; livemode?: boolean }) => () =>
    stripeEvent('customer.subscription.updated', subscriptionObject('current'), {
      id: fresh(),
      ...options,
    });
  const snapshot = ['eventLedger', 'parkedEvents'] as const;
  return [
    {
      name: 'a signed subscription event dated in the year 9999',
      event: event({ created: 253402300799 }),
      keeps: snapshot,
    },
    {
      name: 'a signed live-mode event on a test-mode stack',
      event: event({ livemode: true }),
      keeps: snapshot,
    },
    {
      // Before admission it answered 500 forever ("just sent, retry").
      name: 'a signed thin notification stamped ten minutes ahead',
      event: () => ({
        id: fresh(),
        object: 'v2.core.event',
        type: 'v1.customer.subscription.updated',
        created: new Date(Date.now() + 10 * 60_000).toISOString(),
        livemode: false,
        snapshot_event: fresh(),
      }),
      keeps: ['parkedEvents'] as const,
    },
  ];
}

export function pricesCorpus(): BadRequest[] {
  const label = `${ROUTES.listPrices.method} ${ROUTES.listPrices.path}`;
  const request = (method: string, path: string) => () =>
    Promise.resolve({ method, path, headers: {} });
  return [
    {
      endpoint: label,
      name: 'a write method',
      status: 404,
      code: 'route_not_found',
      build: request('POST', ROUTES.listPrices.path),
    },
    {
      endpoint: label,
      name: 'a delete',
      status: 404,
      code: 'route_not_found',
      build: request('DELETE', ROUTES.listPrices.path),
    },
    {
      endpoint: label,
      name: 'a path below it',
      status: 404,
      code: 'route_not_found',
      build: request('GET', `${ROUTES.listPrices.path}/x`),
    },
    ...(
      [
        ['limit 0', 'limit=0', 'invalid_limit'],
        ['limit 101', 'limit=101', 'invalid_limit'],
        ['a limit that is not a number', 'limit=ten', 'invalid_limit'],
        ['a limit in exponent form', 'limit=1e2', 'invalid_limit'],
        ['a negative limit', 'limit=-5', 'invalid_limit'],
        ['limit given twice', 'limit=5&limit=6', 'invalid_limit'],
        ['a cursor it never handed out', 'cursor=not-a-cursor', 'invalid_cursor'],
        ['an empty cursor', 'cursor=', 'invalid_cursor'],
        [
          'a cursor of an unknown snapshot',
          `cursor=${Buffer.from('["unknown",100,100]').toString('base64url')}`,
          'cursor_expired',
        ],
      ] as const
    ).map(([name, query, code]): BadRequest => ({
      endpoint: label,
      name,
      status: 400,
      code,
      build: request('GET', `${ROUTES.listPrices.path}?${query}`),
    })),
    // Issue 21: forged on the current snapshot, whose version every ETag shows. Refused
    // before any chunk is read (what they cost is counted in the route's integration test).
    ...(
      [
        ['a forged cursor: the current snapshot in chunks of one (100 reads a page)', 1000, 1],
        ['a forged cursor past the end of the current snapshot', 1_000_000, 100],
      ] as const
    ).map(([name, offset, chunkSize]): BadRequest => ({
      endpoint: label,
      name,
      status: 400,
      code: 'invalid_cursor',
      build: async (context) => {
        const cursor = [await currentListingVersion(context), offset, chunkSize];
        const encoded = Buffer.from(JSON.stringify(cursor)).toString('base64url');
        return request('GET', `${ROUTES.listPrices.path}?cursor=${encoded}`)();
      },
    })),
  ];
}

/** The current snapshot's version, from the first page's ETag (`"<version>.<offset>.<limit>"`). */
async function currentListingVersion(context: CorpusContext): Promise<string> {
  const response = await fetch(`${context.apiUrl}${ROUTES.listPrices.path}?limit=1`);
  const version = /^"([A-Za-z0-9_-]+)\./.exec(response.headers.get('etag') ?? '')?.[1];
  if (version === undefined) throw new Error('The listing answered without an ETag.');
  return version;
}

export const fullCorpus = (): BadRequest[] => [
  ...pricesCorpus(),
  ...paymentIntentCorpus(),
  ...portalCorpus(),
  ...sessionStatusCorpus(),
  ...webhookCorpus(),
];
