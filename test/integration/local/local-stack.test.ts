import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import { request } from 'node:http';
import * as nodePath from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jwtVerify } from 'jose';
import { LOCAL_SECRET_DEFAULTS } from '../../../local/config';
import { DEMO_DIR } from '../../../local/demo-files';
import type { LocalStack } from '../../../local/local-stack';
import { readCatalogSeed } from '../../../local/seed-catalog';
import { localDynamoClient, localSnsClient } from '../../../local/services/aws-clients';
import { PRICES_CACHE_CONTROL } from '../../../lambda/api/routes/list-prices';
import { ROUTES } from '../../../lambda/shared/routes';
import { startTestStack } from '../../support/test-stack';
import { patientStripe } from '../../support/patient-stripe';

jest.setTimeout(30_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

const url = (path: string) => `${stack.apiUrl}${path}`;
async function json(response: Response): Promise<unknown> {
  return response.json();
}
/** The status of a GET of `path` exactly as written (fetch would resolve `..`). */
function rawGetStatus(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url(''), { path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}
async function token(userId = 'user-1'): Promise<string> {
  const body = (await json(
    await fetch(url(`/_local/token?userId=${userId}&email=ada@example.com&role=student`)),
  )) as {
    token: string;
  };
  return body.token;
}

describe('npm start (the local stack) over HTTP', () => {
  it('pages a grown catalog over HTTP: first page the same size, ETag and 304, every price once', async () => {
    // A stack of its own: the other tests here see the seeded catalog.
    const grown = await startTestStack();
    try {
      const at = (path: string) => `${grown.apiUrl}${path}`;
      const first = async (headers: Record<string, string> = {}) => {
        const response = await fetch(at(ROUTES.listPrices.path), { headers });
        const text = await response.text();
        return { response, text };
      };
      const before = await first();
      const seeded = (JSON.parse(before.text) as { prices: unknown[] }).prices.length;

      // The catalog grows by 1,000 prices of a seeded product, written as the pricing service would.
      const dynamo = localDynamoClient(grown.endpoints.dynamodb);
      const documents = DynamoDBDocumentClient.from(dynamo);
      const productId = readCatalogSeed().products.find((p) => p.active === true)?.productId;
      for (let start = 0; start < 1_000; start += 25) {
        await documents.send(
          new BatchWriteCommand({
            RequestItems: {
              [grown.names.pricesTable]: Array.from({ length: 25 }, (_, i) => ({
                PutRequest: {
                  Item: {
                    priceId: `grown-${String(start + i).padStart(4, '0')}`,
                    productId,
                    unitAmount: 500 + start + i,
                    currency: 'usd',
                    type: 'one_time',
                    active: true,
                  },
                },
              })),
            },
          }),
        );
      }
      dynamo.destroy();
      // Unchanged until the next pass: the listing reads its snapshot, not the tables.
      expect(
        (await first({ 'if-none-match': before.response.headers.get('etag') ?? '' })).response
          .status,
      ).toBe(304);
      expect(await grown.refreshCatalogSnapshot()).toMatchObject({ outcome: 'published' });

      // A new head is read within the cache's few seconds; poll instead of sleeping blindly.
      let after = await first();
      for (
        let i = 0;
        i < 20 && after.response.headers.get('etag') === before.response.headers.get('etag');
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        after = await first();
      }
      const page = JSON.parse(after.text) as { prices: { priceId: string }[]; nextCursor?: string };
      expect(page.prices).toHaveLength(100);
      expect(page.nextCursor).toEqual(expect.any(String));
      // The first page stays one page, however large the catalog grows.
      expect(Buffer.byteLength(after.text)).toBeLessThan(100 * 300);

      const notModified = await first({
        'if-none-match': after.response.headers.get('etag') ?? '',
      });
      expect(notModified.response.status).toBe(304);
      expect(notModified.text).toBe('');
      expect(notModified.response.headers.get('etag')).toBe(after.response.headers.get('etag'));

      const ids = page.prices.map((p) => p.priceId);
      for (let cursor = page.nextCursor; cursor !== undefined;) {
        const response = await fetch(at(`${ROUTES.listPrices.path}?cursor=${cursor}`));
        expect(response.status).toBe(200);
        const next = (await response.json()) as typeof page;
        ids.push(...next.prices.map((p) => p.priceId));
        cursor = next.nextCursor;
      }
      expect(ids).toHaveLength(seeded + 1_000);
      expect(new Set(ids).size).toBe(seeded + 1_000);
    } finally {
      await grown.stop();
    }
  });

  it('serves GET /stripe/prices from the seeded catalog, with Cache-Control', async () => {
    const response = await fetch(url(ROUTES.listPrices.path));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe(PRICES_CACHE_CONTROL);
    const { prices } = (await json(response)) as { prices: Record<string, unknown>[] };

    const seed = readCatalogSeed();
    const activeProducts = new Map(
      seed.products
        .filter((p) => p.active === true)
        .map((p) => [p.productId as string, p.name as string]),
    );
    const sellable = seed.prices.filter(
      (p) => p.active === true && activeProducts.has(p.productId as string),
    );
    expect(prices.map((p) => p.priceId).sort()).toEqual(sellable.map((p) => p.priceId).sort());
    expect(prices.some((p) => p.type === 'recurring')).toBe(true);
    expect(prices.some((p) => p.type === 'one_time')).toBe(true);
    for (const price of prices) {
      expect(price.productName).toBe(activeProducts.get(price.productId as string));
      expect(Object.keys(price).sort()).toEqual(
        price.type === 'recurring'
          ? [
              'currency',
              'interval',
              'intervalCount',
              'priceId',
              'productId',
              'productName',
              'type',
              'unitAmount',
            ]
          : ['currency', 'priceId', 'productId', 'productName', 'type', 'unitAmount'],
      );
    }
  });

  it('issues a token from /_local/token that jose verifies with the local secret', async () => {
    const { payload, protectedHeader } = await jwtVerify(
      await token('user-9'),
      new TextEncoder().encode(LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret),
      { algorithms: ['HS256'], requiredClaims: ['exp'] },
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'user-9', email: 'ada@example.com', role: 'student' });
  });

  it('rejects an oversized email claim and an empty user id', async () => {
    const response = await fetch(url(`/_local/token?userId=u&email=${'x'.repeat(300)}`));
    expect(response.status).toBe(400);
    expect((await fetch(url('/_local/token?userId='))).status).toBe(400);
  });

  it('signs any user id as given, leaving the API to refuse one over 512 characters', async () => {
    const tokenOf = async (userId: string) =>
      (
        (await (await fetch(url(`/_local/token?userId=${encodeURIComponent(userId)}`))).json()) as {
          token: string;
        }
      ).token;
    const portal = async (userId: string) =>
      fetch(url('/stripe/portal'), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await tokenOf(userId)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ returnUrl: url('/') }),
      });
    expect((await portal(` ${'x'.repeat(510)}`)).status).toBe(404); // no_customer: accepted
    expect((await portal('x'.repeat(513))).status).toBe(401);
  });

  it('wires POST /stripe/payment-intent to the API function (401 without a token, 400 for an empty body)', async () => {
    const route = ROUTES.createCheckoutSession;
    const init = (headers: Record<string, string>): RequestInit => ({
      method: route.method,
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    const anonymous = await fetch(url(route.path), init({}));
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ error: { code: 'missing_token' } });

    const signedIn = await fetch(
      url(route.path),
      init({ authorization: `Bearer ${await token()}` }),
    );
    expect(signedIn.status).toBe(400);
    expect(await json(signedIn)).toEqual({
      error: { code: 'missing_field', message: 'priceId is required.' },
    });
  });

  it('wires the webhook route to the webhook function (400 for a forged signature)', async () => {
    const response = await fetch(url(ROUTES.stripeWebhook.path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' },
      body: '{"id":"evt_1"}',
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: { code: 'invalid_signature' } });
  });

  it('hands the webhook the raw bytes exactly as sent: a signature over invalid UTF-8 verifies', async () => {
    // Signed over the bytes themselves: had the local adapter decoded them as UTF-8 (each
    // bad byte becoming U+FFFD), the signature would no longer match. It does, so the
    // handler gets as far as the JSON, which it refuses because it is not valid UTF-8.
    const body = Buffer.concat([
      Buffer.from(
        `{"id":"evt_raw_bytes","object":"event","type":"local.unhandled","created":${Math.floor(Date.now() / 1000)},"livemode":false,"data":{"object":{"note":"`,
      ),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}}'),
    ]);
    // Stripe's scheme (`t=<time>,v1=<HMAC-SHA256 of "<time>." + body>`), over the bytes:
    // the SDK's test helper takes a string, which cannot hold them.
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', LOCAL_SECRET_DEFAULTS.stripeWebhookSecret)
      .update(Buffer.concat([Buffer.from(`${t}.`), body]))
      .digest('hex');
    const signature = `t=${t},v1=${v1}`;
    const response = await fetch(url(ROUTES.stripeWebhook.path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers an unknown route with the contract error body', async () => {
    const response = await fetch(url('/stripe/refunds'), { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await json(response)).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('shows what a subscriber of the billing topic received, oldest first, each once', async () => {
    const sns = localSnsClient(stack.endpoints.sns);
    for (const type of ['payment.successful', 'checkout.completed']) {
      await sns.send(
        new PublishCommand({
          TopicArn: stack.billingEventsTopicArn,
          Message: JSON.stringify({ type }),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: type } },
        }),
      );
    }
    sns.destroy();
    const first = (await json(await fetch(url('/_local/billing-events')))) as {
      events: { type: string }[];
    };
    expect(first.events.map((e) => e.type)).toEqual(['payment.successful', 'checkout.completed']);
    const again = (await json(await fetch(url('/_local/billing-events')))) as { events: unknown[] };
    expect(again.events).toHaveLength(2);
    const received = await stack.billingEvents.events();
    expect(received[0]?.attributes).toEqual({ eventType: 'payment.successful' });
  });

  it('serves an index page at /', async () => {
    const response = await fetch(url('/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain(ROUTES.listPrices.path);
  });

  it("serves the demo page's files as they are on disk, and nothing else of the folder", async () => {
    for (const [path, file, type] of [
      ['/success', 'index.html', 'text/html; charset=utf-8'],
      ['/canceled', 'index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
      ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await fetch(url(path));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(
        fs.readFileSync(nodePath.join(DEMO_DIR, file)),
      );
    }
    // Raw paths, as a client that does not normalise them sends them.
    for (const path of [
      '/../local/config.ts',
      '/%2e%2e/package.json',
      '/demo/app.js',
      '/index.html',
    ]) {
      expect(await rawGetStatus(path)).toBe(404);
    }
  });
});

describe('npm start: the Stripe sandbox beside the service', () => {
  it('runs a sandbox whose hosted checkout delivers signed events to the local webhook route', async () => {
    const sandbox = stack.stripeSandbox;
    if (!sandbox) throw new Error('the local stack started no Stripe sandbox');
    const stripe = patientStripe(sandbox.port, LOCAL_SECRET_DEFAULTS.stripeSecretKey);
    const product = await stripe.products.create({ name: 'Course' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 4900,
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${stack.apiUrl}/?session_id={CHECKOUT_SESSION_ID}`,
    });
    const paid = await fetch(`${session.url ?? ''}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.headers.get('location')).toBe(`${stack.apiUrl}/?session_id=${session.id}`);

    const completed = (await stripe.events.list({ type: 'checkout.session.completed', limit: 1 }))
      .data[0];
    // Delivery is asynchronous: wait (bounded) for the first attempt to be logged.
    let deliveries: { url: string; status: number | null }[] = [];
    for (let i = 0; i < 50 && deliveries.length === 0; i++) {
      const response = await fetch(
        `${sandbox.url}/_sandbox/deliveries?event=${completed?.id ?? ''}`,
      );
      ({ deliveries } = (await response.json()) as {
        deliveries: { url: string; status: number | null }[];
      });
      if (deliveries.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The first attempt reached the local API's webhook route (which answers per its issue).
    expect(deliveries[0]?.url).toBe(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`);
    expect(deliveries[0]?.status).toEqual(expect.any(Number));
  });
});
