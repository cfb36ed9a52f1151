import { Logger } from '@aws-lambda-powertools/logger';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../support/fake-subscription-order';
import {
  InvalidParameterException,
  type PublishCommandInput,
  SNSClient,
} from '@aws-sdk/client-sns';
import type Stripe from 'stripe';
import {
  SNS_MAX_MESSAGE_BYTES,
  SnsEventPublisher,
  snsMessageBytes,
} from '../../../../lambda/adapters/sns-event-publisher';
import {
  type BillingEvent,
  UnpublishableEventError,
} from '../../../../lambda/domain/billing-event';
import {
  MAX_ID_CHARS,
  MAX_SUBSCRIPTION_ITEMS,
  METADATA_LIMITS,
} from '../../../../lambda/stripe-events/payloads';
import { publishBillingEvent } from '../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { injectFault, throttled } from '../../../support/aws-fault-injection';
import { FakeParkedEventStore } from '../../../support/fake-parked-events';
import { stripeEvent, subscriptionObject } from '../../../support/stripe-events';
import { TEST_MODE_ADMISSION } from '../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../lambda/domain/access';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:billing-events';

/** A real client whose sends are answered here: what reached it, in order. */
function topic() {
  const sns = new SNSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    endpoint: 'http://127.0.0.1:9',
    maxAttempts: 1,
  });
  const sent: PublishCommandInput[] = [];
  sns.middlewareStack.add(
    () => (args) => {
      sent.push(args.input as PublishCommandInput);
      return Promise.resolve({ output: { MessageId: 'm-1', $metadata: {} }, response: {} });
    },
    { step: 'finalizeRequest', name: 'answerHere', priority: 'low' },
  );
  return { sns, sent };
}

const billingEvent = (data: Record<string, unknown>, userId: string | null = 'user-1') =>
  ({
    schemaVersion: 1,
    type: 'payment.successful',
    id: 'evt_1:payment.successful',
    occurredAt: '2025-11-23T00:00:00.000Z',
    source: 'stripe',
    stripeEventId: 'evt_1',
    stripeEventType: 'payment_intent.succeeded',
    livemode: false,
    userId,
    stripeCustomerId: 'cus_1',
    data,
  }) satisfies BillingEvent;

describe('SnsEventPublisher: the topic size limit', () => {
  it('counts the body and every attribute name, type and value, in UTF-8 bytes', () => {
    expect(
      snsMessageBytes('{"a":"€"}', {
        eventType: { DataType: 'String', StringValue: 'payment.successful' },
        userId: { DataType: 'String', StringValue: 'zoë' },
      }),
    ).toBe(11 + (9 + 6 + 18) + (6 + 6 + 4));
  });

  it('publishes a message of exactly 256 KiB, and refuses one byte more without sending it', async () => {
    const { sns, sent } = topic();
    const publisher = new SnsEventPublisher(sns, TOPIC);
    const attributes = {
      eventType: { DataType: 'String', StringValue: 'payment.successful' },
      source: { DataType: 'String', StringValue: 'stripe' },
      userId: { DataType: 'String', StringValue: 'user-1' },
    };
    const empty = snsMessageBytes(JSON.stringify(billingEvent({ pad: '' })), attributes);
    const fits = billingEvent({ pad: 'x'.repeat(SNS_MAX_MESSAGE_BYTES - empty) });
    await publisher.publish(fits);
    expect(sent).toHaveLength(1);

    const over = billingEvent({ pad: 'x'.repeat(SNS_MAX_MESSAGE_BYTES - empty + 1) });
    const error = await publisher.publish(over).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnpublishableEventError);
    expect((error as UnpublishableEventError).reason).toBe(
      `The billing event message is ${SNS_MAX_MESSAGE_BYTES + 1} bytes (body and attributes); the topic takes at most ${SNS_MAX_MESSAGE_BYTES}.`,
    );
    expect(sent).toHaveLength(1);
  });

  it('makes SNS refusing the content permanent, and anything else transient', async () => {
    const { sns } = topic();
    const publisher = new SnsEventPublisher(sns, TOPIC);
    const refused = injectFault(sns, {
      command: 'PublishCommand',
      nth: 1,
      error: new InvalidParameterException({
        message: 'Invalid parameter: Message',
        $metadata: {},
      }),
    });
    await expect(publisher.publish(billingEvent({}))).rejects.toThrow(UnpublishableEventError);
    refused.remove();
    const throttle = throttled();
    injectFault(sns, { command: 'PublishCommand', nth: 1, error: throttle });
    await expect(publisher.publish(billingEvent({}))).rejects.toBe(throttle);
  });
});

describe('the largest payload the schemas accept still fits one message', () => {
  it('a subscription with every bound at its limit (multi-byte metadata) is published, not parked', async () => {
    const { sns, sent } = topic();
    const parked = new FakeParkedEventStore();
    const id = (prefix: string, i: number) =>
      `${prefix}_${String(i).padStart(4, '0')}`.padEnd(MAX_ID_CHARS, 'A');
    const item = (i: number) => ({
      price: { id: id('price', i), product: id('prod', i) },
      quantity: 1,
      current_period_start: 1_763_856_000,
      current_period_end: 1_766_448_000,
    });
    const metadata = Object.fromEntries(
      Array.from({ length: METADATA_LIMITS.keys }, (_, i) => [
        String(i).padStart(2, '0').padEnd(METADATA_LIMITS.keyChars, '€'),
        '€'.repeat(METADATA_LIMITS.valueChars),
      ]),
    );
    const sub = subscriptionObject('current', {
      items: { data: Array.from({ length: MAX_SUBSCRIPTION_ITEMS }, (_, i) => item(i)) },
      metadata,
    });
    const event = stripeEvent('customer.subscription.updated', sub);
    const rawBody = Buffer.from(JSON.stringify(event));
    const outcome = await publishBillingEvent(
      {
        logger: new Logger({ logLevel: 'SILENT' }),
        parked,
        admission: TEST_MODE_ADMISSION,
        accessPolicy: DEFAULT_ACCESS_POLICY,
        order: new InMemorySubscriptionOrder(),
        subscriptions: new FakeSubscriptionSource(),
        customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
        publisher: new SnsEventPublisher(sns, TOPIC),
      },
      { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody },
    );
    expect(outcome.parked).toBeUndefined();
    expect(parked.calls).toEqual([]);
    const [input] = sent;
    const bytes = snsMessageBytes(input?.Message ?? '', input?.MessageAttributes ?? {});
    console.log(`largest subscription message: ${bytes} bytes of ${SNS_MAX_MESSAGE_BYTES}`);
    expect(bytes).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });
});
