import {
  ComparisonOperator,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import { LISTING_STALE_IF_ERROR_SECONDS } from '../../../../lambda/domain/price-listing';
import type { ServiceConfig } from '../../../config';
import type { ServiceApi } from '../../service-api';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import type { ServiceMetricFactory } from '../service-metric-factory';

/** Below this many requests in a period, a 5xx rate says nothing (1 of 2 is 50 %). */
const MIN_REQUESTS_FOR_ERROR_RATE = 10;

export interface ApiAlarmsProps {
  readonly config: ServiceConfig;
  readonly api: ServiceApi;
  readonly metrics: ServiceMetricFactory;
}

/**
 * The HTTP API: the share of requests answered 5xx, over enough requests to mean something;
 * any request Stripe's rate limits refused after the retries (a customer turned away, or a
 * reconciliation run cut short: one account, one limit); and
 * any price listing answered stale (its 5xx, hidden by stale-if-error, would go unseen).
 */
export function defineApiAlarms(alarms: AlarmFactory, props: ApiAlarmsProps): void {
  const thresholds = props.config.settings.alarms;
  const { httpApi } = props.api;
  alarms.define('ApiServerErrorRate', {
    name: 'api-5xx-rate',
    description: `At least ${thresholds.apiServerErrorRatePercent} % of API requests were answered 5xx in two 5-minute periods in a row (with at least ${MIN_REQUESTS_FOR_ERROR_RATE} requests in each).`,
    metric: new MathExpression({
      expression: `IF(requests >= ${MIN_REQUESTS_FOR_ERROR_RATE}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: {
        errors: httpApi.metricServerError({ statistic: Stats.SUM }),
        requests: httpApi.metricCount({ statistic: Stats.SUM }),
      },
      period: ALARM_PERIOD,
      label: 'API 5xx (% of requests)',
    }),
    threshold: thresholds.apiServerErrorRatePercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarms.define('StripeRateLimited', {
    name: 'api-stripe-rate-limited',
    description: `Stripe's rate limits refused requests after the service's retries (${METRICS.stripeRateLimited} ≥ 1): callers were answered 503 stripe_rate_limited, or a reconciliation run stopped early (the next one continues from its cursor). A launch peak above the account's Stripe limit, or a client calling in a loop.`,
    metric: props.metrics.metric(METRICS.stripeRateLimited, { period: ALARM_PERIOD }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarms.define('PriceListingServedStale', {
    name: 'api-prices-served-stale',
    description: `GET /stripe/prices was answered from an API container's memory, marked stale, because the catalog snapshot table could not be read (${METRICS.priceListingServedStale} ≥ 1): DynamoDB failing or stalled. ${String(LISTING_STALE_IF_ERROR_SECONDS / 60)} minutes after a container's last good read, its listing answers 500.`,
    metric: props.metrics.metric(METRICS.priceListingServedStale, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
  });
}
