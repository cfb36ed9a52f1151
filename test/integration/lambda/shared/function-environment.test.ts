import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { DynamoCustomerRepository } from '../../../../lambda/adapters/dynamo-customer-repository';
import { DynamoParkedEventStore } from '../../../../lambda/adapters/dynamo-parked-event-store';
import { requestCounterKey } from '../../../../lambda/adapters/dynamo-user-request-limiter';
import { limitWindow } from '../../../../lambda/domain/request-limit';
import { apiFunction } from '../../../../lambda/api/composition-root';
import type { FunctionClients } from '../../../../lambda/core/cold-start';
import { catalogSnapshotFunction } from '../../../../lambda/catalog/composition-root';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import { eventBridgeFunction } from '../../../../lambda/eventbridge/composition-root';
import type { ReconciliationReport } from '../../../../lambda/reconcile/use-cases/reconciliation-report';
import type { ReplayReport } from '../../../../lambda/reconcile/use-cases/replay-event';
import { reconcileFunction } from '../../../../lambda/reconcile/composition-root';
import {
  ENV,
  type EnvVarName,
  type FunctionEnvironment,
  type FunctionName,
  functionEnvironments,
} from '../../../../lambda/shared/function-environment';
import { ROUTES, type RouteDefinition } from '../../../../lambda/shared/routes';
import { SUBSCRIPTION_ORDER_TABLE, USER_RATE_LIMITS_TABLE } from '../../../../lambda/shared/tables';
import { webhookFunction } from '../../../../lambda/webhook/composition-root';
import { localContext } from '../../../../local/http-adapter';
import type { LocalStack } from '../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../local/services/aws-clients';
import { LOCAL_EVENT_BRIDGE } from '../../../../local/stack/event-bridge';
import { apiEvent } from '../../../support/api-events';
import { putUnsyncedPrice } from '../../../support/catalog-records';
import { captureStdout } from '../../../support/emf-capture';
import { stripeEnvelope } from '../../../support/event-bridge-envelopes';
import { ledgerRecord } from '../../../support/ledger-records';
import { startOfRoomyWindow } from '../../../support/limit-windows';
import { SecretsManagerStandIn, standInClient } from '../../../support/secrets-manager-stand-in';
import {
  paymentIntentObject,
  signatureFor,
  stripeEvent,
  subscriptionObject,
  PERIOD_START,
} from '../../../support/stripe-events';
import { thinNotification } from '../../../support/thin-events';
import { signAccessToken } from '../../../support/tokens';
import { sandboxStripe, startTestStack } from '../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Every setting the stack passes to a function, shown to take effect through the path a
 * deployed function takes: `functionEnvironments` (what the stack sets), then each
 * function's `…Function(env, clients)`, which its index runs at cold start (the
 * configuration loader, the logger and metrics, the Secrets Manager store, the
 * composition root). The values differ from every default and every other setting, so a
 * setting that is dropped, defaulted or wired to the wrong component fails its test. The
 * resources are a local stack's (DynamoDB Local, the SNS emulator, the Stripe sandbox);
 * the secrets are one combined JSON secret, served over Secrets Manager's wire protocol.
 * The last test checks that every variable of every function is covered here.
 */
const COMBINED_SECRET = 'settings-test/combined';
const SECRET_VALUES = {
  stripe: 'sk_test_settings_key',
  webhook: 'whsec_settings_webhook_secret',
  jwt: 'settings-jwt-secret-that-is-long-enough-for-hs256',
};
const ISSUER = 'https://auth.settings.example';
const AUDIENCE = 'stripe-service-settings';
const SHOP = 'https://shop.settings.example';
const METRICS_NAMESPACE = 'settings-test-namespace';
const ENVIRONMENT_NAME = 'settings-env';
const SOURCE = 'aws.partner/stripe.com/ed_settings_test';
const CACHE_SECONDS = 1;
/** Two hours: the test's tokens (an hour) pass, a three-hour one does not (the default allows a day). */
const MAX_TOKEN_LIFETIME_SECONDS = 7_200;
/** Reconciliation's overlap is one interval (at least 10 minutes): 45 is nobody's default. */
const INTERVAL_MINUTES = 45;
const GRACE_DAYS = 3;
/**
 * Three requests a day: the default is 60 a minute, so a fourth request refused, and its
 * counter keyed and expiring by the day, can only come from these settings.
 */
