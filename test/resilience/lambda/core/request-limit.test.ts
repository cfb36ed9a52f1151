import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildApiHandler } from '../../../../lambda/api/composition-root';
import { namedDependency, USER_RATE_LIMIT_DEADLINE_MS } from '../../../../lambda/core/dependencies';
import { userKey } from '../../../../lambda/domain/stripe-identity';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { UserRequestLimit } from '../../../../lambda/domain/request-limit';
import { ROUTES } from '../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../local/config';
import type { LocalStack } from '../../../../local/local-stack';
import { LOCAL_REGION, localDynamoClient } from '../../../../local/services/aws-clients';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { RecordingMetrics } from '../../../support/emf-capture';
import { startOfRoomyWindow } from '../../../support/limit-windows';
import { CapturingLogger } from '../../../support/log-capture';
import { startBlackHole } from '../../../support/stalling-proxy';
import { sandboxStripe, startTestStack } from '../../../support/test-stack';
import { signAccessToken } from '../../../support/tokens';

jest.setTimeout(60_000);

/**
 * The per-user limiter failing, through the API function as its composition root builds
 * it: with DynamoDB stalled (a black hole) or unreachable, an authenticated request is
 * served uncounted (the limiter fails open), the failure is counted and logged, and the
 * limit holds again once DynamoDB answers. Session status is the route: it needs Stripe
 * alone, so DynamoDB failing touches nothing but the limiter.
 */
const LIMIT: UserRequestLimit = { requests: 2, windowSeconds: 60 };
const OWNER = 'fail-open-owner';

let stack: LocalStack;
let sessionId = '';

beforeAll(async () => {
  stack = await startTestStack({ userRateLimit: LIMIT });
  sessionId = await checkoutSession(OWNER);
});
afterAll(async () => {
  await stack.stop();
});

const token = (userId: string) =>
  signAccessToken({ secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret, subject: userId });

/**
 * A checkout session of `userId`, made at the sandbox directly and named as the service
 * names its sessions' users: the user has no request counted before the tests' own.
 */
async function checkoutSession(userId: string): Promise<string> {
  const stripe = sandboxStripe(stack);
  const product = await stripe.products.create({ name: 'Fail-open course' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1_000,
  });
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: `${stack.apiUrl}/success`,
    client_reference_id: userId,
    metadata: { userKey: userKey(userId) },
  });
  return session.id;
}

/** Session status through the stack's own API function, as the owner. */
async function statusThroughStack(): Promise<number> {
  const response = await fetch(`${stack.apiUrl}/stripe/checkout-sessions/${sessionId}`, {
    headers: { authorization: `Bearer ${await token(OWNER)}` },
  });
  return response.status;
}

/** Session status through an API function whose DynamoDB client is `dynamo`. */
async function statusWith(dynamo: DynamoDBClient) {
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const { api, secrets, stripeConnection } = stack.functions;
  const handler = buildApiHandler(api, {
    dynamo,
    secrets,
    logger,
    metrics,
    ...(stripeConnection ? { stripeConnection } : {}),
  });
  const response = await handler(
    apiEvent(ROUTES.getCheckoutSession, {
      headers: { authorization: `Bearer ${await token(OWNER)}` },
      pathParameters: { id: sessionId },
      rawPath: `/stripe/checkout-sessions/${sessionId}`,
    }),
    lambdaContext(),
  );
  dynamo.destroy();
  const warning = logger.lines.find((line) => line.level === 'WARN');
  return { status: response.statusCode, metrics: metrics.totals(), warning };
}

/** Nothing listens on port 9: every call is refused at once. */
const unreachableDynamo = () =>
  namedDependency(
    new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    }),
    'dynamodb',
  );

describe('a failing per-user limiter fails open', () => {
  it('DynamoDB stalled: the request is served once the limiter’s deadline passes, uncounted', async () => {
    const blackHole = await startBlackHole();
    try {
      const outcome = await statusWith(localDynamoClient(blackHole.endpoint));
      expect(outcome.status).toBe(200);
      expect(outcome.metrics).toEqual({ [METRICS.userRateLimiterFailures]: 1 });
      expect(outcome.warning).toMatchObject({
        message: 'Request limit not checked: serving the request uncounted',
        userId: OWNER,
        error: expect.objectContaining({
          name: 'TimeoutError',
          message: `The request limiter did not answer within ${String(USER_RATE_LIMIT_DEADLINE_MS)} ms.`,
        }) as unknown,
      });
    } finally {
      await blackHole.close();
    }
  });

  it('DynamoDB unreachable: the request is served at once, the failed call named in the log', async () => {
    const outcome = await statusWith(unreachableDynamo());
    expect(outcome.status).toBe(200);
    expect(outcome.metrics).toEqual({ [METRICS.userRateLimiterFailures]: 1 });
    expect(outcome.warning).toMatchObject({
      userId: OWNER,
      dependency: 'DynamoDB',
      operation: 'UpdateItem',
    });
  });

  it('counts no request it served uncounted: with DynamoDB back, the owner has the whole limit', async () => {
    await startOfRoomyWindow(LIMIT.windowSeconds, 10);
    for (let i = 0; i < LIMIT.requests + 1; i++) {
      expect((await statusWith(unreachableDynamo())).status).toBe(200);
    }
    const answers: number[] = [];
    for (let i = 0; i <= LIMIT.requests; i++) answers.push(await statusThroughStack());
    expect(answers).toEqual([...Array<number>(LIMIT.requests).fill(200), 429]);
  });
});
