import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEPENDENCY_BUDGETS } from '../../../../lambda/core/dependencies';
import { SNSClient } from '@aws-sdk/client-sns';
import { buildApiHandler } from '../../../../lambda/api/composition-root';
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
import type { ObjectKind, StripeObject } from 'stripe-sandbox';
import { apiEvent, lambdaContext } from '../../../support/api-events';
import { putUnsyncedPrice } from '../../../support/catalog-records';
import {
  type BadRequest,
  CORPUS_USER_RATE_LIMIT,
  fullCorpus,
} from '../../../support/bad-input-corpus';
import { changes, keptChanges, sendBadRequest, stackState } from '../../../support/side-effects';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../../support/stripe-events';
import { signAccessToken } from '../../../support/tokens';
import { silentLogger, startTestStack } from '../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * The resilience suite (`npm run test:resilience`): every endpoint's bad input, and faults
 * in the middle of a request, each answered cleanly, leaving no half-written state, and
 * completed exactly once by the retry. It prints its figures (RELIABILITY.md records them).
 */
const SECRETS = LOCAL_SECRET_DEFAULTS;
const DEAD_ENDPOINT = 'http://127.0.0.1:9';
const deadClientConfig = {
  endpoint: DEAD_ENDPOINT,
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
};

let stack: LocalStack;
let foreignSessionId = '';

interface CorpusRow {
  cases: number;
  asExpected: number;
  withSideEffects: number;
}
interface FaultRow {
  fault: string;
  firstAnswer: string;
  leftBehind: string;
  retry: string;
  exactlyOnce: string;
}
const corpusRows = new Map<string, CorpusRow>();
const faultRows: FaultRow[] = [];

beforeAll(async () => {
  // The corpus's burst needs a per-user limit; no other test here comes near it.
  stack = await startTestStack({ userRateLimit: CORPUS_USER_RATE_LIMIT });
  const owner = await checkout('corpus-session-owner', 'price-pro-monthly');
  foreignSessionId = owner.body.checkoutSessionId ?? '';
});

afterAll(async () => {
  await stack.stop();
  printSummary();
});

async function tokenFor(userId: string): Promise<string> {
  return signAccessToken({ secret: SECRETS.jwtAccessTokenSecret, subject: userId });
}

function checkoutBody(priceId: string) {
  return {
    priceId,
    successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${stack.apiUrl}/`,
  };
}

async function checkout(userId: string, priceId: string) {
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor(userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(checkoutBody(priceId)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** The API function built by its composition root, with the clients a fault needs. */
function apiHandler(infrastructure: { dynamo?: DynamoDBClient; stripeTimeoutMs?: number }) {
  const { api, secrets, stripeConnection } = stack.functions;
  return buildApiHandler(api, {
    dynamo: infrastructure.dynamo ?? localDynamoClient(stack.endpoints.dynamodb),
    secrets,
    stripeConnection: {
      ...stripeConnection,
      ...(infrastructure.stripeTimeoutMs !== undefined
        ? { timeoutMs: infrastructure.stripeTimeoutMs }
        : {}),
    },
    logger: silentLogger(),
  });
}

async function checkoutThrough(
  handler: ReturnType<typeof apiHandler>,
  userId: string,
  priceId: string,
) {
  const response = await handler(
    apiEvent(ROUTES.createCheckoutSession, {
      headers: {
        authorization: `Bearer ${await tokenFor(userId)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(checkoutBody(priceId)),
    }),
    lambdaContext(),
  );
  const body = JSON.parse(response.body) as { error?: { code: string } };
  return `${String(response.statusCode)}${body.error ? ` ${body.error.code}` : ''}`;
}

function webhookHandler(infrastructure: { dynamo?: DynamoDBClient; sns?: SNSClient }) {
  return buildWebhookHandler(stack.functions.webhook, {
    dynamo: infrastructure.dynamo ?? localDynamoClient(stack.endpoints.dynamodb),
    sns: infrastructure.sns ?? localSnsClient(stack.endpoints.sns),
    secrets: stack.functions.secrets,
    logger: silentLogger(),
  });
}

async function deliverThrough(handler: ReturnType<typeof webhookHandler>, payload: string) {
  const response = await handler(
    apiEvent(ROUTES.stripeWebhook, {
      headers: { 'stripe-signature': signatureFor(payload, SECRETS.stripeWebhookSecret) },
      body: payload,
    }),
    lambdaContext(),
  );
  const body = JSON.parse(response.body) as { error?: { code: string } };
  return `${String(response.statusCode)}${body.error ? ` ${body.error.code}` : ''}`;
}

async function deliverToStack(payload: string): Promise<number> {
  const response = await fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: { 'stripe-signature': signatureFor(payload, SECRETS.stripeWebhookSecret) },
    body: payload,
  });
  return response.status;
}

