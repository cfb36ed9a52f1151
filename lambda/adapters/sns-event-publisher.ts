import {
  InvalidParameterException,
  InvalidParameterValueException,
  type MessageAttributeValue,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  type BillingEvent,
  type EventPublisher,
  UnpublishableEventError,
} from '../domain/billing-event';

/** SNS's limit on one message: 256 KiB, body and attributes together. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

/** Publishes billing events to the entitlement processor's topic (contract section 5). */
export class SnsEventPublisher implements EventPublisher {
  private readonly fifo: boolean;

  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly maxMessageBytes: number = SNS_MAX_MESSAGE_BYTES,
  ) {
    this.fifo = topicArn.endsWith('.fifo');
  }

  async publish(event: BillingEvent): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      eventType: text(event.type),
      source: text(event.source),
      ...(event.userId !== null ? { userId: text(event.userId) } : {}),
    };
    const message = JSON.stringify(event);
    // Measured before sending: SNS would refuse it on every retry, so it is a permanent
    // failure (the event is parked), not a 500 that Stripe retries for three days.
    const bytes = snsMessageBytes(message, attributes);
    if (bytes > this.maxMessageBytes) {
      throw new UnpublishableEventError(
        `The billing event message is ${bytes} bytes (body and attributes); the topic takes at most ${this.maxMessageBytes}.`,
      );
    }
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Message: message,
          MessageAttributes: attributes,
          ...(this.fifo
            ? {
                // One customer's events stay in order; an event with neither customer nor
                // user has nothing to be ordered with, so it gets a group of its own.
                MessageGroupId: event.stripeCustomerId ?? event.userId ?? event.stripeEventId,
                MessageDeduplicationId: event.id,
              }
            : {}),
        }),
      );
    } catch (error) {
      // SNS refusing the message's content is as permanent as its size; anything else
      // (throttling, outages, timeouts, permissions, a missing topic) may pass on a retry.
      if (
        error instanceof InvalidParameterException ||
        error instanceof InvalidParameterValueException
      ) {
        throw new UnpublishableEventError(`The topic refused the message: ${error.message}`);
      }
      throw error;
    }
  }
}

/**
 * A message's size as SNS counts it against its limit: the UTF-8 bytes of the body plus,
 * for each attribute, those of its name, data type and value.
 */
export function snsMessageBytes(
  message: string,
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): number {
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType ?? '', 'utf8');
    if (attribute.StringValue !== undefined) {
      bytes += Buffer.byteLength(attribute.StringValue, 'utf8');
    }
    if (attribute.BinaryValue !== undefined) bytes += attribute.BinaryValue.length;
  }
  return bytes;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
