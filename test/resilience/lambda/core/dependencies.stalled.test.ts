import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { buildApiHandler } from '../../../../lambda/api/composition-root';
import {
  awsClientSettings,
  DEPENDENCY_BUDGETS,
  type DependencyName,
  namedDependency,
  worstCaseMs,
} from '../../../../lambda/core/dependencies';
import { type SecretStore, SecretsManagerStore } from '../../../../lambda/core/secrets';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../lambda/shared/routes';
import { buildWebhookHandler } from '../../../../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS } from '../../../../local/config';
import type { LocalStack } from '../../../../local/local-stack';
import {
  LOCAL_REGION,
  localDynamoClient,
  localSnsClient,
} from '../../../../local/services/aws-clients';
import { startTestStack } from '../../../support/test-stack';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { CapturingLogger } from '../../../support/log-capture';
import {
  startBlackHole,
  startStallingProxy,
  type StallingProxy,
} from '../../../support/stalling-proxy';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../../support/stripe-events';
import { signAccessToken } from '../../../support/tokens';

jest.setTimeout(60_000);

/**
 * Each dependency stalled (it accepts the connection and never answers, as a process
 * stopped with SIGSTOP does), through the real handlers: the request fails with a 5xx
 * within the dependency's budget, the log names the dependency and the operation, and
 * once the dependency is back the retry completes exactly once. The measured seconds are
 * printed for RELIABILITY.md; the assertion on time is the function timeout only (15 s),
 * the budgets themselves are held under 10 s by a unit test.
 */
const SECRETS = LOCAL_SECRET_DEFAULTS;
const FUNCTION_TIMEOUT_MS = 15_000;

let stack: LocalStack;
const rows: { dependency: string; answer: string; seconds: string; budget: string; log: string }[] =
  [];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
  console.log(
    [
      'Stalled dependencies (npm run test:resilience):',
      '| dependency stalled | answer | failed after | budget (worst case) | logged |',
      '| --- | --- | ---: | ---: | --- |',
      ...rows.map(
        (r) => `| ${r.dependency} | ${r.answer} | ${r.seconds} s | ${r.budget} s | ${r.log} |`,
      ),
    ].join('\n'),
  );
});

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** The log line that reports the failure, as `dependency operation` (or Stripe's fields). */
function failureLine(lines: readonly LogAttributes[]): string {
  const line = lines.find((l) => l.message === 'Dependency failed' || l.dependency === 'Stripe');
  if (!line) return 'nothing';
  const type = typeof line.stripeErrorType === 'string' ? ` (${line.stripeErrorType})` : '';
  return `${String(line.dependency)} ${String(line.operation)}${type}`;
}

const answerOf = (response: { statusCode: number; body: string }) => {
  const body = JSON.parse(response.body) as { error?: { code: string } };
  return `${String(response.statusCode)}${body.error ? ` ${body.error.code}` : ''}`;
};

/** Runs one request against a stalled dependency, records its row, returns what to assert. */
async function measure(
  row: { dependency: string; budget: DependencyName },
  logger: CapturingLogger,
  request: () => Promise<{ statusCode: number; body: string }>,
): Promise<{ answer: string; logged: string; ms: number }> {
  const started = Date.now();
  const answer = answerOf(await request());
  const ms = Date.now() - started;
  const logged = failureLine(logger.lines);
  rows.push({
    dependency: row.dependency,
    answer,
    seconds: seconds(ms),
    budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS[row.budget])),
    log: logged,
  });
  return { answer, logged, ms };
}

/** The webhook function as its composition root builds it, on the endpoints given. */
function webhookHandler(
  logger: CapturingLogger,
  endpoints: { dynamodb?: string; sns?: string; secrets?: SecretStore } = {},
) {
  return buildWebhookHandler(stack.functions.webhook, {
    dynamo: localDynamoClient(endpoints.dynamodb ?? stack.endpoints.dynamodb),
    sns: localSnsClient(endpoints.sns ?? stack.endpoints.sns),
    secrets: endpoints.secrets ?? stack.functions.secrets,
    logger,
  });
}

/** The API function as its composition root builds it, on the DynamoDB endpoint given. */
function apiHandler(logger: CapturingLogger, dynamodb = stack.endpoints.dynamodb) {
  return buildApiHandler(stack.functions.api, {
    dynamo: localDynamoClient(dynamodb),
    secrets: stack.functions.secrets,
    logger,
    ...(stack.functions.stripeConnection
      ? { stripeConnection: stack.functions.stripeConnection }
      : {}),
  });
}

