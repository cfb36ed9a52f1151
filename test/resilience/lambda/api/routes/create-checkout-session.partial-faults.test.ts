import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { buildApiHandler } from '../../../../../lambda/api/composition-root';
import { userKey } from '../../../../../lambda/domain/stripe-identity';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import type { StripeObject } from 'stripe-sandbox';
import { silentLogger, startTestStack } from '../../../../support/test-stack';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { putUnsyncedPrice } from '../../../../support/catalog-records';
import { injectFault, serviceUnavailable } from '../../../../support/aws-fault-injection';
import { signAccessToken } from '../../../../support/tokens';

jest.setTimeout(60_000);

/**
 * Checkout stopped between two of its steps by a fault in exactly one call (the fault
 * seam: the Nth call of one DynamoDB operation fails), then retried as the frontend
 * would: each retry converges on exactly one Stripe object per local thing. And the one
 * customer per user holds whatever the token's other claims, and however late the retry.
 */
const SECRETS = LOCAL_SECRET_DEFAULTS;
let stack: LocalStack;
let documents: DynamoDBDocumentClient;
const rows: { step: string; first: string; left: string; retry: string; result: string }[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  // Sync the sample price once, so a test's only catalog writes are the ones it means.
  expect((await checkout(handlerWith(), 'warm-up', 'price-pro-monthly')).status).toBe(200);
});
afterAll(async () => {
  documents.destroy();
  await stack.stop();
  console.log(
    [
      'Checkout interrupted between two steps (npm run test:resilience):',
      '| step that failed | first answer | left behind | retry | exactly once |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.step} | ${r.first} | ${r.left} | ${r.retry} | ${r.result} |`),
    ].join('\n'),
  );
});

/** The API function as its composition root builds it, on a DynamoDB client of the test's. */
function handlerWith(dynamo: DynamoDBClient = localDynamoClient(stack.endpoints.dynamodb)) {
  return buildApiHandler(stack.functions.api, {
    dynamo,
    secrets: stack.functions.secrets,
    logger: silentLogger(),
    ...(stack.functions.stripeConnection
      ? { stripeConnection: stack.functions.stripeConnection }
      : {}),
  });
}

/**
 * A checkout as a storefront makes it: under Stripe's rate limits (on in the sandbox, as at
 * Stripe) a `503 stripe_rate_limited` is asked again after its `Retry-After`; every other
 * answer is the test's.
 */
async function checkout(
  handler: ReturnType<typeof handlerWith>,
  userId: string,
  priceId: string,
  claims: Record<string, unknown> = {},
) {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await checkoutOnce(handler, userId, priceId, claims);
    if (answer.answer !== '503 stripe_rate_limited' || attempt === 10) return answer;
    await sleep(1000 * Number(answer.retryAfter ?? '1'));
  }
}

async function checkoutOnce(
  handler: ReturnType<typeof handlerWith>,
  userId: string,
  priceId: string,
  claims: Record<string, unknown>,
) {
  const token = await signAccessToken({
    secret: SECRETS.jwtAccessTokenSecret,
    subject: userId,
    claims,
  });
  const response = await handler(
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId,
        successUrl: `${stack.apiUrl}/success`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    }),
    lambdaContext(),
  );
  const body = JSON.parse(response.body) as { customerId?: string; error?: { code: string } };
  return {
    status: response.statusCode,
    answer: `${String(response.statusCode)}${body.error ? ` ${body.error.code}` : ''}`,
    customerId: body.customerId,
    retryAfter: response.headers['retry-after'],
  };
}

const stripeObjects = (kind: 'customer' | 'product' | 'price'): StripeObject[] =>
  stack.stripeSandbox?.state.store.list(kind) ?? [];
const customersOf = (userId: string) =>
  stripeObjects('customer').filter(
    (c) => (c.metadata as Record<string, string>).userKey === userKey(userId),
  );