const USER_RATE_LIMIT = { requests: 3, windowSeconds: 86_400 };

const standIn = new SecretsManagerStandIn();
let stack: LocalStack;
let stripe: Stripe;
let env: Readonly<Record<FunctionName, FunctionEnvironment>>;
let aws: FunctionClients;
let documents: DynamoDBDocumentClient;

/** Every function built here writes its metrics to stdout: kept out of the test output. */
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  stdout = captureStdout();
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  const sandbox = stack.stripeSandbox;
  // Only this file's functions take events: the sandbox's deliveries are acknowledged and dropped.
  sandbox.state.delivery.configure({ endpoints: [`${sandbox.url}/_sandbox/sink`] });
  standIn.values.set(COMBINED_SECRET, JSON.stringify(SECRET_VALUES));
  const { stripeConnection } = stack.functions;
  if (!stripeConnection) throw new Error('no sandbox connection');
  aws = {
    dynamo: localDynamoClient(stack.endpoints.dynamodb),
    sns: localSnsClient(stack.endpoints.sns),
    secretsManager: standInClient(await standIn.start()),
    stripeConnection,
  };
  documents = DynamoDBDocumentClient.from(aws.dynamo);
  stripe = sandboxStripe(stack, SECRET_VALUES.stripe);
  const field = (name: keyof typeof SECRET_VALUES) => ({ name: COMBINED_SECRET, field: name });
  env = functionEnvironments({
    ...stack.names,
    billingEventsTopicArn: stack.billingEventsTopicArn,
    secrets: {
      stripeSecretKey: field('stripe'),
      stripeWebhookSecret: field('webhook'),
      jwtAccessTokenSecret: field('jwt'),
    },
    allowedRedirectOrigins: [SHOP],
    jwtIssuer: ISSUER,
    jwtAudience: AUDIENCE,
    jwtMaxLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    // Not the default (7): the access of a past_due subscription shows it was read.
    pastDueGraceDays: GRACE_DAYS,
    userRateLimit: USER_RATE_LIMIT,
    secretsCacheMaxAgeSeconds: CACHE_SECONDS,
    reconcileIntervalMinutes: INTERVAL_MINUTES,
    metricsNamespace: METRICS_NAMESPACE,
    environmentName: ENVIRONMENT_NAME,
    eventBridgeSource: SOURCE,
  });
});
afterAll(async () => {
  aws.secretsManager.destroy();
  await standIn.stop();
  await stack.stop();
  stdout.restore();
});

/** The variables each test below shows to take effect, per function. */
const covered = new Map<FunctionName, Set<EnvVarName>>();

/** A test of `variables` of `fn`, registered as covering them. */
function settingTest(
  fn: FunctionName,
  variables: readonly EnvVarName[],
  name: string,
  test: () => Promise<void>,
): void {
  const set = covered.get(fn) ?? new Set<EnvVarName>();
  for (const variable of variables) set.add(variable);
  covered.set(fn, set);
  it(`${fn}: ${variables.join(', ')}: ${name}`, test);
}

const context = (fn: string): Context => localContext(`settings-${fn}`);
const fresh = {
  api: () => apiFunction(env.api, aws),
  webhook: () => webhookFunction(env.webhook, aws),
  eventBridge: () => eventBridgeFunction(env.eventBridge, aws),
  reconcile: () => reconcileFunction(env.reconcile, aws),
  catalogSnapshot: () => catalogSnapshotFunction(env.catalogSnapshot, aws),
};

// ---- the API ----

const token = (userId: string, claims: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE }) =>
  signAccessToken({ secret: SECRET_VALUES.jwt, subject: userId, claims });

