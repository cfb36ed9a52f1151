import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableDefinition } from '../../../lambda/shared/tables';

/** The DynamoDB operations the functions call on the owned tables (their `SystemErrors`). */
export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
] as const;

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
