/*
 * The CloudWatch metrics the alarms and the dashboard are built from, defined once: the
 * service's own (EMF, names in `lambda/domain/metrics.ts`) and AWS's for its tables.
 */

import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_DIMENSIONS, type MetricName } from '../../lambda/domain/metrics';
import type { TableDefinition } from '../../lambda/shared/tables';
import { metricsNamespace, type ServiceConfig } from '../config';
import type { FUNCTION_ENTRIES } from './service-functions';

/** The period of every alarm but the reconciliation's, which follow its interval. */
export const ALARM_PERIOD = Duration.minutes(5);
/** Below this many requests in a period, a 5xx rate says nothing (1 of 2 is 50 %). */
export const MIN_REQUESTS_FOR_ERROR_RATE = 10;
/**
 * Counted from the API's access log (`status` 5xx on the webhook route): every 5xx answer
 * Stripe got, whether the function answered it or API Gateway did (function crashed,
 * timed out or was throttled). The functions' own metrics cannot see the latter.
 */
export const WEBHOOK_SERVER_ERROR_ANSWERS = 'WebhookServerErrorAnswers';
/** The DynamoDB operations the functions call on the owned tables (their `SystemErrors`). */
export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
] as const;

export type FunctionId = keyof typeof FUNCTION_ENTRIES;

/** One of the service's own metrics (EMF, `lambda/domain/metrics.ts`), in this stack. */
export function serviceMetric(
  config: ServiceConfig,
  name: MetricName,
  options: {
    readonly period?: Duration;
    readonly label?: string;
    readonly statistic?: string;
  } = {},
): Metric {
  return new Metric({
    namespace: metricsNamespace(config),
    metricName: name,
    dimensionsMap: { [METRIC_DIMENSIONS.environment]: config.environmentName },
    statistic: options.statistic ?? Stats.SUM,
    period: options.period ?? ALARM_PERIOD,
    ...(options.label !== undefined ? { label: options.label } : {}),
  });
}

/**
 * A table's throttled and failed requests, summed: read and write throttle events (of the
 * table and of each index) and `SystemErrors` of each operation the functions call. Any
 * is a request that failed or had to be retried.
 */
export function tableTroubleMetric(
  tableName: string,
  definition: TableDefinition,
  period: Duration,
  /** Prefixes the expression's metric ids: one graph may not use an id for two metrics. */
  idPrefix = '',
): MathExpression {
  const dynamo = (metricName: string, dimensionsMap: Record<string, string>) =>
    new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap, statistic: Stats.SUM });
  const usingMetrics: Record<string, IMetric> = {
    readThrottles: dynamo('ReadThrottleEvents', { TableName: tableName }),
    writeThrottles: dynamo('WriteThrottleEvents', { TableName: tableName }),
  };
  definition.globalIndexes.forEach((index, i) => {
    const dimensions = { TableName: tableName, GlobalSecondaryIndexName: index.indexName };
    usingMetrics[`indexReadThrottles${i}`] = dynamo('ReadThrottleEvents', dimensions);
    usingMetrics[`indexWriteThrottles${i}`] = dynamo('WriteThrottleEvents', dimensions);
  });
  for (const operation of DYNAMODB_OPERATIONS) {
    usingMetrics[`systemErrors${operation}`] = dynamo('SystemErrors', {
      TableName: tableName,
      Operation: operation,
    });
  }
  const prefixed = Object.fromEntries(
    Object.entries(usingMetrics).map(([id, metric]) => [`${idPrefix}${id}`, metric]),
  );
  return new MathExpression({
    // FILL: most of these have no data most of the time; a sum with a gap is no sum.
    expression: Object.keys(prefixed)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: prefixed,
    period,
    label: `${definition.nameSuffix} throttled or failed requests`,
  });
}
