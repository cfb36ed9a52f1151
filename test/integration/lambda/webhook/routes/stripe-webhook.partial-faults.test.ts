import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { COMPLETION_RETRY_DELAYS_MS } from '../../../../../lambda/adapters/idempotent-processor';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { buildWebhookHandler } from '../../../../../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import { ledgerRecord } from '../../../../support/ledger-records';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../../local/services/aws-clients';
import { apiEvent } from '../../../../support/api-events';
import {
  type FaultHandle,
  injectFault,
  serviceUnavailable,
  throttled,
} from '../../../../support/aws-fault-injection';
import { invoiceObject, signatureFor, stripeEvent } from '../../../../support/stripe-events';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Mid-request partial faults on the webhook (issue 11): one AWS call of one kind fails
 * between two of the delivery's writes, and Stripe's redelivery must converge on exactly
 * what the contract promises (section 5): at least once, with a stable `id`, a repeat only
 * when a publish succeeded and recording its completion failed. Prints the figures
 * (RELIABILITY.md records them).
 *
 * The delivery's calls, in order: PutItem (the idempotency lock, in-progress until the
 * invocation's deadline) → Publish → UpdateItem (the completion, the stored result); on a
 * failure before the completion, DeleteItem (the lock released).
 */
const SECRET = LOCAL_SECRET_DEFAULTS.stripeWebhookSecret;
/**
 * The invocation's time budget for the faulted deliveries: the lock lasts this long. The
 * completion write is retried only with 8 s to spare (one stalled DynamoDB call), so the
 * deliveries that need those retries get 10 s.
 */
const DEADLINE_MS = 10_000;
const SHORT_DEADLINE_MS = 2_000;

let stack: LocalStack;
let documents: DynamoDBDocumentClient;
const clients: { destroy(): void }[] = [];
const figures: string[][] = [];

beforeAll(async () => {
  stack = await startTestStack();
  documents = DynamoDBDocumentClient.from(dynamoClient());
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await stack.stop();
  console.log(
    [
      'Webhook partial faults (test/integration/lambda/webhook/routes/stripe-webhook.partial-faults.test.ts):',
      '',
      '| fault | first answer | left behind | redelivery | messages (ids) |',
      '| --- | --- | --- | --- | --- |',
      ...figures.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n'),
  );
});

function dynamoClient(): DynamoDBClient {
  const client = localDynamoClient(stack.endpoints.dynamodb);
  clients.push(client);
  return client;
}
function snsClient(): SNSClient {
  const client = localSnsClient(stack.endpoints.sns);
  clients.push(client);
  return client;
}

/** The webhook function, built by its composition root on the clients the fault is on. */
function webhook(on: { dynamo?: DynamoDBClient; sns?: SNSClient }) {
  const handler = buildWebhookHandler(stack.functions.webhook, {
    dynamo: on.dynamo ?? dynamoClient(),
    sns: on.sns ?? snsClient(),
    secrets: stack.functions.secrets,
    logger: silentLogger(),
  });
  return async (payload: string, context: Context = localContext('webhook', DEADLINE_MS)) => {
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      context,
    );
    return answer(response.statusCode, JSON.parse(response.body) as Record<string, unknown>);
  };
}

/** Stripe's redelivery, over HTTP to the local stack (another container, as it may be). */
async function redeliver(payload: string) {
  const response = await fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: { 'stripe-signature': signatureFor(payload, SECRET) },
    body: payload,
  });
  return answer(response.status, (await response.json()) as Record<string, unknown>);
}

const answer = (status: number, body: Record<string, unknown>) => {
  const error = body.error as { code: string } | undefined;
  return `${String(status)}${error ? ` ${error.code}` : ''}`;
};

async function messagesFor(stripeEventId: string): Promise<BillingEvent[]> {
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.stripeEventId === stripeEventId);
}

