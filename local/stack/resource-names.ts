import type { TableNames } from '../../lambda/shared/function-environment';
import { BILLING_EVENTS_TOPIC_SUFFIX } from '../../lambda/shared/naming';
import { SECRETS, type SecretId } from '../../lambda/shared/secrets';
import {
  CATALOG_SNAPSHOT_TABLE,
  CATALOG_SYNC_TABLE,
  CUSTOMERS_TABLE,
  PARKED_EVENTS_TABLE,
  PRICES_TABLE,
  PRODUCTS_TABLE,
  RECONCILIATION_STATE_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
  type TableDefinition,
  EVENT_LEDGER_TABLE,
  USER_RATE_LIMITS_TABLE,
} from '../../lambda/shared/tables';
import { type LocalConfig, localResourceName } from '../config';

export interface LocalResourceNames extends TableNames {
  readonly billingEventsTopic: string;
  readonly secrets: Readonly<Record<SecretId, string>>;
}

export function localResourceNames(config: Pick<LocalConfig, 'projectName'>): LocalResourceNames {
  const name = (suffix: string) => localResourceName(config, suffix);
  return {
    customersTable: name(CUSTOMERS_TABLE.nameSuffix),
    eventLedgerTable: name(EVENT_LEDGER_TABLE.nameSuffix),
    catalogSyncTable: name(CATALOG_SYNC_TABLE.nameSuffix),
    parkedEventsTable: name(PARKED_EVENTS_TABLE.nameSuffix),
    subscriptionOrderTable: name(SUBSCRIPTION_ORDER_TABLE.nameSuffix),
    reconciliationStateTable: name(RECONCILIATION_STATE_TABLE.nameSuffix),
    catalogSnapshotTable: name(CATALOG_SNAPSHOT_TABLE.nameSuffix),
    userRateLimitTable: name(USER_RATE_LIMITS_TABLE.nameSuffix),
    productsTable: name(PRODUCTS_TABLE.nameSuffix),
    pricesTable: name(PRICES_TABLE.nameSuffix),
    billingEventsTopic: name(BILLING_EVENTS_TOPIC_SUFFIX),
    secrets: {
      stripeSecretKey: name(SECRETS.stripeSecretKey.nameSuffix),
      stripeWebhookSecret: name(SECRETS.stripeWebhookSecret.nameSuffix),
      jwtAccessTokenSecret: name(SECRETS.jwtAccessTokenSecret.nameSuffix),
    },
  };
}

/** Every table of the stack: its definition (shared with the CDK stack) and its local name. */
export function localTables(names: LocalResourceNames): readonly [TableDefinition, string][] {
  return [
    [CUSTOMERS_TABLE, names.customersTable],
    [EVENT_LEDGER_TABLE, names.eventLedgerTable],
    [CATALOG_SYNC_TABLE, names.catalogSyncTable],
    [PARKED_EVENTS_TABLE, names.parkedEventsTable],
    [SUBSCRIPTION_ORDER_TABLE, names.subscriptionOrderTable],
    [RECONCILIATION_STATE_TABLE, names.reconciliationStateTable],
    [CATALOG_SNAPSHOT_TABLE, names.catalogSnapshotTable],
    [USER_RATE_LIMITS_TABLE, names.userRateLimitTable],
    [PRODUCTS_TABLE, names.productsTable],
    [PRICES_TABLE, names.pricesTable],
  ];
}