async function callApi(
  route: RouteDefinition,
  options: { token?: string; body?: unknown; handler?: ReturnType<typeof fresh.api> } = {},
) {
  const event: APIGatewayProxyEventV2 = apiEvent(route, {
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      'content-type': 'application/json',
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const response = await (options.handler ?? fresh.api())(event, context('api'));
  return {
    status: response.statusCode,
    body: JSON.parse(response.body || '{}') as Record<string, unknown>,
  };
}

const checkoutBody = (priceId: string, origin = SHOP) => ({
  priceId,
  successUrl: `${origin}/done`,
  cancelUrl: `${origin}/`,
});

/** The user the checkout test maps to a Stripe customer, and that customer. */
const MAPPED_USER = 'settings-user';
let mappedCustomer = '';

describe('the API function', () => {
  settingTest(
    'api',
    [
      ENV.jwtSecretName,
      ENV.jwtSecretField,
      ENV.jwtIssuer,
      ENV.jwtAudience,
      ENV.stripeSecretKeyName,
      ENV.stripeSecretKeyField,
      ENV.productsTable,
      ENV.pricesTable,
      ENV.catalogSyncTable,
      ENV.customersTable,
      ENV.allowedRedirectOrigins,
    ],
    'a checkout with the configured token claims creates the Stripe price and customer with the key from its field',
    async () => {
      await putUnsyncedPrice(stack, 'settings-price', 'settings-product');
      const response = await callApi(ROUTES.createCheckoutSession, {
        token: await token(MAPPED_USER),
        body: checkoutBody('settings-price'),
      });
      expect(response.status).toBe(200);
      const customer = await new DynamoCustomerRepository(
        documents,
        stack.names.customersTable,
      ).get(MAPPED_USER);
      mappedCustomer = customer?.stripeCustomerId ?? '';
      expect(mappedCustomer).toMatch(/^cus_/);
      expect((await stripe.customers.retrieve(mappedCustomer)).id).toBe(mappedCustomer);
      const syncs = await documents.send(
        new ScanCommand({ TableName: stack.names.catalogSyncTable }),
      );
      expect(JSON.stringify(syncs.Items)).toContain('settings-price');
    },
  );

  settingTest(
    'api',
    [ENV.jwtIssuer, ENV.jwtAudience],
    'a token without the configured iss or aud is 401',
    async () => {
      for (const claims of [
        { iss: 'https://elsewhere.example', aud: AUDIENCE },
        { iss: ISSUER, aud: 'another-service' },
        { aud: AUDIENCE },
        { iss: ISSUER },
      ]) {
        const response = await callApi(ROUTES.createCheckoutSession, {
          token: await token('settings-claims', claims),
          body: checkoutBody('settings-price'),
        });
        expect([JSON.stringify(claims), response.status]).toEqual([JSON.stringify(claims), 401]);
      }
    },
  );

  settingTest(
    'api',
    [ENV.jwtMaxLifetimeSeconds],
    'a token that lives longer than the configured maximum is 401',
    async () => {
      const answer = async (expiresIn: number) =>
        (
          await callApi(ROUTES.createCheckoutSession, {
            token: await signAccessToken({
              secret: SECRET_VALUES.jwt,
              subject: 'settings-lifetime',
              claims: { iss: ISSUER, aud: AUDIENCE },
              expiresIn,
            }),
            body: {},
          })
        ).status;
      // Within the configured two hours the token is good (400: the empty body);
      // three hours is refused, although the default maximum (a day) would allow it.
      expect(await answer(MAX_TOKEN_LIFETIME_SECONDS - 60)).toBe(400);
      expect(await answer(3 * 3_600)).toBe(401);
    },
  );

  settingTest(
    'api',
    [ENV.allowedRedirectOrigins],
    'a redirect to an origin not configured is 400',
    async () => {
      const response = await callApi(ROUTES.createCheckoutSession, {
        token: await token('settings-origin'),
        body: checkoutBody('settings-price', 'http://localhost:3000'),
      });
      expect(response.status).toBe(400);
    },
  );

  settingTest(
    'api',
    [ENV.userRateLimitRequests, ENV.userRateLimitWindowSeconds, ENV.userRateLimitTable],
    "a user's request over the configured limit is 429 until the configured window ends, counted in the configured table",
    async () => {
      // Within this file's timeout; the counter's key and expiry below name the day window.
      await startOfRoomyWindow(USER_RATE_LIMIT.windowSeconds, 30);
      const userId = 'settings-limited';
      const handler = fresh.api();
      const answer = async () =>
        handler(
          apiEvent(ROUTES.createCheckoutSession, {
            headers: {
              authorization: `Bearer ${await token(userId)}`,
              'content-type': 'application/json',
            },
            body: '{}',
          }),
          context('api'),
        );
      for (let i = 0; i < USER_RATE_LIMIT.requests; i++) {
        expect((await answer()).statusCode).toBe(400);
      }
      const refused = await answer();
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['Retry-After'])).toBeGreaterThanOrEqual(29);
      const window = limitWindow(Date.now(), USER_RATE_LIMIT.windowSeconds);
      const { Item } = await documents.send(
        new GetCommand({
          TableName: stack.names.userRateLimitTable,
          Key: { [USER_RATE_LIMITS_TABLE.partitionKey.name]: requestCounterKey(userId, window) },
          ConsistentRead: true,
        }),
      );
      expect(Item).toMatchObject({
        [USER_RATE_LIMITS_TABLE.countAttribute]: USER_RATE_LIMIT.requests,
        [USER_RATE_LIMITS_TABLE.timeToLiveAttribute]: window.endSeconds,
      });
    },
  );

  settingTest(
    'api',
    [ENV.catalogSnapshotTable],
    'the price listing is read from the configured snapshot table',
    async () => {
      const refreshed = await fresh.catalogSnapshot()(undefined, context('catalog'));
      const response = await callApi(ROUTES.listPrices);
      expect(response.status).toBe(200);
      const ids = (response.body.prices as { priceId: string }[]).map((price) => price.priceId);
      expect(ids).toContain('settings-price');
      expect(refreshed.length).toBeGreaterThan(0);
    },
  );
});

