import { type Alarm, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { ServiceConfig } from '../../config';
import type { ServiceApi } from '../service-api';
import type { ServiceFunctions } from '../service-functions';
import type { ServiceTables } from '../service-tables';
import type { StripeEventBridge } from '../stripe-event-bridge';
import { AlarmFactory } from './alarm-factory';
import { AlarmTopic } from './alarm-topic';
import { defineApiAlarms } from './alarms/api-alarms';
import { defineCatalogSnapshotAlarms } from './alarms/catalog-snapshot-alarms';
import { defineDynamoDbAlarms } from './alarms/dynamodb-alarms';
import { defineEventBridgeAlarms } from './alarms/event-bridge-alarms';
import { defineLambdaAlarms } from './alarms/lambda-alarms';
import { defineReconciliationAlarms } from './alarms/reconciliation-alarms';
import { defineWebhookAlarms } from './alarms/webhook-alarms';
import { ServiceDashboard } from './dashboard/service-dashboard';
import { ServiceMetricFactory } from './service-metric-factory';

export interface MonitoringProps {
  readonly config: ServiceConfig;
  readonly functions: ServiceFunctions;
  readonly api: ServiceApi;
  readonly tables: ServiceTables;
  /** Stripe's events from a partner event bus (context `eventBridgeSource`), when there. */
  readonly eventBridge?: StripeEventBridge;
}

/**
 * The alarms of contract section 8, all notifying one SNS topic (`AlarmTopic`), in alarm
 * and back to OK, and the service's dashboard (`ServiceDashboard`). Each alarm says what
 * it watches, when it fires and where the runbook covers it; they are defined by concern
 * (`alarms/`), in this order, which is also the order the dashboard lists them in.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  /** By construct id. */
  readonly alarms: Readonly<Record<string, Alarm>>;
  readonly dashboard: ServiceDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, functions, api, tables, eventBridge } = props;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });
    const alarms = new AlarmFactory(this, config, this.alarmTopic.topic);
    const metrics = new ServiceMetricFactory(config);

    const webhookServerErrors = defineWebhookAlarms(this, alarms, {
      config,
      metrics,
      api,
      webhook: functions.webhook,
    });
    defineReconciliationAlarms(alarms, { config, metrics, reconcile: functions.reconcile });
    defineCatalogSnapshotAlarms(alarms, { metrics, catalogSnapshot: functions.catalogSnapshot });
    defineApiAlarms(alarms, { config, api, metrics });
    if (eventBridge && functions.eventBridge) {
      defineEventBridgeAlarms(alarms, { config, metrics, eventBridge, fn: functions.eventBridge });
    }
    defineLambdaAlarms(alarms, functions);
    defineDynamoDbAlarms(alarms, tables);
    this.alarms = alarms.alarms;

    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      config,
      metrics,
      functions,
      api,
      tables,
      webhookServerErrors: webhookServerErrors.metric({
        statistic: Stats.SUM,
        label: 'Webhook 5xx answers',
      }),
      alarms: Object.values(this.alarms),
      ...(eventBridge ? { eventBridge } : {}),
    });
  }
}
