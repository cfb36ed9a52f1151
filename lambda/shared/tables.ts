/**
 * The DynamoDB tables this service owns or reads, defined once. The CDK stack, the
 * functions, the local run and the tests all build their tables and queries from these
 * definitions, so a key or index name cannot drift between them.
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S';
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
}

export interface TableDefinition {
  /** The name is `<project>-<env>-<nameSuffix>` unless overridden per environment. */
  readonly nameSuffix: string;
  readonly partitionKey: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  readonly timeToLiveAttribute?: string;
}

/** Maps an app user to their one Stripe customer. Owned by this stack. */
export const CUSTOMERS_TABLE = {
  nameSuffix: 'stripe-customers',
  partitionKey: { name: 'userId', type: 'S' },
  globalIndexes: [
    {
      indexName: 'stripeCustomerId-index',
      partitionKey: { name: 'stripeCustomerId', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

export const CUSTOMERS_BY_STRIPE_ID_INDEX = CUSTOMERS_TABLE.globalIndexes[0];

/**
 * The event ledger: Powertools idempotency records of the Stripe events processed by any
 * way in (the webhook, EventBridge, reconciliation, replay). Owned by this stack. Its name
 * still says "webhook" (the contract's table name, and the deployed tables keep it).
 */
export const EVENT_LEDGER_TABLE = {
  nameSuffix: 'stripe-webhook-idempotency',
  partitionKey: { name: 'eventId', type: 'S' },
  globalIndexes: [],
  timeToLiveAttribute: 'ttl',
} as const satisfies TableDefinition;

/**
 * The ledger's keys are `<prefix>#<hash of the event id>` (Powertools idempotency), one
 * prefix for every way an event comes in, so an event processed by one is a no-op for the
 * others. Its value predates the other ways in and is kept: it keys the stored records.
 */
export const EVENT_LEDGER_KEY_PREFIX = 'stripe-webhook-event';

/**
 * What this service last synced of each catalog price to Stripe (amount, currency,
 * recurrence, the Stripe ids), so a changed price is detected locally, without asking
 * Stripe on every request, and without writing more than the Stripe ids into the pricing
 * service's table. Owned by this stack.
 */
export const CATALOG_SYNC_TABLE = {
  nameSuffix: 'stripe-catalog-sync',
  partitionKey: { name: 'priceId', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

/** The product service's catalog table. Imported by name; we only write `stripeProductId`. */
export const PRODUCTS_TABLE = {
  nameSuffix: 'products',
  partitionKey: { name: 'productId', type: 'S' },
  globalIndexes: [],
  /** The one attribute this service writes there (its IAM allows no other). */
  stripeIdAttribute: 'stripeProductId',
} as const satisfies TableDefinition & { stripeIdAttribute: string };

/** The pricing service's table. Imported by name; we only write `stripePriceId`. */
export const PRICES_TABLE = {
  nameSuffix: 'prices',
  partitionKey: { name: 'priceId', type: 'S' },
  globalIndexes: [],
  /** The one attribute this service writes there (its IAM allows no other). */
  stripeIdAttribute: 'stripePriceId',
} as const satisfies TableDefinition & { stripeIdAttribute: string };

/**
 * Verified Stripe events that could not be turned into a billing event (a permanent
 * failure: fields missing or malformed for the type, or a message over the topic's size
 * limit). Kept with id, type, reason and raw body until an operator replays them. Owned by
 * this stack.
 */
export const PARKED_EVENTS_TABLE = {
  nameSuffix: 'stripe-parked-events',
  partitionKey: { name: 'eventId', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

/**
 * The newest Stripe event published for each subscription (its `created` and id), so an
 * older event delivered late is recorded as superseded instead of overwriting a newer
 * state (contract section 5, "never backwards"). Owned by this stack.
 */
export const SUBSCRIPTION_ORDER_TABLE = {
  nameSuffix: 'stripe-subscription-order',
  partitionKey: { name: 'subscriptionId', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

/**
 * The reconciliation's saved cursor and last run, one item per reconciliation (key
 * `name`), so each run resumes where the previous one ended. Owned by this stack.
 */
export const RECONCILIATION_STATE_TABLE = {
  nameSuffix: 'stripe-reconciliation-state',
  partitionKey: { name: 'name', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

/**
 * The price listing's read model (`GET /stripe/prices`): immutable snapshots of the
 * sellable catalog cut into chunks, and one head item naming the current one, rebuilt
 * from the catalog tables by the scheduled snapshot function. Replaced snapshots expire
 * by TTL. Owned by this stack: the catalog tables are not, and give no index to page with.
 */
export const CATALOG_SNAPSHOT_TABLE = {
  nameSuffix: 'stripe-catalog-snapshot',
  partitionKey: { name: 'key', type: 'S' },
  globalIndexes: [],
  timeToLiveAttribute: 'ttl',
} as const satisfies TableDefinition;

/**
 * The per-user request counters of the authenticated routes (contract section 4, limits):
 * one item per user and window, keyed `<user key>#<window start>` (the user key is the
 * SHA-256 digest `stripe-identity.ts` names users by: a user id of 512 characters can take
 * 2,048 bytes, DynamoDB's whole limit for a partition key). The count is one conditional
 * `ADD`; a window's item expires by TTL once the window is over. Owned by this stack.
 */
export const USER_RATE_LIMITS_TABLE = {
  nameSuffix: 'stripe-rate-limits',
  partitionKey: { name: 'key', type: 'S' },
  globalIndexes: [],
  timeToLiveAttribute: 'ttl',
  /** The requests counted in the item's window. */
  countAttribute: 'requests',
} as const satisfies TableDefinition & { countAttribute: string };

export const OWNED_TABLES = [
  CUSTOMERS_TABLE,
  EVENT_LEDGER_TABLE,
  CATALOG_SYNC_TABLE,
  PARKED_EVENTS_TABLE,
  SUBSCRIPTION_ORDER_TABLE,
  RECONCILIATION_STATE_TABLE,
  CATALOG_SNAPSHOT_TABLE,
  USER_RATE_LIMITS_TABLE,
] as const;
