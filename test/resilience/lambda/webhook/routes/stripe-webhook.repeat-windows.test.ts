import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { buildWebhookHandler } from '../../../../../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import {
  localDynamoClient,
  localSnsClient,
  localSqsClient,
} from '../../../../../local/services/aws-clients';
import { createTopic, subscribeQueue } from '../../../../../local/services/provision';
import { apiEvent } from '../../../../support/api-events';
import { injectFault, serviceUnavailable } from '../../../../support/aws-fault-injection';
import { startStallingProxy, type StallingProxy } from '../../../../support/stalling-proxy';
import { invoiceObject, signatureFor, stripeEvent } from '../../../../support/stripe-events';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Every window in which a billing message can repeat (contract section 5: at least once,
 * with a stable `id`), each produced here on the real local stack with the number of
 * copies it makes, and the same windows on a FIFO topic, where the subscriber sees one.
 * docs/webhooks-and-billing-events.md lists them with these tests.
 */
const SECRET = LOCAL_SECRET_DEFAULTS.stripeWebhookSecret;
let stack: LocalStack;
let proxy: StallingProxy;
const clients: { destroy(): void }[] = [];
const rows: string[][] = [];

beforeAll(async () => {
  stack = await startTestStack();
  proxy = await startStallingProxy(stack.endpoints.sns);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await proxy.close();
  await stack.stop();
  console.log(
    [
      'Repeat windows (test/resilience/lambda/webhook/routes/stripe-webhook.repeat-windows.test.ts):',
      '| window | first answer | copies on a standard topic | on a FIFO topic |',
      '| --- | --- | --- | --- |',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n'),
  );
});

function tracked<C extends { destroy(): void }>(client: C): C {
  clients.push(client);
  return client;
}

/** The webhook function on the given clients, publishing to `topicArn`. */
function webhook(on: { sns: SNSClient; dynamo?: DynamoDBClient; topicArn?: string }) {
  const handler = buildWebhookHandler(
    {
      ...stack.functions.webhook,
      billingEventsTopicArn: on.topicArn ?? stack.billingEventsTopicArn,
    },
    {
      dynamo: on.dynamo ?? tracked(localDynamoClient(stack.endpoints.dynamodb)),
      sns: on.sns,
      secrets: stack.functions.secrets,
      logger: silentLogger(),
    },
  );
  return async (payload: string, context: Context = localContext('webhook', 10_000)) => {
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      context,
    );
    return response.statusCode;
  };
}

function newEvent() {
  const event = stripeEvent('invoice.payment_succeeded', invoiceObject('current', 'paid'));
  return { id: event.id as string, payload: JSON.stringify(event) };
}

async function messagesOnStandard(stripeEventId: string): Promise<BillingEvent[]> {
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.stripeEventId === stripeEventId);
}

/** A FIFO topic with a subscriber queue, and what that queue holds. */
async function fifoTopic(label: string) {
  const sns = tracked(localSnsClient(stack.endpoints.sns));
  const sqs: SQSClient = tracked(localSqsClient(stack.endpoints.sns));
  const name = `${stack.names.billingEventsTopic}-${label}-${String(Date.now())}.fifo`;
  const topicArn = await createTopic(sns, name);
  const { queueUrl } = await subscribeQueue(sns, sqs, topicArn, `${name.replace('.fifo', '')}-q`);
  const received: BillingEvent[] = [];
  const drain = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages.length === 0) return received;
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as { Message?: string };
        received.push(JSON.parse(envelope.Message ?? message.Body ?? '{}') as BillingEvent);
      }
    }
  };
  return { topicArn, drain };
}

const copies = (messages: readonly BillingEvent[]) =>
  `${String(messages.length)} (${String(new Set(messages.map((m) => m.id)).size)} id)`;

describe('the repeat windows, each with its copies', () => {
  it('a publish that timed out but landed: one copy per delivery whose answer was lost, never two in one', async () => {
    const deliver = webhook({ sns: tracked(localSnsClient(proxy.endpoint)) });
    const { id, payload } = newEvent();
    proxy.loseAnswers();
    let first: number;
    try {
      first = await deliver(payload);
    } finally {
      proxy.resume();
    }
    expect(first).toBe(500);
    await sleep(300);
    // The publish landed once: the SDK did not send it again within the invocation.
    expect(await messagesOnStandard(id)).toHaveLength(1);
    expect(await deliver(payload)).toBe(200);
    expect(await deliver(payload)).toBe(200);
    const messages = await messagesOnStandard(id);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toEqual(messages[0]);

    const fifo = await fifoTopic('lost-answer');
    const onFifo = webhook({
      sns: tracked(localSnsClient(proxy.endpoint)),
      topicArn: fifo.topicArn,
    });
    const again = newEvent();
    proxy.loseAnswers();
    try {
      expect(await onFifo(again.payload)).toBe(500);
    } finally {
      proxy.resume();
    }
    expect(await onFifo(again.payload)).toBe(200);
    const received = await fifo.drain();
    expect(received.map((message) => message.stripeEventId)).toEqual([again.id]);
    rows.push([
      'a publish that timed out (or got a 5xx) but landed',
      '500; Stripe redelivers',
      `${copies(messages)}: one more per redelivery whose answer is lost again`,
      copies(received),
    ]);
  });

  it('a completion write that failed after the publish: one copy per such delivery', async () => {
    const dynamo = tracked(localDynamoClient(stack.endpoints.dynamodb));
    injectFault(dynamo, {
      command: 'UpdateItemCommand',
      nth: 1,
      times: Infinity,
      error: serviceUnavailable(),
    });
    const sns = tracked(localSnsClient(stack.endpoints.sns));
    const shortLived = () => localContext('webhook', 1_000);
    const { id, payload } = newEvent();
    expect(await webhook({ sns, dynamo })(payload, shortLived())).toBe(500);
    await sleep(1_200); // the in-progress record expires with the invocation
    expect(await webhook({ sns })(payload)).toBe(200);
    const messages = await messagesOnStandard(id);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toEqual(messages[0]);

    const fifo = await fifoTopic('completion');
    const again = newEvent();
    const failing = webhook({ sns, dynamo, topicArn: fifo.topicArn });
    expect(await failing(again.payload, shortLived())).toBe(500);
    await sleep(1_200);
    expect(await webhook({ sns, topicArn: fifo.topicArn })(again.payload)).toBe(200);
    const received = await fifo.drain();
    expect(received.map((message) => message.stripeEventId)).toEqual([again.id]);
    rows.push([
      'the completion write failed after the publish',
      '500; Stripe redelivers after the lock',
      `${copies(messages)}: one more per delivery whose completion fails`,
      copies(received),
    ]);
  });
});
