import { type IWidget, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceFunction } from '../../service-function';
import type { StripeEventBridge } from '../../stripe-event-bridge';
import type { ServiceMetricFactory } from '../service-metric-factory';
import { drawnMetric, graph } from './graph';

/** The EventBridge rule's own counts (namespace `AWS/Events`). */
const RULE_METRICS = [
  { metricName: 'MatchedEvents', label: 'matched' },
  { metricName: 'FailedInvocations', label: 'failed deliveries (to the dead-letter queue)' },
] as const;

/** The EventBridge way in: its events, its failures, and its rule's deliveries. */
export function eventBridgeRow(
  metrics: ServiceMetricFactory,
  eventBridge: StripeEventBridge,
  fn: ServiceFunction,
): IWidget[] {
  return [
    graph('EventBridge events', [
      drawnMetric(metrics, METRICS.eventBridgeReceived, 'received'),
      drawnMetric(metrics, METRICS.eventBridgeRejected, 'rejected (source, account)'),
      drawnMetric(metrics, METRICS.eventBridgeDuplicate, 'duplicate'),
    ]),
    graph('EventBridge failures', [
      fn.function.metricErrors({ statistic: Stats.SUM, label: 'function errors (retried)' }),
      eventBridge.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        label: 'dead letters',
      }),
    ]),
    graph(
      'EventBridge rule',
      RULE_METRICS.map(
        ({ metricName, label }) =>
          new Metric({
            namespace: 'AWS/Events',
            metricName,
            dimensionsMap: {
              EventBusName: eventBridge.bus.eventBusName,
              RuleName: eventBridge.rule.ruleName,
            },
            statistic: Stats.SUM,
            label,
          }),
      ),
    ),
  ];
}
