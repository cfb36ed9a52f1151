import type { UserRequestLimit } from '../domain/request-limit';
import type { SecretId } from './secrets';

/**
 * Names of the environment variables the stack sets on each function and the function
 * reads at cold start. Values are resource names and settings, never secret values.
 */
export const ENV = {
  customersTable: 'CUSTOMERS_TABLE_NAME',
  eventLedgerTable: 'WEBHOOK_IDEMPOTENCY_TABLE_NAME',
  catalogSyncTable: 'CATALOG_SYNC_TABLE_NAME',
  productsTable: 'PRODUCTS_TABLE_NAME',
  pricesTable: 'PRICES_TABLE_NAME',
  billingEventsTopicArn: 'BILLING_EVENTS_TOPIC_ARN',
  stripeSecretKeyName: 'STRIPE_SECRET_KEY_SECRET_NAME',
  stripeWebhookSecretName: 'STRIPE_WEBHOOK_SECRET_NAME',
  jwtSecretName: 'JWT_ACCESS_TOKEN_SECRET_NAME',
  /**
   * With one combined JSON secret (contract section 3), the field of it that holds each
   * value; unset when each value is a secret of its own.
   */
  stripeSecretKeyField: 'STRIPE_SECRET_KEY_SECRET_FIELD',
  stripeWebhookSecretField: 'STRIPE_WEBHOOK_SECRET_FIELD',
  jwtSecretField: 'JWT_ACCESS_TOKEN_SECRET_FIELD',
  /** Optional required `iss` / `aud` of access tokens. */
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  /** The longest an access token may live (`exp` - `iat`), in seconds. */
  jwtMaxLifetimeSeconds: 'JWT_MAX_LIFETIME_SECONDS',
  parkedEventsTable: 'PARKED_EVENTS_TABLE_NAME',
  subscriptionOrderTable: 'SUBSCRIPTION_ORDER_TABLE_NAME',
  reconciliationStateTable: 'RECONCILIATION_STATE_TABLE_NAME',
  catalogSnapshotTable: 'CATALOG_SNAPSHOT_TABLE_NAME',
  /** The per-user request limit: its counters' table, and the limit (or `off`). */
  userRateLimitTable: 'USER_RATE_LIMIT_TABLE_NAME',
  userRateLimitRequests: 'USER_RATE_LIMIT_REQUESTS',
  userRateLimitWindowSeconds: 'USER_RATE_LIMIT_WINDOW_SECONDS',
  /** Days a past_due subscription keeps access (`grace`) after its failed renewal. */
  pastDueGraceDays: 'PAST_DUE_GRACE_DAYS',
  /** Minutes between scheduled reconciliations (the cursor overlaps by one interval). */
  reconcileIntervalMinutes: 'RECONCILE_INTERVAL_MINUTES',
  /** Powertools Metrics' namespace: one per stack. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  allowedRedirectOrigins: 'ALLOWED_REDIRECT_ORIGINS',
  secretsCacheMaxAgeSeconds: 'SECRETS_CACHE_MAX_AGE_SECONDS',
  environmentName: 'SERVICE_ENVIRONMENT',
  /** The Stripe partner event source the EventBridge function takes events from. */
  eventBridgeSource: 'STRIPE_EVENT_BRIDGE_SOURCE',
} as const;

export type EnvVarName = (typeof ENV)[keyof typeof ENV];

/** `USER_RATE_LIMIT_REQUESTS` of a function whose environment turned the limit off. */
export const USER_RATE_LIMIT_OFF = 'off';

/**
 * The functions, by the id the stack and the benchmarks know them by (`eventBridge` exists
 * only with context `eventBridgeSource`).
 */
export type FunctionName = 'api' | 'webhook' | 'reconcile' | 'catalogSnapshot' | 'eventBridge';

export type FunctionEnvironment = Readonly<Partial<Record<EnvVarName, string>>>;

/** A secret as a function is told of it: its name, and the field of a combined secret. */
export interface SecretLocation {
  readonly name: string;
  readonly field?: string | undefined;
}

/** Every table the functions use, by name, keyed as the functions' configurations key them. */
export interface TableNames {
  readonly customersTable: string;
  readonly eventLedgerTable: string;
  readonly catalogSyncTable: string;
  readonly parkedEventsTable: string;
  readonly subscriptionOrderTable: string;
  readonly reconciliationStateTable: string;
  readonly catalogSnapshotTable: string;
  readonly userRateLimitTable: string;
  readonly productsTable: string;
  readonly pricesTable: string;
}

/**
 * What the functions' environments are built from: the stack gives CDK tokens, the local
 * stack its local names.
 */
export interface FunctionEnvironmentInputs extends TableNames {
  readonly billingEventsTopicArn: string;
  readonly secrets: Readonly<Record<SecretId, SecretLocation>>;
  readonly allowedRedirectOrigins: readonly string[];
  readonly jwtIssuer?: string | undefined;
  readonly jwtAudience?: string | undefined;
  readonly jwtMaxLifetimeSeconds: number;
  /** The per-user request limit of the authenticated routes, or `false` for none. */
  readonly userRateLimit: UserRequestLimit | false;
  readonly secretsCacheMaxAgeSeconds: number;
  /** The access policy's grace for a past_due subscription (`data.access`). */
  readonly pastDueGraceDays: number;
  readonly reconcileIntervalMinutes: number;
  readonly metricsNamespace: string;
  /** The metrics' `environment` dimension (`dev`, `staging`, `prod`, `local`). */
  readonly environmentName: string;
  /** Stripe's partner event source (`aws.partner/stripe.com/...`), when events come that way too. */
  readonly eventBridgeSource?: string | undefined;
}

