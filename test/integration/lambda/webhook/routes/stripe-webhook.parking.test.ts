import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoParkedEventStore } from '../../../../../lambda/adapters/dynamo-parked-event-store';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { buildWebhookHandler } from '../../../../../lambda/webhook/composition-root';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../../../lambda/webhook/routes/stripe-webhook';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import { ledgerRecord } from '../../../../support/ledger-records';
import type { LocalStack } from '../../../../../local/local-stack';
import { LOCAL_ROUTES } from '../../../../../local/local-routes';
import {
  LOCAL_REGION,
  localDynamoClient,
  localSnsClient,
} from '../../../../../local/services/aws-clients';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import {
  invoiceObject,
  paymentIntentObject,
  signatureFor,
  stripeEvent,
  subscriptionObject,
} from '../../../../support/stripe-events';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Permanent failures (contract section 4) against DynamoDB Local and the SNS emulator: a
 * verified event that cannot become a billing event is answered 200, parked once in the
 * parked-events table, listed by `GET /_local/parked-events`, and never published; parking
 * is itself a write, so when it fails the delivery is a transient 500.
 */
const SECRET = LOCAL_SECRET_DEFAULTS.stripeWebhookSecret;
type StripeObject = Record<string, unknown>;

let stack: LocalStack;
let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let store: DynamoParkedEventStore;

beforeAll(async () => {
  stack = await startTestStack();
  dynamo = localDynamoClient(stack.endpoints.dynamodb);
  documents = DynamoDBDocumentClient.from(dynamo);
  store = new DynamoParkedEventStore(documents, stack.names.parkedEventsTable);
});
afterAll(async () => {
  dynamo.destroy();
  await stack.stop();
});

async function deliver(payload: string) {
  const response = await fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureFor(payload, SECRET),
    },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function parkedItems(eventId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documents.send(
    new ScanCommand({ TableName: stack.names.parkedEventsTable, ConsistentRead: true }),
  );
  return Items.filter((item) => item.eventId === eventId);
}

async function messagesFor(stripeEventId: string) {
  return (await stack.billingEvents.events()).filter(
    (message) => (message.event as BillingEvent).stripeEventId === stripeEventId,
  );
}

/** The event's idempotency record, if any, as a list (empty when there is none). */
async function idempotencyRecord(stripeEventId: string) {
  const record = await ledgerRecord(documents, stack, stripeEventId);
  return record ? [record] : [];
}

