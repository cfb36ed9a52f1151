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
  USER_RATE_LIMITS_TABLE,
} from '../../lambda/shared/tables';
import { removalPolicyOf, resourceName, type ServiceConfig } from '../config';

/** A table this stack owns, with the definition it was created from. */
export interface OwnedTable {
  readonly table: Table;
  readonly definition: TableDefinition;
}

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
 * within a minute, and the per-user request counters live a window long, but both share
 * the settings rather than being the exceptions. The counters' table exists even where
 * `userRateLimit` is `false`: turning the limit on again must not create a table that a
 * retained earlier one would collide with.
 */
export class ServiceTables extends Construct {
  readonly customers: Table;
  readonly eventLedger: Table;
  readonly catalogSync: Table;
  readonly parkedEvents: Table;
  readonly subscriptionOrder: Table;
  readonly reconciliationState: Table;
  readonly catalogSnapshot: Table;
  readonly userRateLimits: Table;
  private readonly ownedTables: OwnedTable[] = [];

  constructor(scope: Construct, id: string, props: ServiceTablesProps) {
    super(scope, id);
    const { config } = props;
    this.customers = this.createTable('CustomersTable', CUSTOMERS_TABLE, config);
    this.eventLedger = this.createTable('WebhookIdempotencyTable', EVENT_LEDGER_TABLE, config);
    this.catalogSync = this.createTable('CatalogSyncTable', CATALOG_SYNC_TABLE, config);
    this.parkedEvents = this.createTable('ParkedEventsTable', PARKED_EVENTS_TABLE, config);
    this.subscriptionOrder = this.createTable(
      'SubscriptionOrderTable',
      SUBSCRIPTION_ORDER_TABLE,
      config,
    );
    this.reconciliationState = this.createTable(
      'ReconciliationStateTable',
      RECONCILIATION_STATE_TABLE,
      config,
    );
    this.catalogSnapshot = this.createTable('CatalogSnapshotTable', CATALOG_SNAPSHOT_TABLE, config);
    this.userRateLimits = this.createTable('UserRateLimitsTable', USER_RATE_LIMITS_TABLE, config);
  }

  /** Every table above, with its definition, as created (the monitoring alarms on each). */
  get owned(): readonly OwnedTable[] {
    return this.ownedTables;
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
    this.ownedTables.push({ table, definition });
    return table;
  }
}

const toAttribute = (key: KeyAttribute) => ({ name: key.name, type: AttributeType.STRING });
