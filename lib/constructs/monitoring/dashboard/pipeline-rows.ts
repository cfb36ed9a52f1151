import type { IMetric, IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../../../lambda/domain/metrics';
import type { ServiceMetricFactory } from '../service-metric-factory';
import { DASHBOARD_PERIOD, drawnMetric as drawn, graph } from './graph';

/**
 * The billing pipeline's way in and out: deliveries (verified, rejected, duplicate, and
 * the webhook's 5xx answers), billing events published by type, and what was not published.
 */
export function deliveriesRow(
  metrics: ServiceMetricFactory,
  webhookServerErrors: IMetric,
): IWidget[] {
  return [
    graph('Webhook deliveries', [
      drawn(metrics, METRICS.webhookVerified, 'verified'),
      drawn(metrics, METRICS.webhookSignatureRejected, 'rejected (signature)'),
      drawn(metrics, METRICS.webhookDuplicate, 'duplicate'),
      drawn(metrics, METRICS.thinEventsResolved, 'thin events resolved'),
      webhookServerErrors,
    ]),
    graph(
      'Billing events published, by type',
      [metrics.billingEventsPublishedByType(DASHBOARD_PERIOD)],
      { stacked: true },
    ),
    graph('Not published', [
      drawn(metrics, METRICS.eventsParked, 'parked'),
      drawn(metrics, METRICS.eventsSuperseded, 'superseded'),
    ]),
  ];
}

/** What keeps the pipeline whole and the catalog fresh, and what its dependencies did. */
export function recoveryAndDependenciesRow(metrics: ServiceMetricFactory): IWidget[] {
  return [
    graph('Reconciliation', [
      drawn(metrics, METRICS.reconciliationRuns, 'runs'),
      drawn(metrics, METRICS.reconciliationFailures, 'failed runs'),
      drawn(metrics, METRICS.eventsRecovered, 'events recovered'),
      drawn(metrics, METRICS.subscriptionStatesHealed, 'subscription states healed'),
    ]),
    graph('Checkout and price listing', [
      drawn(metrics, METRICS.checkoutSessionsCreated, 'sessions created'),
      drawn(metrics, METRICS.catalogSnapshotRefreshes, 'snapshot passes'),
      drawn(metrics, METRICS.catalogSnapshotChanges, 'listing changes'),
      drawn(metrics, METRICS.catalogSnapshotFailures, 'failed snapshot passes'),
      drawn(metrics, METRICS.priceListingServedStale, 'listing answered stale'),
    ]),
    graph('Dependency failures', [
      drawn(metrics, METRICS.stripeCallFailures, 'Stripe failures'),
      drawn(metrics, METRICS.stripeTimeouts, 'Stripe timeouts'),
      drawn(metrics, METRICS.stripeRateLimited, "refused by Stripe's rate limits"),
      drawn(metrics, METRICS.awsCallFailures, 'AWS failures'),
      drawn(metrics, METRICS.awsTimeouts, 'AWS timeouts'),
    ]),
  ];
}
