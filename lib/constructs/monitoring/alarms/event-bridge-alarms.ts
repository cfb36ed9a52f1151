import { Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceConfig } from '../../../config';
import type { ServiceFunction } from '../../service-function';
import { eventBridgeDeadLetterQueueName, type StripeEventBridge } from '../../stripe-event-bridge';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import type { ServiceMetricFactory } from '../service-metric-factory';

export interface EventBridgeAlarmsProps {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetricFactory;
  readonly eventBridge: StripeEventBridge;
  readonly fn: ServiceFunction;
}

/**
 * The EventBridge way in: an event that gave up (the dead-letter queue), invocations
 * failing (each one a billing event delayed until Lambda's retry), and anything put on
 * the bus that is not the configured source's or this account's.
 */
export function defineEventBridgeAlarms(alarms: AlarmFactory, props: EventBridgeAlarmsProps): void {
  alarms.define('EventBridgeDeadLetters', {
    name: 'event-bridge-dead-letters',
    description: `A Stripe event from EventBridge is in the dead-letter queue ${eventBridgeDeadLetterQueueName(props.config)} (ApproximateNumberOfMessagesVisible ≥ 1): it failed all of Lambda's retries, or EventBridge could not deliver it. Not published until it is replayed.`,
    metric: props.eventBridge.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: Stats.MAXIMUM,
      period: ALARM_PERIOD,
    }),
    ...ON_ANY_OCCURRENCE,
  });
  alarms.define('EventBridgeFailing', {
    name: 'event-bridge-failing',
    description: `The EventBridge function failed (Lambda Errors ≥ 1): a Stripe event is delayed until Lambda's retry (1 and 2 minutes later) succeeds, or goes to the dead-letter queue.`,
    metric: props.fn.function.metricErrors({ statistic: Stats.SUM, period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
  });
  alarms.define('EventBridgeRejected', {
    name: 'event-bridge-rejected',
    description: `The EventBridge function dropped an event not from the configured partner source and this account, or whose detail-type is not its detail's type (${METRICS.eventBridgeRejected} ≥ 1): a rule or source misconfigured, or someone putting events where only Stripe may.`,
    metric: props.metrics.metric(METRICS.eventBridgeRejected, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
  });
}
