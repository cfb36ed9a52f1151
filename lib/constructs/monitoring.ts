import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS, type MetricName } from '../../lambda/domain/metrics';
import { ROUTES, routeKey } from '../../lambda/shared/routes';
import type { TableDefinition } from '../../lambda/shared/tables';
import { metricsNamespace, resourceName, type ServiceConfig } from '../config';
import { AlarmTopic } from './alarm-topic';
import type { ServiceApi } from './service-api';
import { ServiceDashboard } from './service-dashboard';
import type { ServiceFunction } from './service-function';
import type { ServiceFunctions } from './service-functions';
import {
  ALARM_PERIOD,
  type FunctionId,
  MIN_REQUESTS_FOR_ERROR_RATE,
  serviceMetric,
  tableTroubleMetric,
  WEBHOOK_SERVER_ERROR_ANSWERS,
} from './service-metrics';
import type { ServiceTables } from './service-tables';
import { eventBridgeDeadLetterQueueName, type StripeEventBridge } from './stripe-event-bridge';

export interface MonitoringProps {
  readonly config: ServiceConfig;
  readonly functions: ServiceFunctions;
  readonly api: ServiceApi;
  readonly tables: ServiceTables;
  /** Stripe's events from a partner event bus (context `eventBridgeSource`), when there. */
  readonly eventBridge?: StripeEventBridge;
}

/** What an alarm watches and when it fires; every alarm states all of it. */
interface AlarmDefinition {
  /** The alarm's name is `<project>-<env>-stripe-<name>`; RUNBOOK.md has a section of that name. */
  readonly name: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: TreatMissingData;
}