// ---- the event pipeline's three ways in ----

/** A delivery of a Stripe event (or thin notification) to one of the pipeline's functions. */
type Deliver = (body: Record<string, unknown>) => Promise<void>;

const deliverTo: Record<'webhook' | 'eventBridge', () => Deliver> = {
  webhook: () => {
    const handler = fresh.webhook();
    return async (body) => {
      const text = JSON.stringify(body);
      const response = await handler(
        apiEvent(ROUTES.stripeWebhook, {
          headers: { 'stripe-signature': signatureFor(text, SECRET_VALUES.webhook) },
          body: text,
        }),
        context('webhook'),
      );
      expect([body.id, response.statusCode]).toEqual([body.id, 200]);
    };
  },
  eventBridge: () => {
    const handler = fresh.eventBridge();
    return async (body) => {
      const envelope = stripeEnvelope(body as { type: string }, { source: SOURCE });
      await handler(envelope, context('eventBridge'));
    };
  },
};

async function billingEventsFor(stripeEventId: string): Promise<BillingEvent[]> {
  const received = await stack.billingEvents.events();
  return received
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.stripeEventId === stripeEventId);
}

/** A card payment that succeeds at once in the sandbox: a real `payment_intent.succeeded`. */
async function sandboxPayment(userId: string): Promise<Stripe.Event> {
  const intent = await stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    confirm: true,
    payment_method: 'pm_card_visa',
    metadata: { userId },
  });
  const events = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 20 });
  const event = events.data.find(
    (candidate) => (candidate.data.object as { id?: string }).id === intent.id,
  );
  if (!event) throw new Error(`no payment_intent.succeeded for ${intent.id}`);
  return event;
}

const PIPELINE_TABLES = [
  ENV.eventLedgerTable,
  ENV.billingEventsTopicArn,
  ENV.customersTable,
] as const;