const customerRecord = async (userId: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: stack.names.customersTable,
        Key: { userId },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('checkout interrupted between two steps converges on retry', () => {
  it('customer created at Stripe, then the mapping write fails: the retry completes it with the same customer', async () => {
    const userId = 'partial-mapping';
    const dynamo = localDynamoClient(stack.endpoints.dynamodb);
    // The first UpdateItem of a new user's checkout (the price is synced) completes the mapping.
    const fault = injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 1,
      error: serviceUnavailable,
    });
    const first = await checkout(handlerWith(dynamo), userId, 'price-pro-monthly');
    const left = await customerRecord(userId);
    fault.remove();
    const retry = await checkout(handlerWith(dynamo), userId, 'price-pro-monthly');
    const customers = customersOf(userId);
    rows.push({
      step: 'mapping write after the Stripe customer',
      first: first.answer,
      left: `a reservation (no Stripe id) and ${String(customersOf(userId).length)} Stripe customer`,
      retry: retry.answer,
      result: `${String(customers.length)} customer`,
    });
    expect(fault.failures).toBe(1);
    expect(first.answer).toBe('500 internal_error');
    expect(left).toMatchObject({ userId });
    expect(left?.stripeCustomerId).toBeUndefined();
    expect(retry.status).toBe(200);
    expect(customers.map((c) => c.id)).toEqual([retry.customerId]);
    expect((await customerRecord(userId))?.stripeCustomerId).toBe(retry.customerId);
    dynamo.destroy();
  });

  it('price synced at Stripe, then its write-back fails: the retry finishes the write-back without a second price', async () => {
    await putUnsyncedPrice(stack, 'price-partial-writeback', 'prod-partial-writeback');
    const dynamo = localDynamoClient(stack.endpoints.dynamodb);
    // warm-up has a mapping: the only UpdateItems are the product's (1st) and price's (2nd) write-backs.
    const fault = injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 2,
      error: serviceUnavailable,
    });
    const first = await checkout(handlerWith(dynamo), 'warm-up', 'price-partial-writeback');
    fault.remove();
    const priceRecord = async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: stack.names.pricesTable,
            Key: { priceId: 'price-partial-writeback' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const leftWithout = (await priceRecord())?.stripePriceId === undefined;
    const stripeCallsBefore = stack.stripeSandbox?.state.requests.length ?? 0;
    const retry = await checkout(handlerWith(dynamo), 'warm-up', 'price-partial-writeback');
    const pricesCreated = (stack.stripeSandbox?.state.requests ?? [])
      .slice(stripeCallsBefore)
      .filter((r) => r.method === 'POST' && r.path === '/v1/prices').length;
    const prices = stripeObjects('price').filter(
      (p) => (p.metadata as Record<string, string>).priceId === 'price-partial-writeback',
    );
    rows.push({
      step: 'price write-back after the Stripe price',
      first: first.answer,
      left: 'the sync record; no Stripe id in the pricing table',
      retry: `${retry.answer} (${String(pricesCreated)} Stripe price calls)`,
      result: `${String(prices.length)} price`,
    });
    expect(first.answer).toBe('500 internal_error');
    expect(leftWithout).toBe(true);
    expect(retry.status).toBe(200);
    expect(pricesCreated).toBe(0);
    expect(prices).toHaveLength(1);
    expect((await priceRecord())?.stripePriceId).toBe(prices[0]?.id);
    dynamo.destroy();
  });
});

