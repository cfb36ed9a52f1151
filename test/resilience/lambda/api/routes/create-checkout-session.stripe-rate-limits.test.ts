import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { buildApiHandler } from '../../../../../lambda/api/composition-root';
import { userKey } from '../../../../../lambda/domain/stripe-identity';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient } from '../../../../../local/services/aws-clients';
import { silentLogger, startTestStack } from '../../../../support/test-stack';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { signAccessToken } from '../../../../support/tokens';

jest.setTimeout(90_000);

/**
 * Checkout when Stripe's rate limits refuse it (contract section 4, "Limits"): the sandbox
 * enforces Stripe's limits, here tightened to one request a second per endpoint so a
 * burst meets them however slowly a loaded machine sends it. Every answer is a 200 or a
 * 503 `stripe_rate_limited` with `Retry-After` (never 502), nothing is half-written, and
 * the refused users' retries converge on exactly one Stripe customer each.
 */
let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
  // Sync the sample price first (its own Stripe calls), under Stripe's default limits.
  expect((await checkout('rate-warm-up')).status).toBe(200);
});
afterAll(async () => {
  documents.destroy();
  await stack.stop();
});

async function sandboxRateLimits(body: Record<string, string>): Promise<void> {
  const response = await fetch(`${stack.stripeSandbox?.url ?? ''}/_sandbox/rate-limits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function checkout(userId: string) {
  const api = buildApiHandler(stack.functions.api, {
    dynamo: localDynamoClient(stack.endpoints.dynamodb),
    secrets: stack.functions.secrets,
    logger: silentLogger(),
    ...(stack.functions.stripeConnection
      ? { stripeConnection: stack.functions.stripeConnection }
      : {}),
  });
  const token = await signAccessToken({
    secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
    subject: userId,
  });
  const response = await api(
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId: 'price-pro-monthly',
        successUrl: `${stack.apiUrl}/success`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    }),
    lambdaContext(),
  );
  const body = JSON.parse(response.body) as { customerId?: string; error?: { code: string } };
  return {
    status: response.statusCode,
    code: body.error?.code,
    retryAfter: response.headers['Retry-After'],
    customerId: body.customerId,
  };
}

const customersOf = (userId: string) =>
  (stack.stripeSandbox?.state.store.list('customer') ?? []).filter(
    (c) => (c.metadata as Record<string, string>).userKey === userKey(userId),
  );

describe("checkout under Stripe's rate limits", () => {
  it('answers a burst 200 or 503 stripe_rate_limited with Retry-After, and the retries make one customer each', async () => {
    await sandboxRateLimits({ global: '100', per_endpoint: '1' });
    const users = Array.from({ length: 30 }, (_, i) => `rate-user-${String(i)}`);
    const first = await Promise.all(users.map((userId) => checkout(userId)));

    for (const answer of first) {
      if (answer.status === 200) continue;
      expect(answer).toMatchObject({ status: 503, code: 'stripe_rate_limited', retryAfter: '1' });
    }
    const refused = users.filter((_, i) => first[i]?.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(first.some((answer) => answer.status === 200)).toBe(true);

    // The refused users come back once Stripe allows it (limits lifted: the retry's own
    // speed is not what this test is about).
    await sandboxRateLimits({ enabled: 'false' });
    const retried = await Promise.all(refused.map((userId) => checkout(userId)));
    expect(retried.map((answer) => answer.status)).toEqual(refused.map(() => 200));

    for (const [i, userId] of users.entries()) {
      const customers = customersOf(userId);
      const answered = first[i]?.status === 200 ? first[i] : retried[refused.indexOf(userId)];
      expect(customers.map((c) => c.id)).toEqual([answered?.customerId]);
      const record = await documents.send(
        new GetCommand({
          TableName: stack.names.customersTable,
          Key: { userId },
          ConsistentRead: true,
        }),
      );
      expect(record.Item?.stripeCustomerId).toBe(answered?.customerId);
    }
    await sandboxRateLimits({ enabled: 'true' });
  });
});