for (const fn of ['webhook', 'eventBridge'] as const) {
  describe(`the ${fn} function`, () => {
    settingTest(
      fn,
      PIPELINE_TABLES,
      'an event for a mapped customer is recorded in the ledger and published for the user the customers table names',
      async () => {
        const event = stripeEvent('payment_intent.succeeded', {
          ...paymentIntentObject('succeeded', false),
          customer: mappedCustomer,
        });
        await deliverTo[fn]()(event);
        const [published] = await billingEventsFor(String(event.id));
        expect(published?.userId).toBe(MAPPED_USER);
        expect((await ledgerRecord(documents, stack, String(event.id)))?.status).toBe('COMPLETED');
      },
    );

    settingTest(
      fn,
      [ENV.subscriptionOrderTable],
      'a subscription event moves the high-water mark in the configured order table',
      async () => {
        const subscriptionId = `sub_settings_${fn}`;
        const event = stripeEvent(
          'customer.subscription.updated',
          subscriptionObject('current', { id: subscriptionId }),
        );
        await deliverTo[fn]()(event);
        const { Item } = await documents.send(
          new GetCommand({
            TableName: stack.names.subscriptionOrderTable,
            Key: { [SUBSCRIPTION_ORDER_TABLE.partitionKey.name]: subscriptionId },
            ConsistentRead: true,
          }),
        );
        expect(Item?.lastEventId).toBe(event.id);
      },
    );

    settingTest(
      fn,
      [ENV.pastDueGraceDays],
      'a past_due subscription is in grace for the configured days after its failed renewal',
      async () => {
        const event = stripeEvent(
          'customer.subscription.updated',
          subscriptionObject('current', { id: `sub_grace_${fn}`, status: 'past_due' }),
          { created: PERIOD_START + 3600 },
        );
        await deliverTo[fn]()(event);
        const [published] = await billingEventsFor(String(event.id));
        expect(published?.data.access).toEqual({
          state: 'grace',
          until: new Date((PERIOD_START + GRACE_DAYS * 86_400) * 1000).toISOString(),
        });
      },
    );

    settingTest(
      fn,
      [ENV.parkedEventsTable],
      'an event that cannot be turned into a billing event is parked in the configured table',
      async () => {
        const event = stripeEvent('payment_intent.succeeded', {
          ...paymentIntentObject('succeeded'),
          amount: 'not a number',
        });
        await deliverTo[fn]()(event);
        const parked = await new DynamoParkedEventStore(
          documents,
          stack.names.parkedEventsTable,
        ).get(String(event.id));
        expect(parked?.type).toBe('payment_intent.succeeded');
      },
    );

    settingTest(
      fn,
      [ENV.stripeSecretKeyName, ENV.stripeSecretKeyField],
      'a thin notification is resolved at Stripe with the key from its field',
      async () => {
        const snapshot = await sandboxPayment(`settings-thin-${fn}`);
        const thin = thinNotification({
          id: `evt_thin_settings_${fn}`,
          snapshot_event: snapshot.id,
          created: new Date(snapshot.created * 1000).toISOString(),
        });
        await deliverTo[fn]()(thin as unknown as Record<string, unknown>);
        expect((await billingEventsFor(snapshot.id)).map((event) => event.userId)).toEqual([
          `settings-thin-${fn}`,
        ]);
      },
    );
  });
}

describe('the webhook function', () => {
  settingTest(
    'webhook',
    [ENV.stripeWebhookSecretName, ENV.stripeWebhookSecretField],
    'only a delivery signed with the secret from its field is taken',
    async () => {
      const text = JSON.stringify(
        stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
      );
      const answer = async (secret: string) =>
        (
          await fresh.webhook()(
            apiEvent(ROUTES.stripeWebhook, {
              headers: { 'stripe-signature': signatureFor(text, secret) },
              body: text,
            }),
            context('webhook'),
          )
        ).statusCode;
      expect(await answer(SECRET_VALUES.jwt)).toBe(400);
      expect(await answer(SECRET_VALUES.webhook)).toBe(200);
    },
  );
});

describe('the EventBridge function', () => {
  settingTest(
    'eventBridge',
    [ENV.eventBridgeSource],
    'takes events from the configured partner source only',
    async () => {
      const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
      const handler = fresh.eventBridge();
      const other = stripeEnvelope(event as { type: string }, {
        source: LOCAL_EVENT_BRIDGE.source,
      });
      expect(await handler(other, context('eventBridge'))).toMatchObject({ status: 'rejected' });
      expect(await billingEventsFor(String(event.id))).toEqual([]);
      await handler(stripeEnvelope(event as { type: string }, { source: SOURCE }), context('eb'));
      expect(await billingEventsFor(String(event.id))).toHaveLength(1);
    },
  );
});