async function checkoutEvent(userId: string) {
  const token = await signAccessToken({ secret: SECRETS.jwtAccessTokenSecret, subject: userId });
  return apiEvent(ROUTES.createCheckoutSession, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      priceId: 'price-pro-monthly',
      successUrl: `${stack.apiUrl}/success`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
}

function webhookEvent(payload: string) {
  return apiEvent(ROUTES.stripeWebhook, {
    headers: { 'stripe-signature': signatureFor(payload, SECRETS.stripeWebhookSecret) },
    body: payload,
  });
}

const messagesFor = async (stripeEventId: string) =>
  (await stack.billingEvents.events()).filter(
    (message) => (message.event as BillingEvent).stripeEventId === stripeEventId,
  );

describe('a stalled dependency fails the request within its budget, named in the log', () => {
  let proxy: Pick<StallingProxy, 'close'> | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('DynamoDB stalled during checkout: 500, DynamoDB named; the retry succeeds', async () => {
    const stalling = await startStallingProxy(stack.endpoints.dynamodb);
    proxy = stalling;
    const logger = new CapturingLogger();
    const handler = apiHandler(logger, stalling.endpoint);
    stalling.stall();
    const { answer, logged, ms } = await measure(
      { dependency: 'DynamoDB (checkout)', budget: 'dynamodb' },
      logger,
      async () => handler(await checkoutEvent('stall-dynamodb'), lambdaContext()),
    );
    expect([answer, logged]).toEqual(['500 internal_error', 'DynamoDB GetItem']);
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);

    stalling.resume();
    const retry = await handler(await checkoutEvent('stall-dynamodb'), lambdaContext());
    expect(retry.statusCode).toBe(200);
  });

  it.each([
    ['SNS', 'sns', 'SNS Publish'],
    ['DynamoDB', 'dynamodb', /^DynamoDB /],
  ] as const)(
    '%s stalled during a webhook: 500, nothing published, no completed record; the redelivery publishes once',
    async (label, dependency, expectedLog) => {
      const stalling = await startStallingProxy(stack.endpoints[dependency]);
      proxy = stalling;
      const logger = new CapturingLogger();
      const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
      const payload = JSON.stringify(event);
      stalling.stall();
      const { answer, logged, ms } = await measure(
        { dependency: `${label} (webhook)`, budget: dependency },
        logger,
        () =>
          webhookHandler(logger, { [dependency]: stalling.endpoint })(
            webhookEvent(payload),
            lambdaContext(),
          ),
      );
      expect(answer).toBe('500 internal_error');
      expect(logged).toMatch(expectedLog);
      expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(await messagesFor(String(event.id))).toHaveLength(0);

      const redelivery = await webhookHandler(logger)(webhookEvent(payload), lambdaContext());
      expect(redelivery.statusCode).toBe(200);
      expect(await messagesFor(String(event.id))).toHaveLength(1);
    },
  );

  it('Secrets Manager stalled: the webhook answers 500, Secrets Manager named', async () => {
    const blackHole = await startBlackHole();
    proxy = blackHole;
    const logger = new CapturingLogger();
    const client = namedDependency(
      new SecretsManagerClient({
        ...awsClientSettings('secretsManager'),
        endpoint: blackHole.endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
      'secretsManager',
    );
    const handler = webhookHandler(logger, { secrets: new SecretsManagerStore(300, client) });
    const payload = JSON.stringify(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
    );
    const { answer, logged, ms } = await measure(
      { dependency: 'Secrets Manager (webhook)', budget: 'secretsManager' },
      logger,
      () => handler(webhookEvent(payload), lambdaContext()),
    );
    expect([answer, logged]).toEqual(['500 internal_error', 'Secrets Manager GetSecretValue']);
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    client.destroy();
  });

  it('Stripe stalled during checkout: 502, Stripe named with the operation and error type', async () => {
    const sandbox = stack.stripeSandbox;
    if (!sandbox) throw new Error('The test stack runs the Stripe sandbox.');
    const logger = new CapturingLogger();
    // Every attempt the SDK makes waits far past its timeout: a Stripe that never answers.
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        delay_ms: 20_000,
        count: DEPENDENCY_BUDGETS.stripe.maxAttempts,
        path_prefix: '/v1/customers',
      }),
    });
    const handler = apiHandler(logger);
    const { answer, logged, ms } = await measure(
      { dependency: 'Stripe (checkout)', budget: 'stripe' },
      logger,
      async () => handler(await checkoutEvent('stall-stripe'), lambdaContext()),
    );
    expect([answer, logged]).toEqual([
      '502 stripe_error',
      'Stripe customers.create (StripeConnectionError)',
    ]);
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
  });
});
