import { userKey } from '../../../../../lambda/domain/stripe-identity';
import { DEPENDENCY_BUDGETS } from '../../../../../lambda/core/dependencies';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { ROUTES } from '../../../../../lambda/shared/routes';
import type { ApiRequestRecord, ObjectKind, StripeSandbox } from 'stripe-sandbox';
import { CORPUS_USER_RATE_LIMIT, paymentIntentCorpus } from '../../../../support/bad-input-corpus';
import { sendBadRequest } from '../../../../support/side-effects';
import { signAccessToken } from '../../../../support/tokens';
import { startTestStack } from '../../../../support/test-stack';
import { patientStripe } from '../../../../support/patient-stripe';

jest.setTimeout(60_000);

const PATH = ROUTES.createCheckoutSession.path;

let stack: LocalStack;
let sandbox: StripeSandbox;
let stripe: Stripe;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  // The corpus's burst needs a per-user limit; every other test here stays well below it.
  stack = await startTestStack({ userRateLimit: CORPUS_USER_RATE_LIMIT });
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
  stripe = patientStripe(sandbox.port, LOCAL_SECRET_DEFAULTS.stripeSecretKey);
  documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
});
afterAll(async () => {
  documents.destroy();
  await stack.stop();
});

interface ApiBody {
  readonly [field: string]: unknown;
  readonly error: { readonly code: string; readonly message: string };
}

const SECRET = LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret;
const tokenFor = (userId: string, claims: Record<string, unknown> = {}) =>
  signAccessToken({ secret: SECRET, subject: userId, claims });

async function post(
  body: unknown,
  authorization: string | undefined,
  contentType = 'application/json',
) {
  const response = await fetch(`${stack.apiUrl}${PATH}`, {
    method: 'POST',
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      'content-type': contentType,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as ApiBody,
  };
}

/**
 * A checkout as a storefront makes it under Stripe's rate limits (on in the sandbox, as at
 * Stripe): a `503 stripe_rate_limited` is asked again after its `Retry-After`.
 */
async function checkoutAs(userId: string, body: Record<string, unknown>) {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await post(body, `Bearer ${await tokenFor(userId)}`);
    const limited = answer.status === 503 && answer.body.error.code === 'stripe_rate_limited';
    if (!limited || attempt === 10) return answer;
    await sleep(1000 * Number(answer.retryAfter ?? '1'));
  }
}