describe('the reconciliation function', () => {
  settingTest(
    'reconcile',
    [
      ...PIPELINE_TABLES,
      ENV.stripeSecretKeyName,
      ENV.stripeSecretKeyField,
      ENV.reconciliationStateTable,
      ENV.reconcileIntervalMinutes,
    ],
    'a run lists Stripe’s events with the key from its field, publishes what is missing, and saves its cursor; the next overlaps it by one interval',
    async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      const missed = await sandboxPayment('settings-reconciled');
      const run = fresh.reconcile();
      const first = (await run({ since }, context('reconcile'))) as ReconciliationReport;
      expect(first.succeeded).toBe(true);
      expect((await billingEventsFor(missed.id)).map((event) => event.userId)).toEqual([
        'settings-reconciled',
      ]);
      expect((await ledgerRecord(documents, stack, missed.id))?.status).toBe('COMPLETED');
      const saved = first.cursor.saved;
      expect(saved).toBeDefined();

      const second = (await run({}, context('reconcile'))) as ReconciliationReport;
      expect(second.cursor.previous).toBe(saved);
      const overlapMs = Date.parse(second.cursor.previous ?? '') - Date.parse(second.window.from);
      expect(overlapMs).toBe(INTERVAL_MINUTES * 60_000);
    },
  );

  settingTest(
    'reconcile',
    [ENV.parkedEventsTable],
    'a replay finds the event in the configured parked table',
    async () => {
      const event = stripeEvent('payment_intent.succeeded', {
        ...paymentIntentObject('succeeded'),
        amount: 'not a number',
      });
      await deliverTo.webhook()(event);
      const report = (await fresh.reconcile()(
        { eventId: String(event.id) },
        context('reconcile'),
      )) as ReplayReport;
      expect([report.source, report.wasParked]).toEqual(['parked-store', true]);
    },
  );

  settingTest(
    'reconcile',
    [ENV.subscriptionOrderTable, ENV.customersTable],
    'a subscription event found at Stripe is published in order, for the user the customers table names',
    async () => {
      const product = await stripe.products.create({ name: 'Settings plan' });
      const price = await stripe.prices.create({
        currency: 'usd',
        unit_amount: 900,
        recurring: { interval: 'month' },
        product: product.id,
      });
      const created = await stripe.subscriptions.create({
        customer: mappedCustomer,
        items: [{ price: price.id }],
        payment_behavior: 'default_incomplete',
      });
      const since = new Date(Date.now() - 60_000).toISOString();
      await fresh.reconcile()({ since }, context('reconcile'));
      const { Item } = await documents.send(
        new GetCommand({
          TableName: stack.names.subscriptionOrderTable,
          Key: { [SUBSCRIPTION_ORDER_TABLE.partitionKey.name]: created.id },
          ConsistentRead: true,
        }),
      );
      expect(Item?.lastEventId).toMatch(/^evt_/);
      const published = await billingEventsFor(String(Item?.lastEventId));
      expect(published.map((event) => event.userId)).toEqual([MAPPED_USER]);
    },
  );

  settingTest(
    'reconcile',
    [ENV.pastDueGraceDays],
    'a subscription whose renewal failed, found at Stripe, is in grace for the configured days',
    async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      const product = await stripe.products.create({ name: 'Grace plan' });
      const price = await stripe.prices.create({
        currency: 'usd',
        unit_amount: 900,
        recurring: { interval: 'month' },
        product: product.id,
      });
      const created = await stripe.subscriptions.create({
        customer: mappedCustomer,
        items: [{ price: price.id }],
      });
      const renewed = await fetch(
        `${stack.stripeSandbox?.url ?? ''}/_sandbox/subscriptions/${created.id}/renew`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ outcome: 'failed' }),
        },
      );
      expect(renewed.status).toBe(200);
      const pastDue = await stripe.subscriptions.retrieve(created.id);
      expect(pastDue.status).toBe('past_due');
      const periodStart = pastDue.items.data[0]?.current_period_start ?? 0;
      await fresh.reconcile()({ since }, context('reconcile'));
      const accesses = (await stack.billingEvents.events())
        .map((message) => message.event as BillingEvent)
        .filter(
          (event) => event.data.subscriptionId === created.id && event.data.status === 'past_due',
        )
        .map((event) => event.data.access);
      expect(accesses.at(-1)).toEqual({
        state: 'grace',
        until: new Date((periodStart + GRACE_DAYS * 86_400) * 1000).toISOString(),
      });
    },
  );
});