async function injectStripeFault(fault: {
  status?: number;
  delay_ms?: number;
  count: number;
  path_prefix: string;
}) {
  await fetch(`${stack.stripeSandbox?.url ?? ''}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
}

const stripeObjects = (kind: ObjectKind, metadataKey: string, value: string): StripeObject[] =>
  (stack.stripeSandbox?.state.store.list(kind) ?? []).filter(
    (object) => (object.metadata as Record<string, string> | undefined)?.[metadataKey] === value,
  );
const sessionsOf = (userId: string) =>
  (stack.stripeSandbox?.state.store.list('checkout.session') ?? []).filter(
    (session) => session.client_reference_id === userId,
  );
const messagesFor = async (stripeEventId: string) =>
  (await stack.billingEvents.events()).filter(
    (message) => (message.event as BillingEvent).stripeEventId === stripeEventId,
  );

describe('bad input on every endpoint: the contract answer and no side effects', () => {
  const corpus = fullCorpus();
  it.each(corpus.map((c) => [`${c.endpoint}: ${c.name}`, c] as const))(
    '%s',
    async (_, badRequest: BadRequest) => {
      const outcome = await sendBadRequest(
        stack,
        {
          apiUrl: stack.apiUrl,
          jwtSecret: SECRETS.jwtAccessTokenSecret,
          webhookSecret: SECRETS.stripeWebhookSecret,
          foreignSessionId,
          userRateLimit: CORPUS_USER_RATE_LIMIT,
        },
        badRequest,
      );
      const row = corpusRows.get(badRequest.endpoint) ?? {
        cases: 0,
        asExpected: 0,
        withSideEffects: 0,
      };
      row.cases++;
      if (outcome.status === badRequest.status && outcome.code === badRequest.code)
        row.asExpected++;
      const unexpected =
        [...outcome.changes].sort().join() !== keptChanges(stack, badRequest).join();
      if (unexpected) row.withSideEffects++;
      corpusRows.set(badRequest.endpoint, row);
      expect([outcome.status, outcome.code]).toEqual([badRequest.status, badRequest.code]);
      // A refused event is kept for an operator (`keeps`); anything else changes nothing.
      expect([...outcome.changes].sort()).toEqual(keptChanges(stack, badRequest));
    },
  );
});

describe('faults in the middle of a request', () => {
  it('DynamoDB unreachable during checkout: 500, nothing written, the retry creates one customer', async () => {
    const userId = 'fault-dynamodb-checkout';
    const before = await stackState(stack);
    const first = await checkoutThrough(
      apiHandler({ dynamo: new DynamoDBClient(deadClientConfig) }),
      userId,
      'price-pro-monthly',
    );
    const left = changes(before, await stackState(stack));
    const retry = await checkout(userId, 'price-pro-monthly');
    const customers = stripeObjects('customer', 'userId', userId).length;
    faultRows.push({
      fault: 'DynamoDB unreachable (checkout)',
      firstAnswer: first,
      leftBehind: left.join('; ') || 'nothing',
      retry: String(retry.status),
      exactlyOnce: `${String(customers)} customer, ${String(sessionsOf(userId).length)} session`,
    });
    expect(first).toBe('500 internal_error');
    expect(left).toEqual([]);
    expect(retry.status).toBe(200);
    expect([customers, sessionsOf(userId).length]).toEqual([1, 1]);
  });

  it('Stripe failing (500) on the session: 502, the retry opens one session on the one customer', async () => {
    const userId = 'fault-stripe-500';
    await injectStripeFault({
      status: 500,
      count: DEPENDENCY_BUDGETS.stripe.maxAttempts,
      path_prefix: '/v1/checkout/sessions',
    });
    const first = await checkoutThrough(apiHandler({}), userId, 'price-pro-monthly');
    const retry = await checkout(userId, 'price-pro-monthly');
    const customers = stripeObjects('customer', 'userId', userId).length;
    faultRows.push({
      fault: 'Stripe 500 (checkout session)',
      firstAnswer: first,
      leftBehind: 'the customer and its mapping (complete, reused)',
      retry: String(retry.status),
      exactlyOnce: `${String(customers)} customer, ${String(sessionsOf(userId).length)} session`,
    });
    expect(first).toBe('502 stripe_error');
    expect(retry.status).toBe(200);
    expect([customers, sessionsOf(userId).length]).toEqual([1, 1]);
  });

  it('Stripe timing out while a price syncs: 502, no local sync state, the retry gets the same price', async () => {
    await putUnsyncedPrice(stack, 'price-fault-timeout', 'prod-fault-timeout');
    const before = await stackState(stack);
    await injectStripeFault({
      delay_ms: 1_000,
      count: DEPENDENCY_BUDGETS.stripe.maxAttempts,
      path_prefix: '/v1/prices',
    });
    const first = await checkoutThrough(
      apiHandler({ stripeTimeoutMs: 300 }),
      'fault-timeout',
      'price-fault-timeout',
    );
    // The delayed requests still reach the sandbox, as a timed-out request may reach Stripe.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await stackState(stack);
    const localSync =
      after.tables[stack.names.catalogSyncTable] === before.tables[stack.names.catalogSyncTable] &&
      after.tables[stack.names.pricesTable] === before.tables[stack.names.pricesTable];
    const retry = await checkout('fault-timeout', 'price-fault-timeout');
    const prices = stripeObjects('price', 'priceId', 'price-fault-timeout').length;
    const products = stripeObjects('product', 'productId', 'prod-fault-timeout').length;
    faultRows.push({
      fault: 'Stripe timeout (price sync)',
      firstAnswer: first,
      leftBehind: localSync ? 'no sync record, no price write-back' : 'local sync state',
      retry: String(retry.status),
      exactlyOnce: `${String(products)} product, ${String(prices)} price`,
    });
    expect(first).toBe('502 stripe_error');
    expect(localSync).toBe(true);
    expect(retry.status).toBe(200);
    expect([products, prices]).toEqual([1, 1]);
  });

  it.each([
    ['SNS unreachable (webhook)', () => webhookHandler({ sns: new SNSClient(deadClientConfig) })],
    [
      'DynamoDB unreachable (webhook)',
      () => webhookHandler({ dynamo: new DynamoDBClient(deadClientConfig) }),
    ],
  ])(
    '%s: 500, nothing recorded or published, one message after the retries',
    async (fault, failing) => {
      const payload = JSON.stringify(
        stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
      );
      const id = (JSON.parse(payload) as { id: string }).id;
      const before = await stackState(stack);
      const first = await deliverThrough(failing(), payload);
      const left = changes(before, await stackState(stack));
      const retry = await deliverToStack(payload);
      const redelivery = await deliverToStack(payload);
      const messages = (await messagesFor(id)).length;
      faultRows.push({
        fault,
        firstAnswer: first,
        leftBehind: left.join('; ') || 'nothing',
        retry: `${String(retry)}, redelivery ${String(redelivery)}`,
        exactlyOnce: `${String(messages)} message`,
      });
      expect(first).toBe('500 internal_error');
      expect(left).toEqual([]);
      expect([retry, redelivery, messages]).toEqual([200, 200, 1]);
    },
  );

  it('Stripe failing (500) on the portal: 502, nothing written, the retry opens the portal', async () => {
    const userId = 'fault-portal';
    await checkout(userId, 'price-pro-monthly');
    const before = await stackState(stack);
    await injectStripeFault({
      status: 500,
      count: DEPENDENCY_BUDGETS.stripe.maxAttempts,
      path_prefix: '/v1/billing_portal',
    });
    const portal = async () => {
      const response = await fetch(`${stack.apiUrl}${ROUTES.createPortalSession.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await tokenFor(userId)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ returnUrl: `${stack.apiUrl}/` }),
      });
      const body = (await response.json()) as { error?: { code: string } };
      return `${String(response.status)}${body.error ? ` ${body.error.code}` : ''}`;
    };
    const first = await portal();
    const after = await stackState(stack);
    const tablesUnchanged = Object.keys(before.tables).every(
      (t) => before.tables[t] === after.tables[t],
    );
    const retry = await portal();
    faultRows.push({
      fault: 'Stripe 500 (portal)',
      firstAnswer: first,
      leftBehind: tablesUnchanged ? 'nothing' : 'table changes',
      retry,
      exactlyOnce: 'n/a (read-only for us)',
    });
    expect(first).toBe('502 stripe_error');
    expect(tablesUnchanged).toBe(true);
    expect(retry).toBe('200');
  });
});

function printSummary(): void {
  const lines = [
    '',
    'Resilience summary',
    '',
    '| endpoint | bad requests | answered per contract | with side effects |',
    '| --- | ---: | ---: | ---: |',
  ];
  let total = 0;
  for (const [endpoint, row] of corpusRows) {
    total += row.cases;
    lines.push(
      `| \`${endpoint}\` | ${String(row.cases)} | ${String(row.asExpected)} | ${String(row.withSideEffects)} |`,
    );
  }
  lines.push(
    `| all | ${String(total)} | ${String([...corpusRows.values()].reduce((n, r) => n + r.asExpected, 0))} | ${String([...corpusRows.values()].reduce((n, r) => n + r.withSideEffects, 0))} |`,
  );
  lines.push(
    '',
    '| fault | first answer | left behind | retry | exactly once |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const row of faultRows) {
    lines.push(
      `| ${row.fault} | ${row.firstAnswer} | ${row.leftBehind} | ${row.retry} | ${row.exactlyOnce} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
