import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { stripeEventPattern } from '../../lambda/stripe-events/event-bridge-pattern';
import { removalPolicyOf, resourceName, type ServiceConfig } from '../config';
import type { ServiceFunction } from './service-function';

export interface StripeEventBridgeProps {
  readonly config: ServiceConfig;
  /** The Stripe event destination's partner event source (`aws.partner/stripe.com/...`). */
  readonly source: string;
  /** The function that feeds the events to the webhook's pipeline. */
  readonly fn: ServiceFunction;
}

/**
 * Lambda's retries of an invocation that failed (a transient failure: a dependency, the
 * same event in progress on the webhook): at 1 and 2 minutes, as Lambda spaces them.
 */
export const EVENT_BRIDGE_RETRY_ATTEMPTS = 2;
/**
 * How long Lambda keeps trying an event (its queue and the retries). Long enough to ride
 * out a short outage of a dependency; events older than that go to the dead-letter queue,
 * and reconciliation will have published them meanwhile anyway.
 */
export const EVENT_BRIDGE_MAX_EVENT_AGE = Duration.hours(6);
/** The dead-letter queue's name: `<project>-<env>-stripe-event-bridge-dead-letters`. */
export const eventBridgeDeadLetterQueueName = (config: ServiceConfig): string =>
  resourceName(config, 'stripe-event-bridge-dead-letters');

/** SQS's longest: two weeks for an operator to look at what failed. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Stripe's events through Amazon EventBridge (contract section 4), only with context
 * `eventBridgeSource`:
 * - the partner event bus of the Stripe event destination's partner event source (its
 *   creation *is* the association EventBridge asks for within 7 days of the destination);
 * - one rule on it for the handled event types (snapshot and thin), from that source in
 *   this account (`lambda/stripe-events/event-bridge-pattern.ts`, which the local stand-in uses
 *   too), invoking the function asynchronously;
 * - one dead-letter queue (SQS-encrypted, TLS only) for every way an event can fail on
 *   this path: the rule's deliveries Lambda refused (throttled, no permission) and the
 *   invocations that still failed after Lambda's retries (the failure destination). One
 *   queue, one alarm, one place to look; the two record shapes are told apart in RUNBOOK.md.
 *
 * No bus policy is added: a partner bus takes only its partner's events, and nothing in
 * this account or another is allowed to put events on it.
 */
export class StripeEventBridge extends Construct {
  readonly bus: EventBus;
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StripeEventBridgeProps) {
    super(scope, id);
    const { config, source, fn } = props;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: eventBridgeDeadLetterQueueName(config),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      removalPolicy: removalPolicyOf(config),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the EventBridge rule's target and of the function's failure destination (cdk-nag only recognises a queue's redrive policy as DLQ use).",
    });

    fn.function.configureAsyncInvoke({
      retryAttempts: EVENT_BRIDGE_RETRY_ATTEMPTS,
      maxEventAge: EVENT_BRIDGE_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    // Named as the partner event source, which is what associates the bus with it.
    this.bus = new EventBus(this, 'Bus', { eventSourceName: source });

    const pattern = stripeEventPattern(source, Stack.of(this).account);
    this.rule = new Rule(this, 'Rule', {
      ruleName: resourceName(config, 'stripe-event-bridge-events'),
      description: `Stripe's handled event types from ${source} to ${fn.name}`,
      eventBus: this.bus,
      eventPattern: {
        source: [...pattern.source],
        account: [...pattern.account],
        detailType: [...pattern['detail-type']],
      },
      targets: [
        new LambdaFunction(fn.function, {
          deadLetterQueue: this.deadLetterQueue,
          // Only deliveries Lambda did not accept are retried here (an accepted event is
          // Lambda's to retry): for as long as EventBridge allows, so an outage of the
          // Invoke API loses nothing.
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