describe('the catalog snapshot function', () => {
  settingTest(
    'catalogSnapshot',
    [ENV.productsTable, ENV.pricesTable, ENV.catalogSnapshotTable],
    'builds the snapshot from the configured catalog tables into the configured snapshot table',
    async () => {
      await putUnsyncedPrice(stack, 'settings-snapshot-price', 'settings-snapshot-product');
      const [report] = await fresh.catalogSnapshot()(undefined, context('catalog'));
      expect(report?.outcome).toBe('published');
      const listing = await callApi(ROUTES.listPrices);
      const ids = (listing.body.prices as { priceId: string }[]).map((price) => price.priceId);
      expect(ids).toContain('settings-snapshot-price');
    },
  );
});

// ---- what every function reads ----

const invokeOnce: Record<FunctionName, () => Promise<unknown>> = {
  // A checkout counts itself (a listing counts nothing).
  api: async () =>
    callApi(ROUTES.createCheckoutSession, {
      token: await token('settings-metrics'),
      body: checkoutBody('settings-price'),
    }),
  webhook: async () =>
    fresh.webhook()(apiEvent(ROUTES.stripeWebhook, { body: '{}' }), context('webhook')),
  eventBridge: () =>
    fresh.eventBridge()(
      stripeEnvelope(
        stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')) as {
          type: string;
        },
        {
          source: SOURCE,
        },
      ),
      context('eventBridge'),
    ),
  reconcile: () => fresh.reconcile()({}, context('reconcile')),
  catalogSnapshot: () => fresh.catalogSnapshot()(undefined, context('catalog')),
};

for (const fn of Object.keys(invokeOnce) as FunctionName[]) {
  settingTest(
    fn,
    [ENV.metricsNamespace, ENV.environmentName],
    'its metrics carry the configured namespace and environment',
    async () => {
      const before = stdout.emf().length;
      await invokeOnce[fn]();
      const lines = stdout.emf().slice(before);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
        expect(line.environment).toBe(ENVIRONMENT_NAME);
      }
    },
  );
}

/** Two uses of the secret more than its configured age apart: each fetches it again. */
const twoSecretUses: Record<
  'api' | 'webhook' | 'eventBridge' | 'reconcile',
  () => () => Promise<unknown>
> = {
  api: () => {
    const handler = fresh.api();
    return async () =>
      callApi(ROUTES.createCheckoutSession, {
        handler,
        token: await token('settings-cache'),
        body: {},
      });
  },
  webhook: () => {
    const deliver = deliverTo.webhook();
    return () => deliver(stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')));
  },
  eventBridge: () => {
    const handler = fresh.eventBridge();
    return async () => {
      const snapshot = await sandboxPayment('settings-cache-eb');
      const thin = thinNotification({
        id: `evt_thin_cache_${snapshot.id}`,
        snapshot_event: snapshot.id,
      });
      return handler(stripeEnvelope(thin, { source: SOURCE }), context('eventBridge'));
    };
  },
  reconcile: () => {
    const run = fresh.reconcile();
    return () => run({}, context('reconcile'));
  },
};

for (const fn of Object.keys(twoSecretUses) as (keyof typeof twoSecretUses)[]) {
  settingTest(
    fn,
    [ENV.secretsCacheMaxAgeSeconds],
    'a secret is fetched again once it is older than the configured cache age',
    async () => {
      const use = twoSecretUses[fn]();
      const before = standIn.fetches.length;
      await use();
      const afterFirst = standIn.fetches.length;
      expect(afterFirst).toBeGreaterThan(before);
      await sleep(CACHE_SECONDS * 1000 + 300);
      await use();
      expect(standIn.fetches.length).toBeGreaterThan(afterFirst);
    },
  );
}

it('covers every variable the stack sets on every function', () => {
  const fns = Object.keys(env) as FunctionName[];
  const uncovered = fns.flatMap((fn) =>
    Object.keys(env[fn])
      .filter((variable) => !covered.get(fn)?.has(variable as EnvVarName))
      .map((variable) => `${fn}: ${variable}`),
  );
  expect(uncovered).toEqual([]);
});
