import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { buildApiHandler } from '../../lambda/api/composition-root';
import {
  awsClientSettings,
  DEPENDENCY_BUDGETS,
  namedDependency,
  worstCaseMs,
} from '../../lambda/core/dependencies';
import { SecretsManagerStore } from '../../lambda/core/secrets';
import type { BillingEvent } from '../../lambda/domain/billing-event';
import { ROUTES } from '../../lambda/shared/routes';
import { buildWebhookHandler } from '../../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import type { LocalStack } from '../../local/local-stack';
import { LOCAL_REGION, localDynamoClient, localSnsClient } from '../../local/services/aws-clients';
import { startTestStack } from '../integration/support';
import { apiEvent, lambdaContext } from '../support/api-events';
import { CapturingLogger } from '../support/log-capture';
import { startBlackHole, startStallingProxy, type StallingProxy } from '../support/stalling-proxy';
import { paymentIntentObject, signatureFor, stripeEvent } from '../support/stripe-events';
import { signAccessToken } from '../support/tokens';

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

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

const answerOf = (response: { statusCode: number; body: string }) => {
  const body = JSON.parse(response.body) as { error?: { code: string } };
  return `${String(response.statusCode)}${body.error ? ` ${body.error.code}` : ''}`;
};

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
    const handler = buildApiHandler(stack.functions.api, {
      dynamo: localDynamoClient(stalling.endpoint),
      secrets: stack.functions.secrets,
      logger,
      ...(stack.functions.stripeConnection
        ? { stripeConnection: stack.functions.stripeConnection }
        : {}),
    });
    stalling.stall();
    const { result, ms } = await timed(async () =>
      handler(await checkoutEvent('stall-dynamodb'), lambdaContext()),
    );
    rows.push({
      dependency: 'DynamoDB (checkout)',
      answer: answerOf(result),
      seconds: seconds(ms),
      budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS.dynamodb)),
      log: failureLine(logger.lines),
    });
    expect(answerOf(result)).toBe('500 internal_error');
    expect(failureLine(logger.lines)).toBe('DynamoDB GetItem');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);

    stalling.resume();
    const retry = await handler(await checkoutEvent('stall-dynamodb'), lambdaContext());
    expect(retry.statusCode).toBe(200);
  });

  it('SNS stalled during a webhook: 500, no completed record; the redelivery publishes once', async () => {
    const stalling = await startStallingProxy(stack.endpoints.sns);
    proxy = stalling;
    const logger = new CapturingLogger();
    const build = (sns: string) =>
      buildWebhookHandler(stack.functions.webhook, {
        dynamo: localDynamoClient(stack.endpoints.dynamodb),
        sns: localSnsClient(sns),
        secrets: stack.functions.secrets,
        logger,
      });
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const payload = JSON.stringify(event);
    stalling.stall();
    const { result, ms } = await timed(() =>
      build(stalling.endpoint)(webhookEvent(payload), lambdaContext()),
    );
    rows.push({
      dependency: 'SNS (webhook)',
      answer: answerOf(result),
      seconds: seconds(ms),
      budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS.sns)),
      log: failureLine(logger.lines),
    });
    expect(answerOf(result)).toBe('500 internal_error');
    expect(failureLine(logger.lines)).toBe('SNS Publish');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);

    const redelivery = await build(stack.endpoints.sns)(webhookEvent(payload), lambdaContext());
    expect(redelivery.statusCode).toBe(200);
    expect(await messagesFor(String(event.id))).toHaveLength(1);
  });

  it('DynamoDB stalled during a webhook: 500, nothing published; the redelivery publishes once', async () => {
    const stalling = await startStallingProxy(stack.endpoints.dynamodb);
    proxy = stalling;
    const logger = new CapturingLogger();
    const build = (dynamodb: string) =>
      buildWebhookHandler(stack.functions.webhook, {
        dynamo: localDynamoClient(dynamodb),
        sns: localSnsClient(stack.endpoints.sns),
        secrets: stack.functions.secrets,
        logger,
      });
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const payload = JSON.stringify(event);
    stalling.stall();
    const { result, ms } = await timed(() =>
      build(stalling.endpoint)(webhookEvent(payload), lambdaContext()),
    );
    rows.push({
      dependency: 'DynamoDB (webhook)',
      answer: answerOf(result),
      seconds: seconds(ms),
      budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS.dynamodb)),
      log: failureLine(logger.lines),
    });
    expect(result.statusCode).toBe(500);
    expect(failureLine(logger.lines)).toMatch(/^DynamoDB /);
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(await messagesFor(String(event.id))).toHaveLength(0);

    const redelivery = await build(stack.endpoints.dynamodb)(
      webhookEvent(payload),
      lambdaContext(),
    );
    expect(redelivery.statusCode).toBe(200);
    expect(await messagesFor(String(event.id))).toHaveLength(1);
  });

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
    const handler = buildWebhookHandler(stack.functions.webhook, {
      dynamo: localDynamoClient(stack.endpoints.dynamodb),
      sns: localSnsClient(stack.endpoints.sns),
      secrets: new SecretsManagerStore(300, client),
      logger,
    });
    const payload = JSON.stringify(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
    );
    const { result, ms } = await timed(() => handler(webhookEvent(payload), lambdaContext()));
    rows.push({
      dependency: 'Secrets Manager (webhook)',
      answer: answerOf(result),
      seconds: seconds(ms),
      budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS.secretsManager)),
      log: failureLine(logger.lines),
    });
    expect(answerOf(result)).toBe('500 internal_error');
    expect(failureLine(logger.lines)).toBe('Secrets Manager GetSecretValue');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    client.destroy();
  });

  it('Stripe stalled during checkout: 502, Stripe named with the operation and error type', async () => {
    const sandbox = stack.stripeSandbox;
    if (!sandbox) throw new Error('The test stack runs the Stripe sandbox.');
    const logger = new CapturingLogger();
    const handler = buildApiHandler(stack.functions.api, {
      dynamo: localDynamoClient(stack.endpoints.dynamodb),
      secrets: stack.functions.secrets,
      logger,
      ...(stack.functions.stripeConnection
        ? { stripeConnection: stack.functions.stripeConnection }
        : {}),
    });
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
    const { result, ms } = await timed(async () =>
      handler(await checkoutEvent('stall-stripe'), lambdaContext()),
    );
    rows.push({
      dependency: 'Stripe (checkout)',
      answer: answerOf(result),
      seconds: seconds(ms),
      budget: seconds(worstCaseMs(DEPENDENCY_BUDGETS.stripe)),
      log: failureLine(logger.lines),
    });
    expect(answerOf(result)).toBe('502 stripe_error');
    expect(failureLine(logger.lines)).toBe('Stripe customers.create (StripeConnectionError)');
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
  });
});
