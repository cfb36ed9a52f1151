/**
 * Names of the environment variables the stack sets on each function and the function
 * reads at cold start. Values are resource names and settings, never secret values.
 */
export const ENV = {
  customersTable: 'CUSTOMERS_TABLE_NAME',
  idempotencyTable: 'WEBHOOK_IDEMPOTENCY_TABLE_NAME',
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
  parkedEventsTable: 'PARKED_EVENTS_TABLE_NAME',
  subscriptionOrderTable: 'SUBSCRIPTION_ORDER_TABLE_NAME',
  reconciliationStateTable: 'RECONCILIATION_STATE_TABLE_NAME',
  catalogSnapshotTable: 'CATALOG_SNAPSHOT_TABLE_NAME',
  /** Minutes between scheduled reconciliations (the cursor overlaps by one interval). */
  reconcileIntervalMinutes: 'RECONCILE_INTERVAL_MINUTES',
  /** Powertools Metrics' namespace: one per stack. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  allowedRedirectOrigins: 'ALLOWED_REDIRECT_ORIGINS',
  secretsCacheMaxAgeSeconds: 'SECRETS_CACHE_MAX_AGE_SECONDS',
  environmentName: 'SERVICE_ENVIRONMENT',
} as const;

export type EnvVarName = (typeof ENV)[keyof typeof ENV];