/** The event's idempotency record, or undefined. */
const idempotencyRecord = (stripeEventId: string) => ledgerRecord(documents, stack, stripeEventId);

function newEvent() {
  const event = stripeEvent('invoice.payment_succeeded', invoiceObject('current', 'paid'));
  return { id: event.id as string, payload: JSON.stringify(event) };
}

const counted = (fault: FaultHandle) => `${fault.failures} of ${fault.calls}`;
const ids = (messages: BillingEvent[]) =>
  `${messages.length} (${new Set(messages.map((m) => m.id)).size} distinct id)`;

describe('the webhook converges after a partial fault', () => {
  it('(a) lock written, publish fails: 500, nothing left behind; the retry publishes once', async () => {
    const dynamo = dynamoClient();
    const sns = snsClient();
    const locks = injectFault(dynamo, {
      command: 'PutItemCommand',
      nth: 1,
      times: 0,
      error: throttled(),
    });
    const publish = injectFault(sns, {
      command: 'PublishCommand',
      nth: 1,
      error: serviceUnavailable(),
    });
    const deliver = webhook({ dynamo, sns });
    const { id, payload } = newEvent();

    expect(await deliver(payload)).toBe('500 internal_error');
    expect([locks.calls, publish.failures]).toEqual([1, 1]);
    expect(await idempotencyRecord(id)).toBeUndefined();
    expect(await messagesFor(id)).toEqual([]);

    expect(await redeliver(payload)).toBe('200');
    expect(await redeliver(payload)).toBe('200');
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(1);
    expect((await idempotencyRecord(id))?.status).toBe('COMPLETED');
    figures.push([
      'Publish fails (503), after the lock',
      '500 internal_error',
      'nothing (lock released)',
      '200, then 200',
      ids(messages),
    ]);
  });

  it('(b1) publish succeeds, one completion write fails: healed in the invocation, 200, one message', async () => {
    const dynamo = dynamoClient();
    const completion = injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 1,
      error: throttled(),
    });
    const deliver = webhook({ dynamo });
    const { id, payload } = newEvent();

    const started = Date.now();
    expect(await deliver(payload)).toBe('200');
    const tookMs = Date.now() - started;
    expect([completion.failures, completion.calls]).toEqual([1, 2]);
    expect((await idempotencyRecord(id))?.status).toBe('COMPLETED');
    expect(await redeliver(payload)).toBe('200');
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(1);
    figures.push([
      `UpdateItem (completion) throttled once; UpdateItem calls failed: ${counted(completion)}`,
      `200 (in ${tookMs} ms, retried after ${COMPLETION_RETRY_DELAYS_MS[0] ?? 0} ms)`,
      'COMPLETED record',
      '200',
      ids(messages),
    ]);
  });

  it('(b2) publish succeeds, the completion write keeps failing: 500, 409 until the deadline, then one repeat with the same id', async () => {
    const dynamo = dynamoClient();
    const completion = injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 1,
      times: Infinity,
      error: serviceUnavailable(),
    });
    const deliver = webhook({ dynamo });
    const { id, payload } = newEvent();

    const started = Date.now();
    expect(await deliver(payload)).toBe('500 internal_error');
    const failedAfterMs = Date.now() - started;
    // Powertools' one completion write and the processor's extra attempts.
    expect(completion.calls).toBe(1 + COMPLETION_RETRY_DELAYS_MS.length);
    expect(await messagesFor(id)).toHaveLength(1);

    // Left behind: the in-progress lock, ending with the invocation's deadline.
    const record = await idempotencyRecord(id);
    expect(record?.status).toBe('INPROGRESS');
    const lockMs = Number(record?.in_progress_expiration) - started;
    expect(lockMs).toBeGreaterThan(DEADLINE_MS - 1_000);
    expect(lockMs).toBeLessThanOrEqual(DEADLINE_MS + 100);

    // Stripe's redelivery inside the lock: 409, nothing published (the holder could still be
    // running; the lock cannot tell).
    expect(await redeliver(payload)).toBe('409 event_in_progress');
    expect(await messagesFor(id)).toHaveLength(1);

    // After the deadline: processed again, one repeat, the same billing event id.
    await sleep(Math.max(0, Number(record?.in_progress_expiration) - Date.now()) + 200);
    expect(await redeliver(payload)).toBe('200');
    expect(await redeliver(payload)).toBe('200');
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(2);
    expect(messages[0]?.id).toBe(`${id}:invoice.paid`);
    expect(messages[1]).toEqual(messages[0]);
    expect((await idempotencyRecord(id))?.status).toBe('COMPLETED');
    figures.push([
      `UpdateItem (completion) fails every time; UpdateItem calls failed: ${counted(completion)}`,
      `500 internal_error (after ${failedAfterMs} ms)`,
      `INPROGRESS lock for ${lockMs} ms (the invocation's remaining time)`,
      'inside the lock 409 event_in_progress; after it 200, then 200',
      `${ids(messages)}: identical bodies`,
    ]);
  });

  it('(b3) the topic takes the message but its answer is lost: 500, nothing left behind; the retry publishes it again, with the same id', async () => {
    const sns = snsClient();
    const publish = injectFault(sns, {
      command: 'PublishCommand',
      nth: 1,
      answerLost: true,
      error: () =>
        Object.assign(new Error('Publish timed out (injected)'), { name: 'TimeoutError' }),
    });
    const deliver = webhook({ sns });
    const { id, payload } = newEvent();

    expect(await deliver(payload)).toBe('500 internal_error');
    expect([publish.failures, publish.calls]).toEqual([1, 1]);
    // The message is out, but the delivery cannot know: it fails, and releases its lock.
    expect(await messagesFor(id)).toHaveLength(1);
    expect(await idempotencyRecord(id)).toBeUndefined();

    expect(await redeliver(payload)).toBe('200');
    expect(await redeliver(payload)).toBe('200');
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(2);
    expect(messages[0]?.id).toBe(`${id}:invoice.paid`);
    expect(messages[1]).toEqual(messages[0]);
    expect((await idempotencyRecord(id))?.status).toBe('COMPLETED');
    figures.push([
      'Publish reaches the topic, its answer is lost (timeout)',
      '500 internal_error',
      'nothing (lock released)',
      '200, then 200',
      `${ids(messages)}: identical bodies`,
    ]);
  });

  it('(c) publish fails and releasing the lock fails too: 500, 409 until the deadline, then one message', async () => {
    const dynamo = dynamoClient();
    const sns = snsClient();
    injectFault(sns, { command: 'PublishCommand', nth: 1, error: serviceUnavailable() });
    const release = injectFault(dynamo, {
      command: 'DeleteItemCommand',
      nth: 1,
      error: serviceUnavailable(),
    });
    const deliver = webhook({ dynamo, sns });
    const { id, payload } = newEvent();

    // No completion retries here, so a short deadline keeps the wait short.
    expect(await deliver(payload, localContext('webhook', SHORT_DEADLINE_MS))).toBe(
      '500 internal_error',
    );
    expect(release.failures).toBe(1);
    const record = await idempotencyRecord(id);
    expect(record?.status).toBe('INPROGRESS');
    expect(await redeliver(payload)).toBe('409 event_in_progress');
    await sleep(Math.max(0, Number(record?.in_progress_expiration) - Date.now()) + 200);
    expect(await redeliver(payload)).toBe('200');
    const messages = await messagesFor(id);
    expect(messages).toHaveLength(1);
    figures.push([
      'Publish fails (503) and DeleteItem (lock release) fails',
      '500 internal_error',
      `INPROGRESS lock until the deadline (${SHORT_DEADLINE_MS} ms)`,
      'inside the lock 409; after it 200',
      ids(messages),
    ]);
  });
});
