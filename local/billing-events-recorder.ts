import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One message a subscriber received: the billing event and the SNS attributes it came with. */
export interface ReceivedBillingEvent {
  readonly event: unknown;
  readonly attributes: Record<string, string>;
}

interface SnsEnvelope {
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * Reads what a real subscriber of the billing events topic receives (an SQS queue
 * subscribed to it) and keeps it, oldest first, for `/_local/billing-events` and tests.
 */
export class BillingEventsRecorder {
  private readonly received: ReceivedBillingEvent[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Everything received so far, after taking whatever is waiting in the queue. */
  async events(): Promise<readonly ReceivedBillingEvent[]> {
    // One drain at a time, so concurrent callers never see a message twice or out of order.
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    await this.draining;
    return [...this.received];
  }

  private async drain(): Promise<void> {
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) this.received.push(parseEnvelope(message.Body ?? ''));
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: Messages.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? '',
          })),
        }),
      );
    }
  }
}

function parseEnvelope(body: string): ReceivedBillingEvent {
  const envelope = JSON.parse(body) as SnsEnvelope;
  let event: unknown;
  try {
    event = JSON.parse(envelope.Message);
  } catch {
    event = envelope.Message;
  }
  const attributes = Object.fromEntries(
    Object.entries(envelope.MessageAttributes ?? {}).map(([name, attribute]) => [
      name,
      attribute.Value,
    ]),
  );
  return { event, attributes };
}
