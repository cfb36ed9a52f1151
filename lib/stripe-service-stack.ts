import { Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LISTING_FRESHNESS } from '../lambda/domain/price-listing';
import { type ServiceConfig, stackName } from './config';
import { ExternalResources } from './constructs/external-resources';
import { FunctionSchedule } from './constructs/function-schedule';
import { Monitoring } from './constructs/monitoring/monitoring';
import { ServiceApi } from './constructs/service-api';
import { ServiceFunctions } from './constructs/service-functions';
import { ServiceTables } from './constructs/service-tables';
import { StripeEventBridge } from './constructs/stripe-event-bridge';

export interface StripeServiceStackProps extends StackProps {
  readonly config: ServiceConfig;
}

/**
 * The Stripe service: its tables, its references to the outside, its functions and API,
 * the schedules of the reconciliation and of the price listing's snapshot, and the alarms and dashboard that watch all of it.
 */
export class StripeServiceStack extends Stack {
  readonly config: ServiceConfig;
  readonly tables: ServiceTables;
  readonly external: ExternalResources;
  readonly functions: ServiceFunctions;
  readonly api: ServiceApi;
  readonly reconciliationSchedule: FunctionSchedule;
  readonly catalogSnapshotSchedule: FunctionSchedule;
  /** Stripe's events from a partner event bus: only with context `eventBridgeSource`. */
  readonly eventBridge: StripeEventBridge | undefined;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StripeServiceStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      stackName: stackName(config),
      description: `Stripe service (${config.projectName}, ${config.environmentName})`,
    });
    this.config = config;
    Tags.of(this).add('project', config.projectName);
    Tags.of(this).add('environment', config.environmentName);
    Tags.of(this).add('service', 'stripe-service');

    this.tables = new ServiceTables(this, 'Tables', { config });
    this.external = new ExternalResources(this, 'External', { config });
    this.functions = new ServiceFunctions(this, 'Functions', {
      config,
      tables: this.tables,
      external: this.external,
    });
    this.api = new ServiceApi(this, 'Api', {
      config,
      functions: { api: this.functions.api.function, webhook: this.functions.webhook.function },
    });
    this.reconciliationSchedule = new FunctionSchedule(this, 'ReconciliationSchedule', {
      config,
      fn: this.functions.reconcile.function,
      ruleName: 'stripe-reconcile-schedule',
      runs: 'the Stripe reconciliation',
      every: Duration.minutes(config.settings.reconciliation.intervalMinutes),
    });
    this.catalogSnapshotSchedule = new FunctionSchedule(this, 'CatalogSnapshotSchedule', {
      config,
      fn: this.functions.catalogSnapshot.function,
      ruleName: 'stripe-catalog-snapshot-schedule',
      runs: "the price listing's catalog snapshot",
      every: Duration.seconds(LISTING_FRESHNESS.scheduleSeconds),
    });
    const { eventBridgeSource } = config.settings;
    this.eventBridge =
      eventBridgeSource !== undefined && this.functions.eventBridge
        ? new StripeEventBridge(this, 'StripeEventBridge', {
            config,
            source: eventBridgeSource,
            fn: this.functions.eventBridge,
          })
        : undefined;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      config,
      functions: this.functions,
      api: this.api,
      tables: this.tables,
      ...(this.eventBridge ? { eventBridge: this.eventBridge } : {}),
    });
  }
}