/**
 * The alarms of contract section 8, all notifying one SNS topic (`AlarmTopic`), in alarm
 * and back to OK, and the service's dashboard (`ServiceDashboard`). Each alarm says what
 * it watches, when it fires and where the runbook covers it.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  /** By construct id, for the dashboard and the tests. */
  readonly alarms: Record<string, Alarm> = {};
  readonly dashboard: ServiceDashboard;
  readonly webhookServerErrors: MetricFilter;

  private readonly config: ServiceConfig;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, functions, api, tables } = props;
    this.config = config;
    const { alarms: thresholds, reconciliation } = config.settings;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });
    this.action = new SnsAction(this.alarmTopic.topic);
    const metric = (name: MetricName, period = ALARM_PERIOD) =>
      serviceMetric(config, name, { period });

    // Webhook: a 5xx answer means Stripe will retry (and a billing event waits); a
    // function error is one that escaped the HTTP shell (a crash, a timeout).
    const webhookRoute = routeKey(ROUTES.stripeWebhook);
    this.webhookServerErrors = new MetricFilter(this, 'WebhookServerErrorAnswers', {
      logGroup: api.accessLogGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.routeKey', '=', webhookRoute),
        FilterPattern.stringValue('$.status', '=', '5*'),
      ),
      metricNamespace: metricsNamespace(config),
      metricName: WEBHOOK_SERVER_ERROR_ANSWERS,
      metricValue: '1',
    });
    this.define('WebhookFailing', {
      name: 'webhook-failing',
      description: `The webhook answered Stripe with a 5xx (${webhookRoute}, from the access log) or its function failed: a billing event is delayed until Stripe's retry succeeds.`,
      metric: new MathExpression({
        expression: 'FILL(answers5xx, 0) + FILL(functionErrors, 0)',
        usingMetrics: {
          answers5xx: this.webhookServerErrors.metric({ statistic: Stats.SUM }),
          functionErrors: functions.webhook.function.metricErrors({ statistic: Stats.SUM }),
        },
        period: ALARM_PERIOD,
        label: 'Webhook 5xx answers + function errors',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.define('EventsParked', {
      name: 'events-parked',
      description: `A verified Stripe event could not become a billing event and was parked (${METRICS.eventsParked}): it is not delivered until it is replayed after a fix.`,
      metric: metric(METRICS.eventsParked),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.define('SignatureRejections', {
      name: 'signature-rejections',
      description: `At least ${thresholds.signatureRejectionThreshold} webhook deliveries in 5 minutes failed signature verification (${METRICS.webhookSignatureRejected}): a signing secret out of step with Stripe's, or forged requests.`,
      metric: metric(METRICS.webhookSignatureRejected),
      threshold: thresholds.signatureRejectionThreshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Reconciliation: one period per interval, so a run failing again and again keeps
    // the alarm in ALARM instead of flapping between runs.
    const interval = Duration.minutes(reconciliation.intervalMinutes);
    this.define('ReconcileFailing', {
      name: 'reconcile-failing',
      description: `A reconciliation run failed (${METRICS.reconciliationFailures}, or the function errored or timed out): events Stripe has and the webhook missed are not being recovered.`,
      metric: new MathExpression({
        expression: 'FILL(runFailures, 0) + FILL(functionErrors, 0)',
        usingMetrics: {
          runFailures: metric(METRICS.reconciliationFailures, interval),
          functionErrors: functions.reconcile.function.metricErrors({ statistic: Stats.SUM }),
        },
        period: interval,
        label: 'Reconciliation failures + function errors',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.define('ReconcileNotRunning', {
      name: 'reconcile-not-running',
      description: `No reconciliation run completed in two intervals (${METRICS.reconciliationRuns} < 1 over ${2 * reconciliation.intervalMinutes} minutes; no data counts as none): missed events are not being recovered.`,
      metric: metric(
        METRICS.reconciliationRuns,
        Duration.minutes(2 * reconciliation.intervalMinutes),
      ),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data is exactly what a stopped schedule looks like.
      treatMissingData: TreatMissingData.BREACHING,
    });

    // The price listing's snapshot: a pass every 30 s, its count flushed once a minute.
    // Two minutes without a completed pass and the listing is past its 60 s bound.
    const minute = Duration.minutes(1);
    this.define('CatalogSnapshotStale', {
      name: 'catalog-snapshot-stale',
      description: `No catalog snapshot pass completed in two minutes in a row (${METRICS.catalogSnapshotRefreshes} < 1; no data counts as none): GET /stripe/prices no longer shows catalog changes within 60 seconds.`,
      metric: metric(METRICS.catalogSnapshotRefreshes, minute),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.BREACHING,
    });
    this.define('CatalogSnapshotFailing', {
      name: 'catalog-snapshot-failing',
      description: `A catalog snapshot pass failed (${METRICS.catalogSnapshotFailures}, or the function errored or timed out): the price listing is not being refreshed until a pass succeeds.`,
      metric: new MathExpression({
        expression: 'FILL(passFailures, 0) + FILL(functionErrors, 0)',
        usingMetrics: {
          passFailures: metric(METRICS.catalogSnapshotFailures),
          functionErrors: functions.catalogSnapshot.function.metricErrors({
            statistic: Stats.SUM,
          }),
        },
        period: ALARM_PERIOD,
        label: 'Catalog snapshot pass failures + function errors',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.define('ApiServerErrorRate', {
      name: 'api-5xx-rate',
      description: `At least ${thresholds.apiServerErrorRatePercent} % of API requests were answered 5xx in two 5-minute periods in a row (with at least ${MIN_REQUESTS_FOR_ERROR_RATE} requests in each).`,
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_ERROR_RATE}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: {
          errors: api.httpApi.metricServerError({ statistic: Stats.SUM }),
          requests: api.httpApi.metricCount({ statistic: Stats.SUM }),
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

    if (props.eventBridge && functions.eventBridge) {
      this.defineEventBridgeAlarms(props.eventBridge, functions.eventBridge, metric);
    }

    for (const [functionId, fn] of Object.entries(functions.all) as [
      FunctionId,
      ServiceFunction,
    ][]) {
      this.define(`${capitalised(functionId)}Throttled`, {
        name: `${kebabCase(functionId)}-throttled`,
        description:
          functionId === 'eventBridge'
            ? "Lambda throttled the eventBridge function (its concurrency, reserved or the account's, was used up): Stripe's events from EventBridge wait in Lambda's queue and are retried, for up to 6 hours."
            : `Lambda throttled the ${functionId} function (its concurrency, reserved or the account's, was used up): requests were refused (API), delayed until Stripe retries (webhook) or a run waited (reconcile, catalogSnapshot).`,
        metric: fn.function.metricThrottles({ statistic: Stats.SUM, period: ALARM_PERIOD }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    for (const { table, definition } of tables.owned) {
      this.define(`${pascalCase(definition.nameSuffix)}TableTrouble`, {
        name: `${definitionName(definition)}-table-throttled-or-failing`,
        description: `DynamoDB throttled or failed requests on ${definition.nameSuffix} (read/write throttle events, SystemErrors): the requests behind them failed with 5xx or were retried.`,
        metric: tableTroubleMetric(table.tableName, definition, ALARM_PERIOD),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      config,
      functions,
      api,
      tables,
      webhookServerErrors: this.webhookServerErrors.metric({
        statistic: Stats.SUM,
        label: 'Webhook 5xx answers',
      }),
      alarms: Object.values(this.alarms),
      ...(props.eventBridge ? { eventBridge: props.eventBridge } : {}),
    });
  }

  /**
   * The EventBridge way in: an event that gave up (the dead-letter queue), invocations
   * failing (each one a billing event delayed until Lambda's retry), and anything put on
   * the bus that is not the configured source's or this account's.
   */
  private defineEventBridgeAlarms(
    eventBridge: StripeEventBridge,
    fn: ServiceFunction,
    metric: (name: MetricName, period?: Duration) => IMetric,
  ): void {
    this.define('EventBridgeDeadLetters', {
      name: 'event-bridge-dead-letters',
      description: `A Stripe event from EventBridge is in the dead-letter queue ${eventBridgeDeadLetterQueueName(this.config)} (ApproximateNumberOfMessagesVisible ≥ 1): it failed all of Lambda's retries, or EventBridge could not deliver it. Not published until it is replayed.`,
      metric: eventBridge.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: ALARM_PERIOD,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.define('EventBridgeFailing', {
      name: 'event-bridge-failing',
      description: `The EventBridge function failed (Lambda Errors ≥ 1): a Stripe event is delayed until Lambda's retry (1 and 2 minutes later) succeeds, or goes to the dead-letter queue.`,
      metric: fn.function.metricErrors({ statistic: Stats.SUM, period: ALARM_PERIOD }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.define('EventBridgeRejected', {
      name: 'event-bridge-rejected',
      description: `The EventBridge function dropped an event not from the configured partner source and this account, or not a Stripe event (${METRICS.eventBridgeRejected} ≥ 1): a rule or source misconfigured, or someone putting events where only Stripe may.`,
      metric: metric(METRICS.eventBridgeRejected),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private define(id: string, definition: AlarmDefinition): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: resourceName(this.config, `stripe-${definition.name}`),
      alarmDescription: `${definition.description} Runbook: RUNBOOK.md, "stripe-${definition.name}".`,
      metric: definition.metric,
      threshold: definition.threshold,
      comparisonOperator: definition.comparisonOperator,
      evaluationPeriods: definition.evaluationPeriods,
      datapointsToAlarm: definition.datapointsToAlarm ?? definition.evaluationPeriods,
      treatMissingData: definition.treatMissingData,
    });
    alarm.addAlarmAction(this.action);
    // Back to OK is news too: whoever was paged learns it passed.
    alarm.addOkAction(this.action);
    this.alarms[id] = alarm;
    return alarm;
  }
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const pascalCase = (text: string): string => text.split('-').map(capitalised).join('');
const kebabCase = (text: string): string => text.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** `stripe-customers` → `customers`: the alarm names already say `stripe`. */
const definitionName = (definition: TableDefinition): string =>
  definition.nameSuffix.replace(/^stripe-/, '');
