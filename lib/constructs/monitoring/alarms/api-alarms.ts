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

/**
 * Requests refused by the per-user limit in 5 minutes that fire `api-user-rate-limited`:
 * one person never reaches the limit, so even one refusal is a script or a client in a
 * loop; ten is one that kept going after its `Retry-After`, worth a look, not a page at
 * the first stray retry.
 */
export const USER_RATE_LIMITED_ALARM_THRESHOLD = 10;

export interface ApiAlarmsProps {
  readonly config: ServiceConfig;
  readonly api: ServiceApi;
  readonly metrics: ServiceMetricFactory;
}

/**
 * The HTTP API: the share of requests answered 5xx, over enough requests to mean something;
 * any request Stripe's rate limits refused after the retries (a customer turned away, or a
 * reconciliation run cut short: one account, one limit); any price listing answered stale
 * (its 5xx, hidden by stale-if-error, would go unseen); and, with a per-user limit,
 * callers refused by it and the limiter failing open.
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
  if (props.config.settings.userRateLimit !== false) defineUserRateLimitAlarms(alarms, props);
}

/** The per-user request limit: refusals above a stray retry, and any failure to count. */
function defineUserRateLimitAlarms(alarms: AlarmFactory, props: ApiAlarmsProps): void {
  alarms.define('UserRateLimited', {
    name: 'api-user-rate-limited',
    description: `Callers were refused by the per-user request limit (${METRICS.userRateLimited} ≥ ${USER_RATE_LIMITED_ALARM_THRESHOLD} in 5 minutes, answered 429 rate_limited): a client in a loop, a script, or a stolen token.`,
    metric: props.metrics.metric(METRICS.userRateLimited, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
    threshold: USER_RATE_LIMITED_ALARM_THRESHOLD,
  });
  alarms.define('UserRateLimiterFailing', {
    name: 'api-rate-limiter-failing',
    description: `The per-user request limiter failed or did not answer in time (${METRICS.userRateLimiterFailures} ≥ 1): those requests were served uncounted (it fails open), so the limit is not enforced.`,
    metric: props.metrics.metric(METRICS.userRateLimiterFailures, { period: ALARM_PERIOD }),
    ...ON_ANY_OCCURRENCE,
  });
}
