import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { BillingEvent, EventPublisher } from '../domain/billing-event';

/** Publishes billing events to the entitlement processor's topic (contract section 5). */
export class SnsEventPublisher implements EventPublisher {
  private readonly fifo: boolean;

  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {
    this.fifo = topicArn.endsWith('.fifo');
  }

  async publish(event: BillingEvent): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      eventType: text(event.type),
      source: text(event.source),
      ...(event.userId !== null ? { userId: text(event.userId) } : {}),
    };
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: JSON.stringify(event),
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
  }
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
