import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceFunction } from '../../service-function';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import { failuresPlusFunctionErrors, type ServiceMetricFactory } from '../service-metric-factory';

export interface CatalogSnapshotAlarmsProps {
  readonly metrics: ServiceMetricFactory;
  readonly catalogSnapshot: ServiceFunction;
}

/**
 * The price listing's snapshot: a pass every 30 s, its count flushed once a minute. Two
 * minutes without a completed pass and the listing is past its 60 s bound.
 */
export function defineCatalogSnapshotAlarms(
  alarms: AlarmFactory,
  props: CatalogSnapshotAlarmsProps,
): void {
  const { metrics } = props;
  alarms.define('CatalogSnapshotStale', {
    name: 'catalog-snapshot-stale',
    description: `No catalog snapshot pass completed in two minutes in a row (${METRICS.catalogSnapshotRefreshes} < 1; no data counts as none): GET /stripe/prices no longer shows catalog changes within 60 seconds.`,
    metric: metrics.metric(METRICS.catalogSnapshotRefreshes, { period: Duration.minutes(1) }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: TreatMissingData.BREACHING,
  });
  alarms.define('CatalogSnapshotFailing', {
    name: 'catalog-snapshot-failing',
    description: `A catalog snapshot pass failed (${METRICS.catalogSnapshotFailures}, or the function errored or timed out): the price listing is not being refreshed until a pass succeeds.`,
    metric: failuresPlusFunctionErrors(
      {
        id: 'passFailures',
        metric: metrics.metric(METRICS.catalogSnapshotFailures, { period: ALARM_PERIOD }),
      },
      props.catalogSnapshot.function,
      ALARM_PERIOD,
      'Catalog snapshot pass failures + function errors',
    ),
    ...ON_ANY_OCCURRENCE,
  });
}
