/*
 * The service's own CloudWatch metrics (EMF, names in `lambda/domain/metrics.ts`), defined
 * once for the alarms and the dashboard.
 */

import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { METRIC_DIMENSIONS, METRICS, type MetricName } from '../../../lambda/domain/metrics';
import { metricsNamespace, type ServiceConfig } from '../../config';

/**
 * Counted from the API's access log (`status` 5xx on the webhook route): every 5xx answer
 * Stripe got, whether the function answered it or API Gateway did (function crashed,
 * timed out or was throttled). The functions' own metrics cannot see the latter.
 */
export const WEBHOOK_SERVER_ERROR_ANSWERS = 'WebhookServerErrorAnswers';

export interface ServiceMetricOptions {
  readonly period: Duration;
  readonly label?: string;
}

/** The service's metrics in this stack: its namespace, and its environment's dimension. */
export class ServiceMetricFactory {
  constructor(private readonly config: ServiceConfig) {}

  /** One of the service's own metrics, summed over `period`. */
  metric(name: MetricName, options: ServiceMetricOptions): Metric {
    return new Metric({
      namespace: metricsNamespace(this.config),
      metricName: name,
      dimensionsMap: { [METRIC_DIMENSIONS.environment]: this.config.environmentName },
      statistic: Stats.SUM,
      period: options.period,
      ...(options.label !== undefined ? { label: options.label } : {}),
    });
  }

  /** Every `type` the functions have published, without listing them here: a search. */
  billingEventsPublishedByType(period: Duration): MathExpression {
    const { config } = this;
    return new MathExpression({
      expression: `SEARCH('{"${metricsNamespace(config)}",${METRIC_DIMENSIONS.environment},${METRIC_DIMENSIONS.billingEventType}} MetricName="${METRICS.billingEventsPublished}" ${METRIC_DIMENSIONS.environment}="${config.environmentName}"', 'Sum', ${period.toSeconds()})`,
      usingMetrics: {},
      label: '',
      period,
    });
  }
}

/**
 * Failures a function counts itself plus the function's Lambda errors, which catch what
 * the count cannot (a crash, a timeout): `FILL(<id>, 0) + FILL(functionErrors, 0)`.
 */
export function failuresPlusFunctionErrors(
  failures: { readonly id: string; readonly metric: IMetric },
  fn: IFunction,
  period: Duration,
  label: string,
): MathExpression {
  return new MathExpression({
    expression: `FILL(${failures.id}, 0) + FILL(functionErrors, 0)`,
    usingMetrics: {
      [failures.id]: failures.metric,
      functionErrors: fn.metricErrors({ statistic: Stats.SUM }),
    },
    period,
    label,
  });
}
