import { type IMetric, type IWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceApi } from '../../service-api';
import type { ServiceFunction } from '../../service-function';
import type { ServiceFunctions } from '../../service-functions';
import type { ServiceTables } from '../../service-tables';
import { tableTroubleMetric } from '../dynamodb-metrics';
import type { ServiceMetricFactory } from '../service-metric-factory';
import { DASHBOARD_PERIOD, drawnMetric as drawn, graph } from './graph';

/** Every function on one graph per Lambda metric: errors, throttles, p99 duration. */
export function lambdaRow(functions: ServiceFunctions): IWidget[] {
  const perFunction = (title: string, of: (fn: ServiceFunction) => IMetric) =>
    graph(title, [...functions.all.values()].map(of));
  return [
    perFunction('Lambda errors', (fn) =>
      fn.function.metricErrors({ statistic: Stats.SUM, label: fn.node.id }),
    ),
    perFunction('Lambda throttles', (fn) =>
      fn.function.metricThrottles({ statistic: Stats.SUM, label: fn.node.id }),
    ),
    perFunction('Lambda duration (p99)', (fn) =>
      fn.function.metricDuration({ statistic: Stats.p(99), label: fn.node.id }),
    ),
  ];
}

/**
 * The API's answers (with the 429s of the per-user limit among the 4xx, and the requests
 * its limiter let through uncounted) and latency, and the owned tables' throttled or
 * failed requests.
 */
export function apiAndTablesRow(
  api: ServiceApi,
  tables: ServiceTables,
  metrics: ServiceMetricFactory,
): IWidget[] {
  const { httpApi } = api;
  return [
    graph('API answers', [
      httpApi.metricCount({ statistic: Stats.SUM, label: 'requests' }),
      httpApi.metricClientError({ statistic: Stats.SUM, label: '4xx' }),
      httpApi.metricServerError({ statistic: Stats.SUM, label: '5xx' }),
      drawn(metrics, METRICS.userRateLimited, '429 rate_limited (per-user limit)'),
      drawn(metrics, METRICS.userRateLimiterFailures, 'served uncounted (limiter failed)'),
    ]),
    graph('API latency', [
      httpApi.metricLatency({ statistic: Stats.p(50), label: 'p50' }),
      httpApi.metricLatency({ statistic: Stats.p(99), label: 'p99' }),
      httpApi.metricIntegrationLatency({ statistic: Stats.p(99), label: 'integration p99' }),
    ]),
    graph(
      'DynamoDB throttled or failed requests',
      tables.owned.map(({ table, definition }, i) =>
        tableTroubleMetric(table.tableName, definition, DASHBOARD_PERIOD, `t${i}_`),
      ),
    ),
  ];
}
