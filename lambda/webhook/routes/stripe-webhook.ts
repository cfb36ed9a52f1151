import type Stripe from 'stripe';
import { getHeader, jsonResponse, rawBody, type HttpResponse } from '../../core/http';
import type { PublicRequest } from '../../core/http-handler';
import type { Logger } from '../../core/logger';
import type { EventProcessor } from '../../adapters/idempotent-processor';
import { conflict } from '../../core/errors';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import { SubscriptionBusyError } from '../../domain/subscription-order';
import { isHandledStripeEventType } from '../billing-event-mapping';
import { isSignatureRejection, type StripeSignatureVerifier } from '../signature-verifier';
import {
  resolveOrParkThinEvent,
  snapshotTypeOf,
  type ThinEventNotification,
  type ThinEventResolver,
} from '../stripe-event-intake';
import type { PublishOutcome } from '../use-cases/publish-billing-event';

/** Stripe's events are far smaller; API Gateway and Lambda take up to 6 MB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** What a thin event notification needs beyond a snapshot event. */
export interface ThinEventIntake {
  /** Fetches the v1 (snapshot) event a notification is about from Stripe. */
  readonly resolver: ThinEventResolver;
  /** Where a notification whose event Stripe does not have is kept. */
  readonly parked: ParkedEventStore;
  readonly now?: () => Date;
}

export interface WebhookRouteDependencies {
  readonly verifier: StripeSignatureVerifier;
  readonly process: EventProcessor<PublishOutcome>;
  readonly logger: Logger;
  /** Counts deliveries verified, rejected (signature) and duplicate; none when absent. */
  readonly metrics?: ServiceMetrics;
  /**
   * Thin event notifications (an event destination with the `thin` payload). The
   * composition root always wires it; without it (tests that send snapshot events only) a
   * thin delivery fails with a 500, so Stripe keeps it and retries.
   */
  readonly thinEvents?: ThinEventIntake;
}

/**
 * POST /stripe/webhook: verify over the raw body, ignore (200) what the service does not
 * handle, process the rest once per event id. Stripe reads only the status: 2xx done,
 * 4xx never retried usefully (a forged or broken delivery), 409/5xx retried later. A
 * verified event that can never become a billing event is parked and answered 200
 * (`parked: true`), so it does not come back for three days.
 *
 * A thin event notification (signed with the same secret) is first resolved to its v1
 * event through Stripe's API, then processed exactly like a snapshot event: the ledger
 * keys it by that event's id, so the same event delivered both ways publishes once.
 */
export const stripeWebhookRoute =
  (deps: WebhookRouteDependencies) =>
  async ({ event, context }: PublicRequest): Promise<HttpResponse> => {
    const metrics = deps.metrics ?? NO_METRICS;
    const body = rawBody(event, MAX_WEBHOOK_BODY_BYTES);
    let payload: Awaited<ReturnType<StripeSignatureVerifier['verify']>>;
    try {
      payload = await deps.verifier.verify(body, getHeader(event, 'stripe-signature'));
    } catch (error) {
      // Forged, mis-signed or stale deliveries (or a signing secret out of step with
      // Stripe's): many of them alarm. A signed body that is not an event is not counted.
      if (isSignatureRejection(error)) metrics.count(METRICS.webhookSignatureRejected);
      throw error;
    }
    metrics.count(METRICS.webhookVerified);
    let stripeEvent: Stripe.Event;
    let eventBody: Buffer;
    if (payload.kind === 'snapshot') {
      stripeEvent = payload.event;
      eventBody = body;
    } else {
      const resolved = await resolveThin(deps, payload.notification, body);
      if (!('event' in resolved)) return resolved.response;
      stripeEvent = resolved.event;
      // What the pipeline parks and a replay re-runs is an event, not the notification.
      eventBody = Buffer.from(JSON.stringify(stripeEvent));
    }
    deps.logger.appendKeys({ stripeEventId: stripeEvent.id, stripeEventType: stripeEvent.type });
    if (!isHandledStripeEventType(stripeEvent.type)) {
      deps.logger.info('Stripe event type not handled; acknowledged');
      return jsonResponse(200, { received: true, billingEventId: null });
    }
    const { outcome, alreadyProcessed } = await deps
      .process({ event: stripeEvent, rawBody: eventBody }, context)
      .catch((error: unknown) => {
        // Another event about the subscription is being published: Stripe retries a 409.
        if (error instanceof SubscriptionBusyError)
          throw conflict(error.message, 'subscription_busy');
        throw error;
      });
    // Stripe redelivers (and reconciliation may have got there first): a no-op, counted.
    if (alreadyProcessed) metrics.count(METRICS.webhookDuplicate);
    return jsonResponse(200, {
      received: true,
      billingEventId: outcome.billingEventId,
      ...(outcome.parked ? { parked: true } : {}),
    });
  };

/**
 * The v1 event a thin notification is about, or the answer that ends the delivery: 200
 * for a type the service does not handle (nothing is fetched), 200 `parked` when Stripe
 * has no such event. A failure to reach Stripe is thrown: a 500 that Stripe retries.
 */
async function resolveThin(
  deps: WebhookRouteDependencies,
  notification: ThinEventNotification,
  body: Buffer,
): Promise<{ readonly event: Stripe.Event } | { readonly response: HttpResponse }> {
  deps.logger.appendKeys({
    stripeThinEventId: notification.id,
    stripeEventType: notification.type,
    ...(notification.snapshot_event ? { stripeEventId: notification.snapshot_event } : {}),
  });
  const type = snapshotTypeOf(notification.type);
  if (type === undefined || !isHandledStripeEventType(type)) {
    deps.logger.info('Stripe thin event type not handled; acknowledged');
    return { response: jsonResponse(200, { received: true, billingEventId: null }) };
  }
  const intake = deps.thinEvents;
  if (!intake) throw new Error('Thin event notifications are not configured on this webhook.');
  const result = await resolveOrParkThinEvent(
    { ...intake, logger: deps.logger, ...(deps.metrics ? { metrics: deps.metrics } : {}) },
    notification,
    body,
  );
  if ('event' in result) return { event: result.event };
  return {
    response: jsonResponse(200, { received: true, billingEventId: null, parked: true }),
  };
}