const urls = () => ({
  successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}&a=1%202`,
  cancelUrl: `${stack.apiUrl}/prices`,
});

const stripeCalls = (): ApiRequestRecord[] => [...sandbox.state.requests];
const forgetStripeCalls = () => {
  sandbox.state.requests.length = 0;
};

async function putPrice(item: Record<string, unknown>): Promise<void> {
  await documents.send(new PutCommand({ TableName: stack.names.pricesTable, Item: item }));
}
async function putProduct(item: Record<string, unknown>): Promise<void> {
  await documents.send(new PutCommand({ TableName: stack.names.productsTable, Item: item }));
}
async function priceRecord(priceId: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: stack.names.pricesTable, Key: { priceId } }),
  );
  return Item;
}
async function syncRecord(priceId: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: stack.names.catalogSyncTable, Key: { priceId } }),
  );
  return Item;
}
async function mappingOf(userId: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.names.customersTable,
      Key: { userId },
      ConsistentRead: true,
    }),
  );
  return Item;
}
const stripeObjects = (type: ObjectKind) => sandbox.state.store.list(type);

describe('POST /stripe/payment-intent', () => {
  it.each([
    ['price-pro-monthly', 'subscription'],
    ['price-pro-yearly', 'subscription'],
    ['price-typescript-course', 'payment'],
  ])('opens a Checkout Session for the sample price %s in %s mode', async (priceId, mode) => {
    const userId = `buyer-${priceId}`;
    const { status, body } = await checkoutAs(userId, { priceId, ...urls(), quantity: 2 });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      'checkoutSessionId',
      'checkoutUrl',
      'customerId',
      'paymentIntentId',
    ]);
    const session = await stripe.checkout.sessions.retrieve(body.checkoutSessionId as string, {
      expand: ['line_items'],
    });
    expect(session).toMatchObject({
      url: body.checkoutUrl,
      mode,
      customer: body.customerId,
      client_reference_id: userId,
      metadata: { userId, priceId },
      // Byte for byte: Stripe's placeholder and the encoded space survive.
      success_url: urls().successUrl,
      cancel_url: urls().cancelUrl,
    });
    expect(body.paymentIntentId).toBeNull();
    const details = sandbox.state.sessions.get(session.id);
    const carried =
      mode === 'subscription' ? details?.subscriptionMetadata : details?.paymentIntentMetadata;
    expect(carried).toEqual({ userId, userKey: userKey(userId), priceId });
    expect(details?.lineItems).toEqual([
      { price: (await priceRecord(priceId))?.stripePriceId as unknown, quantity: 2 },
    ]);
    const customer = await stripe.customers.retrieve(body.customerId as string);
    expect(customer).toMatchObject({ metadata: { userId } });
  });

  it('links the synced Stripe objects back to the local ids', async () => {
    await checkoutAs('linker', { priceId: 'price-typescript-course', ...urls() });
    const local = await priceRecord('price-typescript-course');
    const price = await stripe.prices.retrieve(local?.stripePriceId as string);
    expect(price).toMatchObject({
      active: true,
      unit_amount: 4900,
      currency: 'usd',
      type: 'one_time',
      lookup_key: 'price-typescript-course',
      metadata: { priceId: 'price-typescript-course', productId: 'prod-typescript-course' },
    });
    const product = await stripe.products.retrieve(price.product as string);
    expect(product.metadata).toEqual({ productId: 'prod-typescript-course' });
    expect(await syncRecord('price-typescript-course')).toMatchObject({
      stripePriceId: price.id,
      stripeProductId: product.id,
      terms: '4900 usd one_time',
    });
  });

  it('makes exactly one Stripe call, the session, when customer and price are synced', async () => {
    await checkoutAs('warm-buyer', { priceId: 'price-pro-monthly', ...urls() });
    forgetStripeCalls();
    const { status } = await checkoutAs('warm-buyer', { priceId: 'price-pro-monthly', ...urls() });
    expect(status).toBe(200);
    expect(stripeCalls().map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /v1/checkout/sessions',
    ]);
  });

  it('gives 20 concurrent first checkouts of one new user one Stripe customer and one mapping', async () => {
    const userId = 'concurrent-newcomer';
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        checkoutAs(userId, { priceId: 'price-pro-monthly', ...urls() }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const customers = stripeObjects('customer').filter(
      (c) => (c.metadata as Record<string, string>).userId === userId,
    );
    expect(customers).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.customerId))).toEqual(new Set([customers[0]?.id]));
    expect(new Set(results.map((r) => r.body.checkoutSessionId)).size).toBe(20);
    expect((await mappingOf(userId))?.stripeCustomerId).toBe(customers[0]?.id);
  });

  it('gives 20 concurrent checkouts of an unsynced price one Stripe product and one Stripe price', async () => {
    await putProduct({ productId: 'prod-rush', name: 'Rush product', active: true });
    await putPrice({
      priceId: 'price-rush',
      productId: 'prod-rush',
      unitAmount: 1234,
      currency: 'eur',
      type: 'one_time',
      active: true,
    });
    // 20 first purchases at once ask Stripe for more than its 25 requests a second: some
    // are answered 503 stripe_rate_limited and asked again, as a storefront would.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        checkoutAs(`rusher-${String(i)}`, { priceId: 'price-rush', ...urls() }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const products = stripeObjects('product').filter(
      (p) => (p.metadata as Record<string, string>).productId === 'prod-rush',
    );
    const prices = stripeObjects('price').filter(
      (p) => (p.metadata as Record<string, string>).priceId === 'price-rush',
    );
    expect(products).toHaveLength(1);
    expect(prices).toHaveLength(1);
    expect((await priceRecord('price-rush'))?.stripePriceId).toBe(prices[0]?.id);
    const product = await documents.send(
      new GetCommand({ TableName: stack.names.productsTable, Key: { productId: 'prod-rush' } }),
    );
    expect(product.Item?.stripeProductId).toBe(products[0]?.id);
    // The service wrote nothing but the Stripe ids into the catalog tables.
    expect(Object.keys(product.Item ?? {}).sort()).toEqual([
      'active',
      'name',
      'productId',
      'stripeProductId',
    ]);
  });

  it('moves a changed price to a new Stripe price and archives the old one', async () => {
    await checkoutAs('changer', { priceId: 'price-pro-yearly', ...urls() });
    const before = (await priceRecord('price-pro-yearly'))?.stripePriceId as string;
    await documents.send(
      new UpdateCommand({
        TableName: stack.names.pricesTable,
        Key: { priceId: 'price-pro-yearly' },
        UpdateExpression: 'SET unitAmount = :amount',
        ExpressionAttributeValues: { ':amount': 24900 },
      }),
    );
    const { status, body } = await checkoutAs('changer', {
      priceId: 'price-pro-yearly',
      ...urls(),
    });
    expect(status).toBe(200);

    const after = (await priceRecord('price-pro-yearly'))?.stripePriceId as string;
    expect(after).not.toBe(before);
    expect(await stripe.prices.retrieve(before)).toMatchObject({ active: false, lookup_key: null });
    expect(await stripe.prices.retrieve(after)).toMatchObject({
      active: true,
      unit_amount: 24900,
      lookup_key: 'price-pro-yearly',
      recurring: { interval: 'year', interval_count: 1 },
    });
    const byLookup = await stripe.prices.list({ lookup_keys: ['price-pro-yearly'] });
    expect(byLookup.data.map((p) => p.id)).toEqual([after]);
    expect(sandbox.state.sessions.get(body.checkoutSessionId as string)?.lineItems[0]?.price).toBe(
      after,
    );
    expect(await syncRecord('price-pro-yearly')).toMatchObject({
      stripePriceId: after,
      terms: '24900 usd recurring year/1',
    });
  });

  it('heals a mapping whose Stripe customer was deleted', async () => {
    const userId = 'healed-buyer';
    const first = await checkoutAs(userId, { priceId: 'price-typescript-course', ...urls() });
    await stripe.customers.del(first.body.customerId as string);
    const second = await checkoutAs(userId, { priceId: 'price-typescript-course', ...urls() });
    expect(second.status).toBe(200);
    expect(second.body.customerId).not.toBe(first.body.customerId);
    expect((await mappingOf(userId))?.stripeCustomerId).toBe(second.body.customerId);
    const session = await stripe.checkout.sessions.retrieve(
      second.body.checkoutSessionId as string,
    );
    expect(session.customer).toBe(second.body.customerId);
  });

  it('keeps email and role from the token current on the mapping', async () => {
    const userId = 'contact-keeper';
    await post(
      { priceId: 'price-typescript-course', ...urls() },
      `Bearer ${await tokenFor(userId, { email: 'a@example.com', role: 'student' })}`,
    );
    await post(
      { priceId: 'price-typescript-course', ...urls() },
      `Bearer ${await tokenFor(userId, { email: 'b@example.com', role: 'teacher' })}`,
    );
    expect(await mappingOf(userId)).toMatchObject({ email: 'b@example.com', role: 'teacher' });
  });

  it("answers another user's session 404 on the status route", async () => {
    const { body } = await checkoutAs('session-owner', { priceId: 'price-pro-monthly', ...urls() });
    const response = await fetch(
      `${stack.apiUrl}/stripe/checkout-sessions/${body.checkoutSessionId as string}`,
      {
        headers: { authorization: `Bearer ${await tokenFor('session-intruder')}` },
      },
    );
    expect(response.status).toBe(404);
    const own = await fetch(
      `${stack.apiUrl}/stripe/checkout-sessions/${body.checkoutSessionId as string}`,
      {
        headers: { authorization: `Bearer ${await tokenFor('session-owner')}` },
      },
    );
    expect(own.status).toBe(200);
  });

  it('answers a Stripe failure 502 stripe_error and completes on retry with one product and price', async () => {
    await putProduct({ productId: 'prod-flaky', name: 'Flaky product', active: true });
    await putPrice({
      priceId: 'price-flaky',
      productId: 'prod-flaky',
      unitAmount: 700,
      currency: 'usd',
      type: 'recurring',
      interval: 'week',
      active: true,
    });
    // A 500 on every attempt the SDK makes fails the request after the product.
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 500,
        count: DEPENDENCY_BUDGETS.stripe.maxAttempts,
        path_prefix: '/v1/prices',
      }),
    });
    const failed = await checkoutAs('flaky-buyer', { priceId: 'price-flaky', ...urls() });
    expect([failed.status, failed.body.error.code]).toEqual([502, 'stripe_error']);
    expect(await syncRecord('price-flaky')).toBeUndefined();
    expect((await priceRecord('price-flaky'))?.stripePriceId).toBeUndefined();

    const retried = await checkoutAs('flaky-buyer', { priceId: 'price-flaky', ...urls() });
    expect(retried.status).toBe(200);
    const owned = (type: ObjectKind, key: string, value: string) =>
      stripeObjects(type).filter((o) => (o.metadata as Record<string, string>)[key] === value);
    expect(owned('product', 'productId', 'prod-flaky')).toHaveLength(1);
    expect(owned('price', 'priceId', 'price-flaky')).toHaveLength(1);
  });
});

describe('POST /stripe/payment-intent: bad input changes nothing', () => {
  const context = () => ({
    apiUrl: stack.apiUrl,
    jwtSecret: SECRET,
    webhookSecret: LOCAL_SECRET_DEFAULTS.stripeWebhookSecret,
    foreignSessionId: 'cs_test_unused',
    userRateLimit: CORPUS_USER_RATE_LIMIT,
  });

  it.each(paymentIntentCorpus().map((c) => [c.name, c] as const))(
    '%s: its error, no Stripe call, no write',
    async (_, badRequest) => {
      forgetStripeCalls();
      const outcome = await sendBadRequest(stack, context(), badRequest);
      expect([outcome.status, outcome.code]).toEqual([badRequest.status, badRequest.code]);
      expect(outcome.changes).toEqual([]);
      expect(stripeCalls()).toEqual([]);
    },
  );
});
