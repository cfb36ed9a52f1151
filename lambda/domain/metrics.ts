/**
 * What the service counts (contract section 8), defined once: the functions emit them,
 * the monitoring construct alarms on them and draws them, the runbook names them. Every
 * metric carries the `environment` dimension; `BillingEventsPublished` also `type`.
 */
export const METRICS = {
  webhookVerified: 'WebhookDeliveriesVerified',
  webhookSignatureRejected: 'WebhookSignatureRejected',
  webhookDuplicate: 'WebhookDuplicateDeliveries',
  billingEventsPublished: 'BillingEventsPublished',
  eventsParked: 'EventsParked',
  eventsSuperseded: 'EventsSuperseded',
  eventsRecovered: 'EventsRecoveredByReconciliation',
  reconciliationRuns: 'ReconciliationRuns',
  reconciliationFailures: 'ReconciliationFailures',
  /**
   * The state check found the last state published about a subscription different from
   * Stripe's (or its mark in the future) and published Stripe's current state.
   */
  subscriptionStatesHealed: 'SubscriptionStatesHealed',
  checkoutSessionsCreated: 'CheckoutSessionsCreated',
  stripeCallFailures: 'StripeCallFailures',
  stripeTimeouts: 'StripeTimeouts',
  /**
   * Stripe's rate limits outlasted the retries: an API request answered 503
   * `stripe_rate_limited`, or a reconciliation run (or replay) stopped early, resumably.
   */
  stripeRateLimited: 'StripeRateLimited',
  /** Requests answered 429 `rate_limited`: over the caller's per-user limit. */
  userRateLimited: 'UserRateLimited',
  /**
   * The per-user limiter failed or did not answer in time: the request was served
   * uncounted (the limiter fails open).
   */
  userRateLimiterFailures: 'UserRateLimiterFailures',
  awsCallFailures: 'AwsCallFailures',
  awsTimeouts: 'AwsTimeouts',
  catalogSnapshotRefreshes: 'CatalogSnapshotRefreshes',
  catalogSnapshotChanges: 'CatalogSnapshotChanges',
  catalogSnapshotFailures: 'CatalogSnapshotFailures',
  /**
   * Listing answers served from a container's last head because reading it failed
   * (stale-if-error, `LISTING_STALE_IF_ERROR_SECONDS`): the catalog's reads are failing.
   */
  priceListingServedStale: 'PriceListingServedStale',
  /** Stripe's events through EventBridge (context `eventBridgeSource`): taken in. */
  eventBridgeReceived: 'EventBridgeEventsReceived',
  /** Not from the configured partner source and account, or not a Stripe event: dropped. */
  eventBridgeRejected: 'EventBridgeEventsRejected',
  /** Already processed (by the webhook, reconciliation or an earlier delivery): a no-op. */
  eventBridgeDuplicate: 'EventBridgeDuplicates',
  /** Thin event notifications turned into their v1 event through Stripe's API. */
  thinEventsResolved: 'ThinEventsResolved',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The dimensions' names: `environment` on every metric, `type` on billing events published. */
export const METRIC_DIMENSIONS = {
  environment: 'environment',
  billingEventType: 'type',
} as const;

/** The metrics port: use cases count, the adapter (Powertools, EMF) emits. */
export interface ServiceMetrics {
  /** Adds `value` (default 1) to the metric, optionally split by one extra dimension. */
  count(name: MetricName, value?: number, dimension?: { name: string; value: string }): void;
}

/** For tests and tools that do not report: counts nothing. */
export const NO_METRICS: ServiceMetrics = { count: () => undefined };
