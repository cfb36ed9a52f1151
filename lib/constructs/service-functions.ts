import { Construct } from 'constructs';
import { functionEnvironments } from '../../lambda/shared/function-environment';
import {
  CUSTOMERS_BY_STRIPE_ID_INDEX,
  PRICES_TABLE,
  PRODUCTS_TABLE,
} from '../../lambda/shared/tables';
import { metricsNamespace, type ServiceConfig } from '../config';
import type { ExternalResources } from './external-resources';
import { ServiceFunction } from './service-function';
import type { ServiceTables } from './service-tables';

export interface ServiceFunctionsProps {
  readonly config: ServiceConfig;
  readonly tables: ServiceTables;
  readonly external: ExternalResources;
}

/** Each function's entry point, bundled by the stack (and by the cold-start benchmark). */
export const FUNCTION_ENTRIES = {
  api: 'lambda/api/index.ts',
  webhook: 'lambda/webhook/index.ts',
  reconcile: 'lambda/reconcile/index.ts',
  catalogSnapshot: 'lambda/catalog/index.ts',
  /** Only with context `eventBridgeSource`. */
  eventBridge: 'lambda/eventbridge/index.ts',
} as const;

/** Long enough for the second pass (at 30 s) and its budget, short of the next minute's run. */
export const CATALOG_SNAPSHOT_TIMEOUT_SECONDS = 50;

/**
 * DynamoDB actions on the tables the event pipeline writes, wherever an event comes in
 * (the webhook, the scheduled reconciliation, the partner event bus):
 * - idempotency: Powertools' ledger reads, writes, updates and deletes its records;
 * - parked events: parking writes an event, a replay reads, updates (attempts) and
 *   finally removes it (listing them is the operator's, through the replay command);
 * - subscription order: the newest event published per subscription, read and
 *   conditionally written ("never backwards", contract section 5).
 */
