import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  type FunctionEnvironment,
  functionEnvironments,
} from '../../lambda/shared/function-environment';
import { CUSTOMERS_BY_STRIPE_ID_INDEX } from '../../lambda/shared/tables';
import { metricsNamespace, type ServiceConfig } from '../config';
import { type CatalogTable, grantCatalogAccess } from './catalog-access';
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

export type ServiceFunctionId = keyof typeof FUNCTION_ENTRIES;

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
  // Parking writes the first parking and records later ones beside it; nothing on the way
  // in deletes a parked event (only a replay does: the reconcile function's `grantReplay`).
  parkedEvents: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  subscriptionOrder: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/** Each function's environment variables (`lambda/shared/function-environment.ts`). */
type Environments = ReturnType<typeof functionEnvironments>;

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
  readonly all: ReadonlyMap<ServiceFunctionId, ServiceFunction>;

  private readonly props: ServiceFunctionsProps;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    this.props = props;
    const environments = this.environments();
    this.api = this.createApi(environments.api);
    this.webhook = this.createWebhook(environments.webhook);
    this.reconcile = this.createReconcile(environments.reconcile);
    this.catalogSnapshot = this.createCatalogSnapshot(environments.catalogSnapshot);
    this.eventBridge =
      props.config.settings.eventBridgeSource === undefined
        ? undefined
        : this.createEventBridge(environments.eventBridge);
    this.all = new Map<ServiceFunctionId, ServiceFunction>([
      ['api', this.api],
      ['webhook', this.webhook],
      ['reconcile', this.reconcile],
      ['catalogSnapshot', this.catalogSnapshot],
      ...(this.eventBridge ? [['eventBridge', this.eventBridge] as const] : []),
    ]);
  }

  private environments(): Environments {
    const { config, tables, external } = this.props;
    const { settings } = config;
    return functionEnvironments({
      customersTable: tables.customers.tableName,
      eventLedgerTable: tables.eventLedger.tableName,
      catalogSyncTable: tables.catalogSync.tableName,
      parkedEventsTable: tables.parkedEvents.tableName,
      subscriptionOrderTable: tables.subscriptionOrder.tableName,
      reconciliationStateTable: tables.reconciliationState.tableName,
      catalogSnapshotTable: tables.catalogSnapshot.tableName,
      userRateLimitTable: tables.userRateLimits.tableName,
      productsTable: external.productsTable.tableName,
      pricesTable: external.pricesTable.tableName,
      billingEventsTopicArn: external.billingEventsTopic.topicArn,
      secrets: external.secrets,
      allowedRedirectOrigins: settings.allowedRedirectOrigins,
      jwtIssuer: settings.jwtIssuer,
      jwtAudience: settings.jwtAudience,
      jwtMaxLifetimeSeconds: settings.jwtMaxLifetimeSeconds,
      pastDueGraceDays: settings.pastDueGraceDays,
      userRateLimit: settings.userRateLimit,
      secretsCacheMaxAgeSeconds: settings.secretsCacheMaxAgeSeconds,
      reconcileIntervalMinutes: settings.reconciliation.intervalMinutes,
      metricsNamespace: metricsNamespace(config),
      environmentName: config.environmentName,
      eventBridgeSource: settings.eventBridgeSource,
    });
  }

  private createApi(environment: FunctionEnvironment): ServiceFunction {
    const { config, tables, external } = this.props;
    const api = new ServiceFunction(this, 'Api', {
      config,
      functionName: 'stripe-api',
      entry: FUNCTION_ENTRIES.api,
      description: 'Stripe service API: checkout and portal sessions, prices, session status',
      environment,
    });
    api.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.customers.tableArn],
    );
    api.grant(['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.catalogSync.tableArn]);
    // The listing reads the snapshot's head, or one or two of its chunks.
    api.grant(['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [tables.catalogSnapshot.tableArn]);
    grantCatalogAccess(api, 'api', this.catalogTables(), { writesBack: true });
    // The per-user limit: one conditional ADD per authenticated request, nothing else.
    if (config.settings.userRateLimit !== false) {
      api.grant(['dynamodb:UpdateItem'], [tables.userRateLimits.tableArn]);
    }
    // With a combined secret both ARNs are that one secret (granted once), and it holds
    // the webhook signing secret too: IAM cannot grant one field of a secret, so a
    // combined secret trades this isolation for the one-secret layout.
    api.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeSecretKey.policyArn, external.secrets.jwtAccessTokenSecret.policyArn],
    );
    return api;
  }

  private createWebhook(environment: FunctionEnvironment): ServiceFunction {
    const { config, external } = this.props;
    const webhook = new ServiceFunction(this, 'Webhook', {
      config,
      functionName: 'stripe-webhook',
      entry: FUNCTION_ENTRIES.webhook,
      description: 'Stripe webhook receiver: verifies, de-duplicates and publishes billing events',
      environment,
      reservedConcurrency: config.settings.webhookReservedConcurrency,
    });
    this.grantPipeline(webhook);
    // The signing secrets verify deliveries; the Stripe API key settles a same-second
    // ordering tie against the subscription's current state at Stripe (contract section 5).
    webhook.grant(
      ['secretsmanager:GetSecretValue'],
      [external.secrets.stripeWebhookSecret.policyArn, external.secrets.stripeSecretKey.policyArn],
    );
    return webhook;
  }

  private createReconcile(environment: FunctionEnvironment): ServiceFunction {
    const { config, tables } = this.props;
    const { reconciliation } = config.settings;
    const reconcile = new ServiceFunction(this, 'Reconcile', {
      config,
      functionName: 'stripe-reconcile',
      entry: FUNCTION_ENTRIES.reconcile,
      description:
        "Stripe reconciliation: feeds Stripe's events since the saved cursor through the webhook's pipeline",
      environment,
      // Not API Gateway's 29 s: a run walks every event since the cursor.
      timeoutSeconds: reconciliation.timeoutSeconds,
      // One run at a time: two overlapping runs would walk the same events and race to
      // save the cursor (harmless through the ledger, but wasted Stripe calls). A run
      // started while another is going is throttled, and Lambda retries it later.
      reservedConcurrency: reconciliation.reservedConcurrency,
      // A failed run is not retried at once: it alarms, and the next scheduled run starts
      // again from the same saved cursor.
      retryAttempts: 0,
    });
    this.grantPipeline(reconcile);
    reconcile.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tables.reconciliationState.tableArn],
    );
    // A replayed parked event that goes through is unparked (`{"eventId": ...}` invocations).
    reconcile.grant(['dynamodb:DeleteItem'], [tables.parkedEvents.tableArn]);
    // It lists events, never verifies one.
    this.grantStripeKeyOnly(reconcile);
    return reconcile;
  }

  private createCatalogSnapshot(environment: FunctionEnvironment): ServiceFunction {
    const { config, tables } = this.props;
    const catalogSnapshot = new ServiceFunction(this, 'CatalogSnapshot', {
      config,
      functionName: 'stripe-catalog-snapshot',
      entry: FUNCTION_ENTRIES.catalogSnapshot,
      description:
        'Stripe service price listing: rebuilds the catalog snapshot GET /stripe/prices reads',
      environment,
      // Passes at 0 s and 30 s of its minute, each with its budget (LISTING_FRESHNESS).
      timeoutSeconds: CATALOG_SNAPSHOT_TIMEOUT_SECONDS,
      // A failed invocation is not retried: the next minute's passes rebuild it anyway.
      retryAttempts: 0,
    });
    grantCatalogAccess(catalogSnapshot, 'catalogSnapshot', this.catalogTables(), {
      writesBack: false,
    });
    catalogSnapshot.grant(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
      [tables.catalogSnapshot.tableArn],
    );
    return catalogSnapshot;
  }

  private createEventBridge(environment: FunctionEnvironment): ServiceFunction {
    const eventBridge = new ServiceFunction(this, 'EventBridge', {
      config: this.props.config,
      functionName: 'stripe-event-bridge',
      entry: FUNCTION_ENTRIES.eventBridge,
      description:
        "Stripe events from the partner event bus: checked, de-duplicated with the webhook's, published as billing events",
      environment,
      // Its asynchronous retries and failure destination: `StripeEventBridge`.
    });
    this.grantPipeline(eventBridge);
    // Thin events are fetched from Stripe and same-second ties settled there. Nothing is
    // signed on this way in, so no webhook signing secret.
    this.grantStripeKeyOnly(eventBridge);
    return eventBridge;
  }

  /** What every way in to the event pipeline may do (`PIPELINE_TABLE_ACCESS`, publishing). */
  private grantPipeline(fn: ServiceFunction): void {
    const { tables, external } = this.props;
    fn.grant([...PIPELINE_TABLE_ACCESS.idempotency], [tables.eventLedger.tableArn]);
    fn.grant([...PIPELINE_TABLE_ACCESS.parkedEvents], [tables.parkedEvents.tableArn]);
    fn.grant([...PIPELINE_TABLE_ACCESS.subscriptionOrder], [tables.subscriptionOrder.tableArn]);
    fn.grant(
      ['dynamodb:Query'],
      [`${tables.customers.tableArn}/index/${CUSTOMERS_BY_STRIPE_ID_INDEX.indexName}`],
    );
    fn.grant(['sns:Publish'], [external.billingEventsTopic.topicArn]);
  }

  /** The Stripe API key only (contract section 8): it calls Stripe, never verifies a delivery. */
  private grantStripeKeyOnly(fn: ServiceFunction): void {
    fn.grant(
      ['secretsmanager:GetSecretValue'],
      [this.props.external.secrets.stripeSecretKey.policyArn],
    );
  }

  private catalogTables(): Record<CatalogTable, ITable> {
    const { external } = this.props;
    return { products: external.productsTable, prices: external.pricesTable };
  }
}
