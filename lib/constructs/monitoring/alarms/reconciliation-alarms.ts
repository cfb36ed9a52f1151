import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceConfig } from '../../../config';
import type { ServiceFunction } from '../../service-function';
import { type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import { failuresPlusFunctionErrors, type ServiceMetricFactory } from '../service-metric-factory';

export interface ReconciliationAlarmsProps {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetricFactory;
  readonly reconcile: ServiceFunction;
}

/**
 * The scheduled reconciliation, which recovers the events the webhook missed: a run that
 * failed, and runs that stopped. One period per interval, so a run failing again and
 * again keeps the alarm in ALARM instead of flapping between runs.
 */
export function defineReconciliationAlarms(
  alarms: AlarmFactory,
  props: ReconciliationAlarmsProps,
): void {
  const { intervalMinutes } = props.config.settings.reconciliation;
  const interval = Duration.minutes(intervalMinutes);
  alarms.define('ReconcileFailing', {
    name: 'reconcile-failing',
    description: `A reconciliation run failed (${METRICS.reconciliationFailures}, or the function errored or timed out): events Stripe has and the webhook missed are not being recovered.`,
    metric: failuresPlusFunctionErrors(
      {
        id: 'runFailures',
        metric: props.metrics.metric(METRICS.reconciliationFailures, { period: interval }),
      },
      props.reconcile.function,
      interval,
      'Reconciliation failures + function errors',
    ),
    ...ON_ANY_OCCURRENCE,
  });
  alarms.define('ReconcileNotRunning', {
    name: 'reconcile-not-running',
    description: `No reconciliation run completed in two intervals (${METRICS.reconciliationRuns} < 1 over ${2 * intervalMinutes} minutes; no data counts as none): missed events are not being recovered.`,
    metric: props.metrics.metric(METRICS.reconciliationRuns, {
      period: Duration.minutes(2 * intervalMinutes),
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // No data is exactly what a stopped schedule looks like.
    treatMissingData: TreatMissingData.BREACHING,
  });
  alarms.define('SubscriptionStateHealed', {
    name: 'subscription-state-healed',
    description: `The state check found consumers on another subscription state than Stripe's and published Stripe's (${METRICS.subscriptionStatesHealed}): something let a stale or forged state become the last message (a far-future mark, a lost release, a misjudged tie). Consumers are right again; find what did it.`,
    metric: props.metrics.metric(METRICS.subscriptionStatesHealed, { period: interval }),
    ...ON_ANY_OCCURRENCE,
  });
}