async function listedOverHttp() {
  const response = await fetch(`${stack.apiUrl}${LOCAL_ROUTES.parkedEvents}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: Record<string, unknown>[] }).events;
}

const poisonSubscription = () => {
  const { items: _, ...withoutItems } = subscriptionObject('current');
  return stripeEvent('customer.subscription.updated', withoutItems);
};

describe('a poison event', () => {
  it('answers 200, is parked once, is listed over HTTP, and a redelivery parks and publishes nothing more', async () => {
    const event = poisonSubscription();
    const id = event.id as string;
    const payload = JSON.stringify(event);

    const first = await deliver(payload);
    expect(first).toEqual({
      status: 200,
      body: { received: true, billingEventId: null, parked: true },
    });
    const [item, ...others] = await parkedItems(id);
    expect(others).toEqual([]);
    expect(item).toMatchObject({
      eventId: id,
      type: 'customer.subscription.updated',
      reason: expect.stringContaining('data.object.items is missing') as unknown,
      rawBodyStored: true,
      rawBodyEncoding: 'gzip',
      rawBodyBytes: Buffer.byteLength(payload),
    });
    expect(new Date(String(item?.parkedAt)).toISOString()).toBe(item?.parkedAt);
    // The body exactly as Stripe signed it, for the replay.
    expect((await store.get(id))?.rawBody?.toString('utf8')).toBe(payload);

    expect((await listedOverHttp()).filter((e) => e.eventId === id)).toEqual([
      {
        eventId: id,
        type: 'customer.subscription.updated',
        reason: item?.reason,
        parkedAt: item?.parkedAt,
      },
    ]);
    // The idempotency record completes, saying the event was parked.
    expect(await idempotencyRecord(id)).toEqual([
      expect.objectContaining({
        status: 'COMPLETED',
        data: { billingEventId: null, parked: true },
      }),
    ]);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await deliver(payload);
    expect(again).toEqual(first);
    // Not parked a second time: the item is the first one, parkedAt and all.
    expect(await parkedItems(id)).toEqual([item]);
    expect(await messagesFor(id)).toEqual([]);
  });

  it.each<[string, () => StripeObject, RegExp]>([
    [
      'an invoice whose lines are malformed',
      () =>
        stripeEvent('invoice.payment_succeeded', {
          ...invoiceObject('current', 'paid'),
          lines: { data: 'x' },
        }),
      /data\.object\.lines\.data: expected Array/,
    ],
    [
      'an event created at 1e20',
      () =>
        stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
          created: 1e20,
        }),
      // Refused on admission (from the future), before the mapping's own bound.
      /^created 1e\+23 is \d+ s ahead of this service's clock/,
    ],
  ])('%s: 200, parked, nothing published', async (_, build, reason) => {
    const event = build();
    expect((await deliver(JSON.stringify(event))).body).toMatchObject({ parked: true });
    const [item] = await parkedItems(event.id as string);
    expect(String(item?.reason)).toMatch(reason);
    expect(await messagesFor(event.id as string)).toEqual([]);
  });
});

describe('a 923 KB event', () => {
  /** A valid payment intent whose metadata carries one field of `chars`; ~923 KB in all. */
  const hugeEvent = (filler: (chars: number) => string): StripeObject => {
    const base = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'));
    const room = 923 * 1024 - JSON.stringify(base).length - 20;
    const pi = base.data as { object: StripeObject };
    const metadata = { ...(pi.object.metadata as Record<string, string>), note: filler(room) };
    return { ...base, data: { object: { ...pi.object, metadata } } };
  };

  it('(one huge, compressible field) answers 200, is parked with its body compressed, publishes nothing', async () => {
    const event = hugeEvent((chars) => 'x'.repeat(chars));
    const payload = JSON.stringify(event);
    expect(Buffer.byteLength(payload)).toBeGreaterThan(900 * 1024);
    expect(Buffer.byteLength(payload)).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);

    expect(await deliver(payload)).toEqual({
      status: 200,
      body: { received: true, billingEventId: null, parked: true },
    });
    const [item] = await parkedItems(event.id as string);
    expect(item).toMatchObject({ rawBodyStored: true, rawBodyBytes: Buffer.byteLength(payload) });
    expect(String(item?.reason)).toMatch(
      /data\.object\.metadata\.note: Invalid length: Expected <=500/,
    );
    expect((await store.get(event.id as string))?.rawBody?.toString('utf8')).toBe(payload);
    expect(await messagesFor(event.id as string)).toEqual([]);
  });

  it('(incompressible) is parked without its body, saying so', async () => {
    const event = hugeEvent((chars) => randomBytes(chars).toString('base64').slice(0, chars));
    const payload = JSON.stringify(event);
    expect((await deliver(payload)).body).toMatchObject({ parked: true });
    const [item] = await parkedItems(event.id as string);
    expect(item).toMatchObject({ rawBodyStored: false, rawBodyBytes: Buffer.byteLength(payload) });
    expect(item).not.toHaveProperty('rawBody');
    expect(await store.get(event.id as string)).toMatchObject({ rawBodyStored: false });
    expect(await messagesFor(event.id as string)).toEqual([]);
  });
});

describe('parking fails (DynamoDB unavailable for it)', () => {
  it('answers 500 with no completed record; a later delivery parks it', async () => {
    const dead = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const handler = buildWebhookHandler(stack.functions.webhook, {
      dynamo,
      parkedEventsDynamo: dead,
      sns: localSnsClient(stack.endpoints.sns),
      secrets: stack.functions.secrets,
      logger: silentLogger(),
    });
    const event = poisonSubscription();
    const payload = JSON.stringify(event);
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      lambdaContext(),
    );
    expect([response.statusCode, JSON.parse(response.body)]).toEqual([
      500,
      { error: { code: 'internal_error', message: expect.any(String) as unknown } },
    ]);
    expect(await idempotencyRecord(event.id as string)).toEqual([]);
    expect(await parkedItems(event.id as string)).toEqual([]);
    dead.destroy();

    expect((await deliver(payload)).body).toMatchObject({ parked: true });
    expect(await parkedItems(event.id as string)).toHaveLength(1);
    expect(await messagesFor(event.id as string)).toEqual([]);
  });
});