describe('one Stripe customer per user, whatever the claims, whenever the retry', () => {
  it('30 concurrent first checkouts whose tokens carry different emails: all 200, one customer', async () => {
    const userId = 'claims-race';
    const handler = handlerWith();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        checkout(handler, userId, 'price-pro-monthly', { email: `ada+${String(i)}@example.com` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => 200));
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(customersOf(userId)).toHaveLength(1);
    // The customer carries the email of the reservation that won (one request's claims,
    // never a mix). The mapping then follows each later request's claims: the requests
    // Stripe's rate limits sent back came again after the mapping was complete.
    const emails = Array.from({ length: 30 }, (_, i) => `ada+${String(i)}@example.com`);
    expect(emails).toContain(customersOf(userId)[0]?.email);
    expect((await customerRecord(userId))?.stripeCustomerId).toBe(customersOf(userId)[0]?.id);
  });

  it('a retry more than 24 hours after the mapping write failed finds the customer instead of creating one', async () => {
    const userId = 'late-retry';
    const dynamo = localDynamoClient(stack.endpoints.dynamodb);
    const fault = injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 1,
      error: serviceUnavailable,
    });
    expect((await checkout(handlerWith(dynamo), userId, 'price-pro-monthly')).status).toBe(500);
    fault.remove();
    const created = customersOf(userId);
    expect(created).toHaveLength(1);

    // Two days pass: Stripe forgets the idempotency key, the reservation ages.
    await fetch(`${stack.stripeSandbox?.url ?? ''}/_sandbox/idempotency-keys/expire`, {
      method: 'POST',
    });
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await documents.send(
      new UpdateCommand({
        TableName: stack.names.customersTable,
        Key: { userId },
        UpdateExpression: 'SET createdAt = :t, updatedAt = :t',
        ExpressionAttributeValues: { ':t': twoDaysAgo },
      }),
    );

    const retry = await checkout(handlerWith(dynamo), userId, 'price-pro-monthly');
    rows.push({
      step: 'mapping write, retried 2 days later (key expired)',
      first: '500 internal_error',
      left: 'a 2-day-old reservation; the key forgotten by Stripe',
      retry: retry.answer,
      result: `${String(customersOf(userId).length)} customer (found by search)`,
    });
    expect(retry.status).toBe(200);
    expect(retry.customerId).toBe(created[0]?.id);
    expect(customersOf(userId)).toHaveLength(1);
    dynamo.destroy();
  });

  it('without the search the late retry would create a second customer (the fault the rule prevents)', async () => {
    // Same key expired, no reservation to warn: what a plain create does after 24 hours.
    const userId = 'late-retry';
    await fetch(`${stack.stripeSandbox?.url ?? ''}/_sandbox/idempotency-keys/expire`, {
      method: 'POST',
    });
    const stripe = stack.stripeSandbox;
    const response = await fetch(`${stripe?.url ?? ''}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRETS.stripeSecretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': `customer-${userKey(userId)}`,
      },
      body: `metadata[userKey]=${userKey(userId)}`,
    });
    expect(response.status).toBe(200);
    expect(customersOf(userId)).toHaveLength(2);
  });
});

describe('user ids exactly as given', () => {
  it.each([
    ['non-ASCII', 'Zoë 用户 🦊'],
    ['control characters', 'line\nbreak\u0001'],
    ['surrounding spaces', ' spaced '],
    ['512 characters', '🦊'.repeat(512)],
  ])('%s: checkout works end to end and makes one customer', async (_case, userId) => {
    const first = await checkout(handlerWith(), userId, 'price-pro-monthly');
    const again = await checkout(handlerWith(), userId, 'price-pro-monthly');
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.customerId).toBe(first.customerId);
    expect(customersOf(userId)).toHaveLength(1);
    expect((await customerRecord(userId))?.stripeCustomerId).toBe(first.customerId);
  });

  it('"a" and " a " are two users with two customers', async () => {
    const plain = await checkout(handlerWith(), 'a', 'price-pro-monthly');
    const spaced = await checkout(handlerWith(), ' a ', 'price-pro-monthly');
    expect(plain.customerId).not.toBe(spaced.customerId);
  });

  it('a user id of 513 characters is refused with a 401 and changes nothing', async () => {
    const result = await checkout(handlerWith(), 'x'.repeat(513), 'price-pro-monthly');
    expect(result.answer).toBe('401 invalid_token');
    expect(await customerRecord('x'.repeat(513))).toBeUndefined();
  });
});
