import { Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CATALOG_SNAPSHOT_TABLE,
  CATALOG_SYNC_TABLE,
  CUSTOMERS_TABLE,
  type KeyAttribute,
  PARKED_EVENTS_TABLE,
  RECONCILIATION_STATE_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
  type TableDefinition,
  EVENT_LEDGER_TABLE,
} from '../../lambda/shared/tables';
import { removalPolicyOf, resourceName, type ServiceConfig } from '../config';

export interface ServiceTablesProps {
  readonly config: ServiceConfig;
}

/**
 * The tables this stack owns: the customer mapping, the webhook idempotency records, the
 * catalog sync state, the parked events (verified events that could not be turned into
 * a billing event, kept for replay), the per-subscription ordering marks and the
 * reconciliation's cursor. All with the same data protection settings: a parked event is
 * a billing event not yet delivered, and a lost ordering mark could let an old state win.
 * The catalog snapshot (the price listing's read model) is rebuilt from the catalog
 * within a minute, but shares the settings rather than being the one exception.
 */
export class ServiceTables extends Construct {
  readonly customers: Table;
  readonly eventLedger: Table;
  readonly catalogSync: Table;
  readonly parkedEvents: Table;
  readonly subscriptionOrder: Table;
  readonly reconciliationState: Table;
  readonly catalogSnapshot: Table;
  /** Every table above, with its definition (the monitoring construct alarms on each). */
  readonly owned: readonly { readonly table: Table; readonly definition: TableDefinition }[];

  constructor(scope: Construct, id: string, props: ServiceTablesProps) {
    super(scope, id);
    this.customers = this.createTable('CustomersTable', CUSTOMERS_TABLE, props.config);
    this.eventLedger = this.createTable(
      'WebhookIdempotencyTable',
      EVENT_LEDGER_TABLE,
      props.config,
    );
    this.catalogSync = this.createTable('CatalogSyncTable', CATALOG_SYNC_TABLE, props.config);
    this.parkedEvents = this.createTable('ParkedEventsTable', PARKED_EVENTS_TABLE, props.config);
    this.subscriptionOrder = this.createTable(
      'SubscriptionOrderTable',
      SUBSCRIPTION_ORDER_TABLE,
      props.config,
    );
    this.reconciliationState = this.createTable(
      'ReconciliationStateTable',
      RECONCILIATION_STATE_TABLE,
      props.config,
    );
    this.catalogSnapshot = this.createTable(
      'CatalogSnapshotTable',
      CATALOG_SNAPSHOT_TABLE,
      props.config,
    );
    this.owned = [
      { table: this.customers, definition: CUSTOMERS_TABLE },
      { table: this.eventLedger, definition: EVENT_LEDGER_TABLE },
      { table: this.catalogSync, definition: CATALOG_SYNC_TABLE },
      { table: this.parkedEvents, definition: PARKED_EVENTS_TABLE },
      { table: this.subscriptionOrder, definition: SUBSCRIPTION_ORDER_TABLE },
      { table: this.reconciliationState, definition: RECONCILIATION_STATE_TABLE },
      { table: this.catalogSnapshot, definition: CATALOG_SNAPSHOT_TABLE },
    ];
  }

  private createTable(id: string, definition: TableDefinition, config: ServiceConfig): Table {
    const { settings } = config;
    const table = new Table(this, id, {
      tableName: resourceName(config, definition.nameSuffix),
      partitionKey: toAttribute(definition.partitionKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: settings.pointInTimeRecovery,
      },
      deletionProtection: settings.deletionProtection,
      removalPolicy: removalPolicyOf(config),
    });
    for (const index of definition.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: toAttribute(index.partitionKey),
      });
    }
    if (!settings.pointInTimeRecovery) {
      Validations.of(table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: `Point-in-time recovery is off by configuration in ${config.environmentName}, whose data is disposable; staging and prod enable it.`,
      });
    }
    return table;
  }
}

const toAttribute = (key: KeyAttribute) => ({ name: key.name, type: AttributeType.STRING });
