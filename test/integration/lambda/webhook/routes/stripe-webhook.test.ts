import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { StaticSecretStore } from '../../../../../lambda/core/secrets';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { buildWebhookHandler } from '../../../../../lambda/webhook/composition-root';
import type { WebhookConfig } from '../../../../../lambda/webhook/config';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import {
  LOCAL_REGION,
  localDynamoClient,
  localSnsClient,
  localSqsClient,
} from '../../../../../local/services/aws-clients';
import { createTopic, subscribeQueue } from '../../../../../local/services/provision';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import {
  checkoutSessionObject,
  CUSTOMER_ID,
  invoiceObject,
  type PayloadShape,
  paymentIntentObject,
  signatureFor,
  stripeEvent,
  subscriptionObject,
  USER_ID,
} from '../../../../support/stripe-events';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

const SECRET = LOCAL_SECRET_DEFAULTS.stripeWebhookSecret;

let stack: LocalStack;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
});
afterAll(async () => {
  documents.destroy();
  await stack.stop();
});

type StripeObject = Record<string, unknown>;

/** POSTs a delivery to the local webhook route, signed with `secret` unless headers say otherwise. */
async function deliver(
  event: StripeObject | string,
  options: { secret?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const response = await fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: options.headers ?? {
      'content-type': 'application/json',
      'stripe-signature': signatureFor(payload, options.secret ?? SECRET),
    },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What a subscriber's SQS queue received for one Stripe event. */
async function received(stripeEventId: string) {
  return (await stack.billingEvents.events()).filter(
    (message) => (message.event as BillingEvent).stripeEventId === stripeEventId,
  );
}

async function idempotencyRecords(): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documents.send(
    new ScanCommand({ TableName: stack.names.eventLedgerTable, ConsistentRead: true }),
  );
  return Items;
}

/** The webhook function built by its composition root, with clients the test chooses. */
function webhookHandler(options: {
  sns?: SNSClient;
  secret?: string;
  config?: Partial<WebhookConfig>;
}) {
  const config = { ...stack.functions.webhook, ...options.config };
  return buildWebhookHandler(config, {
    dynamo: localDynamoClient(stack.endpoints.dynamodb),
    sns: options.sns ?? localSnsClient(stack.endpoints.sns),
    secrets:
      options.secret === undefined
        ? stack.functions.secrets
        : new StaticSecretStore({
            [config.stripeWebhookSecret.name]: options.secret,
            // Admission compares each event's mode with the key's.
            [config.stripeSecretKey.name]: 'sk_test_sandbox',
          }),
    logger: silentLogger(),
  });
}

async function invoke(
  handler: ReturnType<typeof webhookHandler>,
  event: StripeObject,
  options: { secret?: string; base64?: boolean; headerName?: string } = {},
) {
  const payload = JSON.stringify(event);
  const response = await handler(
    apiEvent(ROUTES.stripeWebhook, {
      headers: {
        [options.headerName ?? 'stripe-signature']: signatureFor(payload, options.secret ?? SECRET),
      },
      body: options.base64 ? Buffer.from(payload).toString('base64') : payload,
      isBase64Encoded: options.base64 ?? false,
    }),
    lambdaContext(),
  );
  return {
    status: response.statusCode,
    body: JSON.parse(response.body) as Record<string, unknown>,
  };
}

describe.each<PayloadShape>(['legacy', 'current'])('every mapped event, %s payloads', (shape) => {
  const canceled = (reason: string) =>
    subscriptionObject(shape, {
      status: 'canceled',
      cancellation_details: { comment: null, feedback: null, reason },
    });
  const cases: [string, string, () => StripeObject][] = [
    ['payment_intent.succeeded', 'payment.successful', () => paymentIntentObject('succeeded')],
    [
      'payment_intent.payment_failed',
      'payment.failed',
      () => paymentIntentObject('requires_payment_method'),
    ],
    [
      'payment_intent.requires_action',
      'payment.action_required',
      () => paymentIntentObject('requires_action'),
    ],
    ['customer.subscription.created', 'subscription.created', () => subscriptionObject(shape)],
    ['customer.subscription.updated', 'subscription.updated', () => subscriptionObject(shape)],
    [
      'customer.subscription.deleted',
      'subscription.canceled',
      () => canceled('cancellation_requested'),
    ],
    ['customer.subscription.deleted', 'subscription.expired', () => canceled('payment_failed')],
    ['checkout.session.completed', 'checkout.completed', () => checkoutSessionObject()],
    ['invoice.payment_succeeded', 'invoice.paid', () => invoiceObject(shape, 'paid')],
    ['invoice.payment_failed', 'invoice.payment_failed', () => invoiceObject(shape, 'open')],
  ];

  it.each(cases)('%s reaches a subscriber as %s, once', async (stripeType, type, object) => {
    // A subscription of its own per case: events about one subscription are ordered, and
    // these all carry the same second.
    const payload = object();
    if (payload.object === 'subscription') payload.id = `sub_case_${randomUUID().slice(0, 8)}`;
    const event = stripeEvent(stripeType, payload, { created: 1_763_856_000 });
    const id = event.id as string;
    const { status, body } = await deliver(event);
    expect(status).toBe(200);
    expect(body).toEqual({ received: true, billingEventId: `${id}:${type}` });

    const messages = await received(id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attributes).toEqual({ eventType: type, source: 'stripe', userId: USER_ID });
    expect(messages[0]?.event).toMatchObject({
      schemaVersion: 1,
      type,
      id: `${id}:${type}`,
      occurredAt: '2025-11-23T00:00:00.000Z',
      source: 'stripe',
      stripeEventId: id,
      stripeEventType: stripeType,
      livemode: false,
      userId: USER_ID,
      stripeCustomerId: CUSTOMER_ID,
    });
    const data = (messages[0]?.event as BillingEvent).data;
    if (stripeType.startsWith('customer.subscription')) {
      expect(data).toMatchObject({
        currentPeriodStart: '2025-11-23T00:00:00.000Z',
        currentPeriodEnd: '2025-12-23T00:00:00.000Z',
      });
    }
    if (stripeType.startsWith('invoice')) {
      expect(data).toMatchObject({ subscriptionId: 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw' });
    }
  });
});

describe('the user of a billing event', () => {
  it('comes from the customers table by Stripe customer id when the metadata has none', async () => {
    await documents.send(
      new PutCommand({
        TableName: stack.names.customersTable,
        Item: {
          userId: 'mapped-user',
          stripeCustomerId: 'cus_mapped',
          createdAt: 'x',
          updatedAt: 'x',
        },
      }),
    );
    const event = stripeEvent('payment_intent.succeeded', {
      ...paymentIntentObject('succeeded', false),
      customer: 'cus_mapped',
    });
    expect((await deliver(event)).status).toBe(200);
    const [message] = await received(event.id as string);
    expect((message?.event as BillingEvent).userId).toBe('mapped-user');
    expect(message?.attributes.userId).toBe('mapped-user');
  });

  it('is null, with no userId attribute, when nobody is mapped', async () => {
    const event = stripeEvent('payment_intent.succeeded', {
      ...paymentIntentObject('succeeded', false),
      customer: 'cus_nobody',
    });
    expect((await deliver(event)).status).toBe(200);
    const [message] = await received(event.id as string);
    expect((message?.event as BillingEvent).userId).toBeNull();
    expect(message?.attributes).toEqual({ eventType: 'payment.successful', source: 'stripe' });
  });
});

describe('exactly once', () => {
  it('answers a redelivery 200 and publishes nothing more', async () => {
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const first = await deliver(event);
    const again = await deliver(event);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(await received(event.id as string)).toHaveLength(1);
  });

  it('publishes one message for 50 concurrent deliveries of one event', async () => {
    const event = stripeEvent('customer.subscription.created', subscriptionObject('current'));
    const statuses = (await Promise.all(Array.from({ length: 50 }, () => deliver(event)))).map(
      (r) => r.status,
    );
    // The one that got the record processes it; the others find it in progress (409, Stripe
    // retries later) or already done (200).
    expect(statuses).toContain(200);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    // Stripe's retries of the 409s: all answered 200 now, nothing more published.
    const retries = await Promise.all(
      statuses.filter((status) => status === 409).map(() => deliver(event)),
    );
    expect(retries.every((r) => r.status === 200)).toBe(true);
    expect(await received(event.id as string)).toHaveLength(1);
  });

  it('answers 500 while the topic fails, keeps no completed record, and publishes once on the retry', async () => {
    const unreachable = new SNSClient({
      endpoint: 'http://127.0.0.1:9',
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const event = stripeEvent('invoice.payment_succeeded', invoiceObject('current', 'paid'));
    const failed = await invoke(webhookHandler({ sns: unreachable }), event);
    expect([failed.status, (failed.body.error as { code: string }).code]).toEqual([
      500,
      'internal_error',
    ]);
    expect(await received(event.id as string)).toHaveLength(0);
    expect((await idempotencyRecords()).filter((r) => r.status === 'INPROGRESS')).toEqual([]);

    const retried = await deliver(event);
    expect(retried.status).toBe(200);
    expect(await received(event.id as string)).toHaveLength(1);
  });

  it('answers 409 to a delivery that finds the event in progress elsewhere', async () => {
    // A topic that accepts the connection and answers nothing for a while: the first
    // delivery holds the event in progress.
    const stall: Server = createServer((socket) => {
      setTimeout(() => socket.destroy(), 1_500);
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const stalled = new SNSClient({
      endpoint: `http://127.0.0.1:${String((stall.address() as AddressInfo).port)}`,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const slow = invoke(webhookHandler({ sns: stalled }), event);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const meanwhile = await deliver(event);
    expect([meanwhile.status, (meanwhile.body.error as { code: string }).code]).toEqual([
      409,
      'event_in_progress',
    ]);
    expect((await slow).status).toBe(500);
    stall.close();
    expect((await deliver(event)).status).toBe(200);
    expect(await received(event.id as string)).toHaveLength(1);
  });
});

describe('forged and broken deliveries: 400, no record, no message', () => {
  const event = () => stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
  const signed = (payload: string, secret = SECRET, timestamp?: number) => ({
    'content-type': 'application/json',
    'stripe-signature': signatureFor(payload, secret, timestamp),
  });

  const forgeries: [
    string,
    (payload: string) => { body: string; headers: Record<string, string> },
    string,
  ][] = [
    [
      'no signature header',
      (p) => ({ body: p, headers: { 'content-type': 'application/json' } }),
      'missing_signature',
    ],
    [
      'a malformed header',
      (p) => ({ body: p, headers: { 'stripe-signature': 'garbage' } }),
      'invalid_signature',
    ],
    [
      'a wrong secret',
      (p) => ({ body: p, headers: signed(p, 'whsec_wrong') }),
      'invalid_signature',
    ],
    [
      'a tampered body',
      (p) => ({ body: p.replace('4900', '49'), headers: signed(p) }),
      'invalid_signature',
    ],
    [
      'a timestamp outside the tolerance',
      (p) => ({ body: p, headers: signed(p, SECRET, Math.floor(Date.now() / 1000) - 600) }),
      'invalid_signature',
    ],
    [
      'a timestamp a year in the future',
      (p) => ({
        body: p,
        headers: signed(p, SECRET, Math.floor(Date.now() / 1000) + 365 * 86_400),
      }),
      'invalid_signature',
    ],
    [
      'only a v0 signature',
      (p) => ({
        body: p,
        headers: { 'stripe-signature': signed(p)['stripe-signature'].replace('v1=', 'v0=') },
      }),
      'invalid_signature',
    ],
    ['a non-JSON body', () => ({ body: 'not json', headers: signed('not json') }), 'invalid_json'],
  ];

  it.each(forgeries)('%s', async (_, forge, code) => {
    const recordsBefore = (await idempotencyRecords()).length;
    const messagesBefore = (await stack.billingEvents.events()).length;
    const forged = forge(JSON.stringify(event()));
    const result = await deliver(forged.body, { headers: forged.headers });
    expect([result.status, (result.body.error as { code: string }).code]).toEqual([400, code]);
    expect((await idempotencyRecords()).length).toBe(recordsBefore);
    expect((await stack.billingEvents.events()).length).toBe(messagesBefore);
  });
});

describe('what else Stripe may send', () => {
  it('answers an unhandled event type 200, with no record and no message', async () => {
    const recordsBefore = (await idempotencyRecords()).length;
    const event = stripeEvent('customer.created', {
      id: 'cus_new',
      object: 'customer',
      metadata: {},
    });
    const result = await deliver(event);
    expect(result).toEqual({ status: 200, body: { received: true, billingEventId: null } });
    expect(await received(event.id as string)).toHaveLength(0);
    expect((await idempotencyRecords()).length).toBe(recordsBefore);
  });

  it('accepts either of two configured signing secrets (a secret roll)', async () => {
    const handler = webhookHandler({ secret: 'whsec_old, whsec_new' });
    const byOld = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const byNew = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    expect((await invoke(handler, byOld, { secret: 'whsec_old' })).status).toBe(200);
    expect((await invoke(handler, byNew, { secret: 'whsec_new' })).status).toBe(200);
    expect(
      (await invoke(handler, stripeEvent('payment_intent.succeeded', {}), { secret: SECRET }))
        .status,
    ).toBe(400);
    expect(await received(byOld.id as string)).toHaveLength(1);
    expect(await received(byNew.id as string)).toHaveLength(1);
  });

  it('verifies a base64-encoded body and a header name in any case', async () => {
    const handler = webhookHandler({});
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const result = await invoke(handler, event, { base64: true, headerName: 'Stripe-Signature' });
    expect(result.status).toBe(200);
    expect(await received(event.id as string)).toHaveLength(1);
  });

  it('stores the idempotency record under the contract attribute names, for 30 days', async () => {
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    await deliver(event);
    const records = await idempotencyRecords();
    const now = Date.now() / 1000;
    const record = records.find((r) => JSON.stringify(r).includes(event.id as string));
    expect(record).toMatchObject({ status: 'COMPLETED' });
    expect(String(record?.eventId)).toMatch(/^stripe-webhook-event#/);
    // The Lambda context was registered: the in-progress lock ends with the invocation's
    // deadline (the local context's 30 s), not with the record's 30 days.
    const lockedUntil = Number(record?.in_progress_expiration);
    expect(lockedUntil).toBeGreaterThan(Date.now());
    expect(lockedUntil).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(Number(record?.ttl)).toBeGreaterThan(now + 29 * 86_400);
    expect(Number(record?.ttl)).toBeLessThan(now + 31 * 86_400);
  });
});

describe('a FIFO billing events topic', () => {
  it('gets the customer as message group and the billing event id as deduplication id', async () => {
    const sns = localSnsClient(stack.endpoints.sns);
    const sqs = localSqsClient(stack.endpoints.sns);
    const name = `${stack.names.billingEventsTopic}-fifo-${String(Date.now())}.fifo`;
    const topicArn = await createTopic(sns, name);
    const { queueUrl } = await subscribeQueue(sns, sqs, topicArn, `${name.replace('.fifo', '')}-q`);
    const handler = webhookHandler({ sns, config: { billingEventsTopicArn: topicArn } });
    const event = stripeEvent('customer.subscription.updated', subscriptionObject('current'));
    expect((await invoke(handler, event)).status).toBe(200);

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]?.Attributes).toMatchObject({
      MessageGroupId: CUSTOMER_ID,
      MessageDeduplicationId: `${event.id as string}:subscription.updated`,
    });
    sns.destroy();
    sqs.destroy();
  });
});