/** A secret's name for the function, and the field of it when it is a combined secret. */
const secretVariables = (
  secret: SecretLocation,
  nameVariable: EnvVarName,
  fieldVariable: EnvVarName,
): FunctionEnvironment => ({
  [nameVariable]: secret.name,
  ...(secret.field === undefined ? {} : { [fieldVariable]: secret.field }),
});

const optional = (name: EnvVarName, value: string | undefined): FunctionEnvironment =>
  value === undefined ? {} : { [name]: value };

/**
 * Each function's environment, defined once for the stack and the local stack: what its
 * configuration and its metrics read at cold start, and the names of no secret it does not
 * use (contract section 8).
 */
export function functionEnvironments(
  inputs: FunctionEnvironmentInputs,
): Readonly<Record<FunctionName, FunctionEnvironment>> {
  const { secrets } = inputs;
  const common = commonVariables(inputs);
  // Every function but the catalog snapshot's reads the Stripe key, and caches secrets.
  const stripeSecretKey = {
    ...secretVariables(secrets.stripeSecretKey, ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    [ENV.secretsCacheMaxAgeSeconds]: String(inputs.secretsCacheMaxAgeSeconds),
  };
  const pipeline = pipelineVariables(inputs);
  return {
    api: { ...common, ...stripeSecretKey, ...apiVariables(inputs) },
    webhook: {
      ...common,
      ...pipeline,
      ...secretVariables(
        secrets.stripeWebhookSecret,
        ENV.stripeWebhookSecretName,
        ENV.stripeWebhookSecretField,
      ),
      ...stripeSecretKey,
    },
    reconcile: {
      ...common,
      ...pipeline,
      ...stripeSecretKey,
      [ENV.reconciliationStateTable]: inputs.reconciliationStateTable,
      [ENV.reconcileIntervalMinutes]: String(inputs.reconcileIntervalMinutes),
    },
    catalogSnapshot: { ...common, ...catalogVariables(inputs) },
    // The event pipeline and the Stripe key (thin events are fetched from Stripe, and
    // same-second ties settled there); never the webhook signing secret.
    eventBridge: {
      ...common,
      ...pipeline,
      ...stripeSecretKey,
      ...optional(ENV.eventBridgeSource, inputs.eventBridgeSource),
    },
  };
}

/** What every function reads: its environment's name and its metrics. */
const commonVariables = (inputs: FunctionEnvironmentInputs): FunctionEnvironment => ({
  [ENV.environmentName]: inputs.environmentName,
  // Powertools Metrics reads it; the function's metrics adapter insists on it too.
  [ENV.metricsNamespace]: inputs.metricsNamespace,
});

/** The catalog: the price listing's snapshot and the tables it is built from. */
const catalogVariables = (inputs: FunctionEnvironmentInputs): FunctionEnvironment => ({
  [ENV.productsTable]: inputs.productsTable,
  [ENV.pricesTable]: inputs.pricesTable,
  [ENV.catalogSnapshotTable]: inputs.catalogSnapshotTable,
});

/** What every way in to the event pipeline needs (lambda/stripe-events/config.ts). */
const pipelineVariables = (inputs: FunctionEnvironmentInputs): FunctionEnvironment => ({
  [ENV.customersTable]: inputs.customersTable,
  [ENV.eventLedgerTable]: inputs.eventLedgerTable,
  [ENV.parkedEventsTable]: inputs.parkedEventsTable,
  [ENV.subscriptionOrderTable]: inputs.subscriptionOrderTable,
  [ENV.billingEventsTopicArn]: inputs.billingEventsTopicArn,
  [ENV.pastDueGraceDays]: String(inputs.pastDueGraceDays),
});

/**
 * The API's own: the catalog, customers, the JWT secret and claims, redirect origins, the
 * per-user request limit.
 */
const apiVariables = (inputs: FunctionEnvironmentInputs): FunctionEnvironment => ({
  ...catalogVariables(inputs),
  [ENV.customersTable]: inputs.customersTable,
  [ENV.catalogSyncTable]: inputs.catalogSyncTable,
  ...secretVariables(inputs.secrets.jwtAccessTokenSecret, ENV.jwtSecretName, ENV.jwtSecretField),
  ...optional(ENV.jwtIssuer, inputs.jwtIssuer),
  ...optional(ENV.jwtAudience, inputs.jwtAudience),
  [ENV.jwtMaxLifetimeSeconds]: String(inputs.jwtMaxLifetimeSeconds),
  [ENV.allowedRedirectOrigins]: inputs.allowedRedirectOrigins.join(','),
  ...userRateLimitVariables(inputs),
});

/** The limit and its counters' table; an explicit `off` (a missing limit fails at cold start). */
const userRateLimitVariables = (inputs: FunctionEnvironmentInputs): FunctionEnvironment =>
  inputs.userRateLimit === false
    ? { [ENV.userRateLimitRequests]: USER_RATE_LIMIT_OFF }
    : {
        [ENV.userRateLimitTable]: inputs.userRateLimitTable,
        [ENV.userRateLimitRequests]: String(inputs.userRateLimit.requests),
        [ENV.userRateLimitWindowSeconds]: String(inputs.userRateLimit.windowSeconds),
      };
