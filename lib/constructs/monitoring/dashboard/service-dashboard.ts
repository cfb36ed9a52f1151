import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  type IMetric,
  type IWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type ServiceConfig, stackName } from '../../../config';
import type { ServiceApi } from '../../service-api';
import type { ServiceFunctions } from '../../service-functions';
import type { ServiceTables } from '../../service-tables';
import type { StripeEventBridge } from '../../stripe-event-bridge';
import type { ServiceMetricFactory } from '../service-metric-factory';
import { eventBridgeRow } from './event-bridge-row';
import { WIDGET_HEIGHT, WIDGET_WIDTH } from './graph';
import { deliveriesRow, recoveryAndDependenciesRow } from './pipeline-rows';
import { apiAndTablesRow, lambdaRow } from './resource-rows';

export interface ServiceDashboardProps {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetricFactory;
  readonly functions: ServiceFunctions;
  readonly api: ServiceApi;
  readonly tables: ServiceTables;
  readonly webhookServerErrors: IMetric;
  readonly alarms: readonly Alarm[];
  /** Stripe's events from a partner event bus: a row of its own when there. */
  readonly eventBridge?: StripeEventBridge;
}

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
    const { config, metrics, functions, eventBridge } = props;
    const eventBridgeRows =
      eventBridge && functions.eventBridge
        ? [eventBridgeRow(metrics, eventBridge, functions.eventBridge)]
        : [];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stackName(config),
      defaultInterval: Duration.days(1),
      widgets: [
        overviewRow(config, props.alarms),
        deliveriesRow(metrics, props.webhookServerErrors),
        recoveryAndDependenciesRow(metrics),
        ...eventBridgeRows,
        lambdaRow(functions),
        apiAndTablesRow(props.api, props.tables, metrics),
      ],
    });
  }
}

/** What the pipeline is and where the runbook is, beside every alarm's state. */
function overviewRow(config: ServiceConfig, alarms: readonly Alarm[]): IWidget[] {
  return [
    new TextWidget({
      markdown: [
        `# Stripe service (${config.projectName}, ${config.environmentName})`,
        'Stripe events come in through the webhook (and the scheduled reconciliation), are checked once per event id, and leave as billing events on SNS, or are parked (a permanent failure: replay after a fix) or superseded (older than what was already published for the subscription).',
        'What each alarm means and what to do: **RUNBOOK.md** in the repository.',
      ].join('\n\n'),
      width: WIDGET_WIDTH,
      height: WIDGET_HEIGHT,
    }),
    new AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...alarms],
      width: 2 * WIDGET_WIDTH,
      height: WIDGET_HEIGHT,
    }),
  ];
}
