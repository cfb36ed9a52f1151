import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRICS } from '../../lambda/domain/metrics';
import { metricsNamespace, resourceName, type ServiceConfig } from '../config';
import { type FunctionId, serviceMetric, tableTroubleMetric } from './service-metrics';
import type { ServiceApi } from './service-api';
import type { ServiceFunction } from './service-function';
import type { ServiceFunctions } from './service-functions';
import type { ServiceTables } from './service-tables';
import type { StripeEventBridge } from './stripe-event-bridge';

/** The dashboard's resolution: fine enough to see a burst, coarse enough to see a day. */
export const DASHBOARD_PERIOD = Duration.minutes(5);

export interface ServiceDashboardProps {
  readonly config: ServiceConfig;
  readonly functions: ServiceFunctions;
  readonly api: ServiceApi;
  readonly tables: ServiceTables;
  readonly webhookServerErrors: IMetric;
  readonly alarms: readonly Alarm[];
  /** Stripe's events from a partner event bus: a row of its own when there. */
  readonly eventBridge?: StripeEventBridge;
}

const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard, `<project>-<env>-stripe-service`, that shows the billing
 * pipeline from top to bottom: deliveries in (verified, rejected, duplicate), what became
 * of them (published by type, parked, superseded, recovered by reconciliation), the
 * checkout side, the dependencies' failures, then the functions, the API and the tables.
 * RUNBOOK.md ("Reading the dashboard") walks through it.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const { config, functions, api, tables } = props;
    const metric = (name: (typeof METRICS)[keyof typeof METRICS], label: string) =>
      serviceMetric(config, name, { period: DASHBOARD_PERIOD, label });
    const graph = (title: string, left: IMetric[], options: { stacked?: boolean } = {}) =>
      new GraphWidget({
        title,
        left,
        width: WIDTH,
        height: HEIGHT,
        period: DASHBOARD_PERIOD,
        stacked: options.stacked ?? false,
      });
    const perFunction = (title: string, of: (fn: ServiceFunction) => IMetric): GraphWidget =>
      graph(
        title,
        (Object.keys(functions.all) as FunctionId[]).flatMap((fnId) => {
          const fn = functions.all[fnId];
          return fn ? [of(fn)] : [];
        }),
      );
    const { eventBridge } = props;
    const eventBridgeRow =
      eventBridge && functions.eventBridge
        ? [
            [
              graph('EventBridge events', [
                metric(METRICS.eventBridgeReceived, 'received'),
                metric(METRICS.eventBridgeRejected, 'rejected (source, account)'),
                metric(METRICS.eventBridgeDuplicate, 'duplicate'),
              ]),
              graph('EventBridge failures', [
                functions.eventBridge.function.metricErrors({
                  statistic: Stats.SUM,
                  label: 'function errors (retried)',
                }),
                eventBridge.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                  statistic: Stats.MAXIMUM,
                  label: 'dead letters',
                }),
              ]),
              graph(
                'EventBridge rule',
                [
                  ['MatchedEvents', 'matched'],
                  ['FailedInvocations', 'failed deliveries (to the dead-letter queue)'],
                ].map(
                  ([metricName, label]) =>
                    new Metric({
                      namespace: 'AWS/Events',
                      metricName: metricName ?? '',
                      dimensionsMap: {
                        EventBusName: eventBridge.bus.eventBusName,
                        RuleName: eventBridge.rule.ruleName,
                      },
                      statistic: Stats.SUM,
                      label: label ?? '',
                    }),
                ),
              ),
            ],
          ]
        : [];

    // Every `type` the functions have published, without listing them here: a search.
    const publishedByType = new MathExpression({
      expression: `SEARCH('{"${metricsNamespace(config)}",${METRIC_DIMENSIONS.environment},${METRIC_DIMENSIONS.billingEventType}} MetricName="${METRICS.billingEventsPublished}" ${METRIC_DIMENSIONS.environment}="${config.environmentName}"', 'Sum', ${DASHBOARD_PERIOD.toSeconds()})`,
      usingMetrics: {},
      label: '',
      period: DASHBOARD_PERIOD,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: resourceName(config, 'stripe-service'),
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown: [
              `# Stripe service (${config.projectName}, ${config.environmentName})`,
              'Stripe events come in through the webhook (and the scheduled reconciliation), are checked once per event id, and leave as billing events on SNS, or are parked (a permanent failure: replay after a fix) or superseded (older than what was already published for the subscription).',
              'What each alarm means and what to do: **RUNBOOK.md** in the repository.',
            ].join('\n\n'),
            width: WIDTH,
            height: HEIGHT,
          }),
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...props.alarms],
            width: 2 * WIDTH,
            height: HEIGHT,
          }),
        ],
        [
          graph('Webhook deliveries', [
            metric(METRICS.webhookVerified, 'verified'),
            metric(METRICS.webhookSignatureRejected, 'rejected (signature)'),
            metric(METRICS.webhookDuplicate, 'duplicate'),
            metric(METRICS.thinEventsResolved, 'thin events resolved'),
            props.webhookServerErrors,
          ]),
          graph('Billing events published, by type', [publishedByType], { stacked: true }),
          graph('Not published', [
            metric(METRICS.eventsParked, 'parked'),
            metric(METRICS.eventsSuperseded, 'superseded'),
          ]),
        ],
        [
          graph('Reconciliation', [
            metric(METRICS.reconciliationRuns, 'runs'),
            metric(METRICS.reconciliationFailures, 'failed runs'),
            metric(METRICS.eventsRecovered, 'events recovered'),
          ]),
          graph('Checkout and price listing', [
            metric(METRICS.checkoutSessionsCreated, 'sessions created'),
            metric(METRICS.catalogSnapshotRefreshes, 'snapshot passes'),
            metric(METRICS.catalogSnapshotChanges, 'listing changes'),
            metric(METRICS.catalogSnapshotFailures, 'failed snapshot passes'),
          ]),
          graph('Dependency failures', [
            metric(METRICS.stripeCallFailures, 'Stripe failures'),
            metric(METRICS.stripeTimeouts, 'Stripe timeouts'),
            metric(METRICS.awsCallFailures, 'AWS failures'),
            metric(METRICS.awsTimeouts, 'AWS timeouts'),
          ]),
        ],
        ...eventBridgeRow,
        [
          perFunction('Lambda errors', (fn) =>
            fn.function.metricErrors({ statistic: Stats.SUM, label: fn.node.id }),
          ),
          perFunction('Lambda throttles', (fn) =>
            fn.function.metricThrottles({ statistic: Stats.SUM, label: fn.node.id }),
          ),
          perFunction('Lambda duration (p99)', (fn) =>
            fn.function.metricDuration({ statistic: Stats.p(99), label: fn.node.id }),
          ),
        ],
        [
          graph('API answers', [
            api.httpApi.metricCount({ statistic: Stats.SUM, label: 'requests' }),
            api.httpApi.metricClientError({ statistic: Stats.SUM, label: '4xx' }),
            api.httpApi.metricServerError({ statistic: Stats.SUM, label: '5xx' }),
          ]),
          graph('API latency', [
            api.httpApi.metricLatency({ statistic: Stats.p(50), label: 'p50' }),
            api.httpApi.metricLatency({ statistic: Stats.p(99), label: 'p99' }),
            api.httpApi.metricIntegrationLatency({
              statistic: Stats.p(99),
              label: 'integration p99',
            }),
          ]),
          graph(
            'DynamoDB throttled or failed requests',
            tables.owned.map(({ table, definition }, i) =>
              tableTroubleMetric(table.tableName, definition, DASHBOARD_PERIOD, `t${i}_`),
            ),
          ),
        ],
      ],
    });
  }
}