const PIPELINE_TABLE_ACCESS = {
  idempotency: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
  parkedEvents: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
  subscriptionOrder: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/**
 * What the functions do to the catalog tables, which belong to the product and pricing
 * services: exactly the calls of `lambda/adapters/dynamo-catalog-repository.ts`
 * (`test/unit/lib/catalog-access.test.ts` runs the adapter and checks it against this).
 *
 * - api: GetItem on both (checkout reads the live price and its product), and UpdateItem
 *   writing back the Stripe id only. The contract lets this service write nothing else
 *   there, so the write is limited by IAM, not only by our code;
 * - catalogSnapshot: the listing's reads, once per pass instead of once per request: Scan
 *   on prices (the pricing service gives no index) and BatchGetItem on the products named.
 */
export const CATALOG_ACCESS = {
  products: {
    definition: PRODUCTS_TABLE,
    reads: { api: ['dynamodb:GetItem'], catalogSnapshot: ['dynamodb:BatchGetItem'] },
    stripeIdAttribute: PRODUCTS_TABLE.stripeIdAttribute,
  },
  prices: {
    definition: PRICES_TABLE,
    reads: { api: ['dynamodb:GetItem'], catalogSnapshot: ['dynamodb:Scan'] },
    stripeIdAttribute: PRICES_TABLE.stripeIdAttribute,
  },
} as const;

/**
 * The conditions on the catalog write-back. `dynamodb:Attributes` is every top-level
 * attribute the request names (the key, the update expression and the condition
 * expression alike), so it is the key plus the Stripe id: the adapter's conditions use
 * nothing else. `ForAllValues` alone would also allow a request naming no attribute, but
 * an UpdateItem always names its key. `dynamodb:ReturnValues` is always present on
 * UpdateItem (`NONE` when not sent, as the adapter does): `NONE` keeps the write from
 * reading back attributes it may not write.
 */
export const catalogWriteBackConditions = (
  table: keyof typeof CATALOG_ACCESS,
): Record<string, unknown> => {
  const { definition, stripeIdAttribute } = CATALOG_ACCESS[table];
  return {
    'ForAllValues:StringEquals': {
      'dynamodb:Attributes': [definition.partitionKey.name, stripeIdAttribute],
    },
    StringEquals: { 'dynamodb:ReturnValues': 'NONE' },
  };
};

/**
 * The four functions: `api` serves the frontend's routes, `webhook` receives Stripe's
 * events, `reconcile` (run on a schedule, `FunctionSchedule`) feeds the events
 * Stripe has but the webhook may have missed through the same pipeline, `catalogSnapshot`
 * (run every minute, `FunctionSchedule`) rebuilds the price listing's read model, and,
 * with context `eventBridgeSource`, `eventBridge` takes Stripe's events from the partner
 * event bus into the same pipeline. Each is granted exactly what it uses, and nothing
 * with a wildcard action.
 */
export class ServiceFunctions extends Construct {
  readonly api: ServiceFunction;
  readonly webhook: ServiceFunction;
  readonly reconcile: ServiceFunction;
  readonly catalogSnapshot: ServiceFunction;
  /**
   * Stripe's events from the partner event bus, through the webhook's pipeline: only with
   * context `eventBridgeSource` (its rule and failure queue: `StripeEventBridge`).
   */
  readonly eventBridge: ServiceFunction | undefined;
  /** Every function there is, by id (the monitoring construct alarms on each). */
  readonly all: Readonly<Partial<Record<keyof typeof FUNCTION_ENTRIES, ServiceFunction>>>;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    const { config, tables, external } = props;
    const { settings } = config;
    const environment = functionEnvironments({
      customersTable: tables.customers.tableName,
      eventLedgerTable: tables.eventLedger.tableName,
      catalogSyncTable: tables.catalogSync.tableName,
      parkedEventsTable: tables.parkedEvents.tableName,
      subscriptionOrderTable: tables.subscriptionOrder.tableName,
      reconciliationStateTable: tables.reconciliationState.tableName,
      catalogSnapshotTable: tables.catalogSnapshot.tableName,
      productsTable: external.productsTable.tableName,
      pricesTable: external.pricesTable.tableName,
      billingEventsTopicArn: external.billingEventsTopic.topicArn,
      secrets: external.secrets,
      allowedRedirectOrigins: settings.allowedRedirectOrigins,
      jwtIssuer: settings.jwtIssuer,
      jwtAudience: settings.jwtAudience,
      secretsCacheMaxAgeSeconds: settings.secretsCacheMaxAgeSeconds,
      reconcileIntervalMinutes: settings.reconciliation.intervalMinutes,
      metricsNamespace: metricsNamespace(config),
      environmentName: config.environmentName,
      eventBridgeSource: settings.eventBridgeSource,
    });
    const grantPipeline = (fn: ServiceFunction) => {
      fn.grant([...PIPELINE_TABLE_ACCESS.idempotency], [tables.eventLedger.tableArn]);
      fn.grant([...PIPELINE_TABLE_ACCESS.parkedEvents], [tables.parkedEvents.tableArn]);
      fn.grant([...PIPELINE_TABLE_ACCESS.subscriptionOrder], [tables.subscriptionOrder.tableArn]);
      fn.grant(
        ['dynamodb:Query'],
        [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
      );
      fn.grant(['sns:Publish'], [external.billingEventsTopic.topicArn]);
    };

    this.api = new ServiceFunction(this, 'Api', {
      config,
      functionName: 'stripe-api',
      entry: FUNCTION_ENTRIES.api,
      description: 'Stripe service API: checkout and portal sessions, prices, session status',
      environment: environment.api,
    });
    this.api.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.customers.tableArn],
    );
    this.api.grant(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.catalogSync.tableArn]);
    // The listing reads the snapshot's head, or one or two of its chunks.
    this.api.grant(
      ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      [tables.catalogSnapshot.tableArn],
    );
    const catalogTables = { products: external.productsTable, prices: external.pricesTable };
    for (const table of ['products', 'prices'] as const) {
      const { tableArn } = catalogTables[table];
      this.api.grant([...CATALOG_ACCESS[table].reads.api], [tableArn]);
      this.api.grant(['dynamodb:UpdateItem'], [tableArn], catalogWriteBackConditions(table));
    }
    // With a combined secret both ARNs are that one secret (granted once), and it holds
    // the webhook signing secret too: IAM cannot grant one field of a secret, so a
    // combined secret trades this isolation for the one-secret layout.
    this.api.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeSecretKey.policyArn, external.secrets.jwtAccessTokenSecret.policyArn],
    );

    this.webhook = new ServiceFunction(this, 'Webhook', {
      config,
      functionName: 'stripe-webhook',
      entry: FUNCTION_ENTRIES.webhook,
      description: 'Stripe webhook receiver: verifies, de-duplicates and publishes billing events',
      environment: environment.webhook,
      ...(settings.webhookReservedConcurrency === false
        ? {}
        : { reservedConcurrency: settings.webhookReservedConcurrency }),
    });
    grantPipeline(this.webhook);
    // The signing secrets verify deliveries; the Stripe API key settles a same-second
    // ordering tie against the subscription's current state at Stripe (contract section 5).
    this.webhook.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeWebhookSecret.policyArn, external.secrets.stripeSecretKey.policyArn],
    );

    const { reconciliation } = settings;
    this.reconcile = new ServiceFunction(this, 'Reconcile', {
      config,
      functionName: 'stripe-reconcile',
      entry: FUNCTION_ENTRIES.reconcile,
      description:
        "Stripe reconciliation: feeds Stripe's events since the saved cursor through the webhook's pipeline",
      environment: environment.reconcile,
      // Not API Gateway's 29 s: a run walks every event since the cursor.
      timeoutSeconds: reconciliation.timeoutSeconds,
      // One run at a time: two overlapping runs would walk the same events and race to
      // save the cursor (harmless through the ledger, but wasted Stripe calls). A run
      // started while another is going is throttled, and Lambda retries it later.
      ...(reconciliation.reservedConcurrency === false
        ? {}
        : { reservedConcurrency: reconciliation.reservedConcurrency }),
      // A failed run is not retried at once: it alarms, and the next scheduled run starts
      // again from the same saved cursor.
      retryAttempts: 0,
    });
    grantPipeline(this.reconcile);
    this.reconcile.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.reconciliationState.tableArn],
    );
    // The Stripe API key only (contract section 8): it lists events, never verifies one.
    this.reconcile.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeSecretKey.policyArn],
    );

    this.catalogSnapshot = new ServiceFunction(this, 'CatalogSnapshot', {
      config,
      functionName: 'stripe-catalog-snapshot',
      entry: FUNCTION_ENTRIES.catalogSnapshot,
      description:
        'Stripe service price listing: rebuilds the catalog snapshot GET /stripe/prices reads',
      environment: environment.catalogSnapshot,
      // Passes at 0 s and 30 s of its minute, each with its budget (LISTING_FRESHNESS).
      timeoutSeconds: CATALOG_SNAPSHOT_TIMEOUT_SECONDS,
      // A failed invocation is not retried: the next minute's passes rebuild it anyway.
      retryAttempts: 0,
    });
    for (const table of ['products', 'prices'] as const) {
      this.catalogSnapshot.grant(
        [...CATALOG_ACCESS[table].reads.catalogSnapshot],
        [catalogTables[table].tableArn],
      );
    }
    this.catalogSnapshot.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
      [tables.catalogSnapshot.tableArn],
    );

    this.eventBridge =
      settings.eventBridgeSource === undefined
        ? undefined
        : new ServiceFunction(this, 'EventBridge', {
            config,
            functionName: 'stripe-event-bridge',
            entry: FUNCTION_ENTRIES.eventBridge,
            description:
              "Stripe events from the partner event bus: checked, de-duplicated with the webhook's, published as billing events",
            environment: environment.eventBridge,
            // Its asynchronous retries and failure destination: `StripeEventBridge`.
          });
    if (this.eventBridge) {
      grantPipeline(this.eventBridge);
      // The Stripe API key only: thin events are fetched from Stripe and same-second ties
      // settled there. Nothing is signed on this way in, so no webhook signing secret.
      this.eventBridge.grant(
        ['secretsmanager:GetSecretValue'],
        [external.secrets.stripeSecretKey.policyArn],
      );
    }

    this.all = {
      api: this.api,
      webhook: this.webhook,
      reconcile: this.reconcile,
      catalogSnapshot: this.catalogSnapshot,
      ...(this.eventBridge ? { eventBridge: this.eventBridge } : {}),
    };
  }
}
