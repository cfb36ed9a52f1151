import { getHeader, jsonResponse, rawBody, type HttpResponse } from '../../core/http';
import type { PublicRequest } from '../../core/http-handler';
import { conflict } from '../../core/errors';
import { METRICS, NO_METRICS } from '../../domain/metrics';
import {
  type StripeEventIntake,
  type StripeEventOutcome,
  takeStripeEvent,
} from '../../stripe-events/use-cases/take-stripe-event';
import { isSignatureRejection, type StripeSignatureVerifier } from '../signature-verifier';

/** Stripe's events are far smaller; API Gateway and Lambda take up to 6 MB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface WebhookRouteDependencies extends StripeEventIntake {
  readonly verifier: StripeSignatureVerifier;
}

/**
 * POST /stripe/webhook: verify over the raw body, then take the event the way every way
 * in takes it (`takeStripeEvent`), and answer what Stripe reads: the status. 2xx done;
 * 4xx never retried usefully (a forged or broken delivery); 409/5xx retried later. A
 * verified event that can never become a billing event is parked and answered 200
 * (`parked: true`), so it does not come back for three days.
 *
 * A thin event notification (signed with the same secret) is resolved to its v1 event, so
 * the ledger keys it by that event's id: the same event delivered both ways publishes once.
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
    deps.logger.appendKeys(
      payload.kind === 'snapshot'
        ? { stripeEventId: payload.event.id, stripeEventType: payload.event.type }
        : {
            stripeThinEventId: payload.notification.id,
            stripeEventType: payload.notification.type,
            ...(payload.notification.snapshot_event
              ? { stripeEventId: payload.notification.snapshot_event }
              : {}),
          },
    );
    const outcome = await takeStripeEvent(deps, { payload, body }, { context });
    return answer(deps, outcome);
  };

/** The status Stripe reads, and the body an operator reads in Stripe's delivery log. */
function answer(deps: WebhookRouteDependencies, outcome: StripeEventOutcome): HttpResponse {
  switch (outcome.status) {
    case 'not_handled':
      return jsonResponse(200, { received: true, billingEventId: null });
    case 'unresolved':
      return jsonResponse(200, { received: true, billingEventId: null, parked: true });
    case 'busy':
      // In progress on another delivery, or another event about the subscription is being
      // published: Stripe retries a 409.
      throw conflict(outcome.error.message, outcome.error.code);
    default: {
      deps.logger.appendKeys({
        stripeEventId: outcome.stripeEventId,
        stripeEventType: outcome.stripeEventType,
      });
      // Stripe redelivers (and reconciliation may have got there first): a no-op, counted.
      if (outcome.status === 'duplicate') deps.metrics?.count(METRICS.webhookDuplicate);
      const { recorded } = outcome;
      return jsonResponse(200, {
        received: true,
        billingEventId: recorded.billingEventId,
        ...(recorded.parked ? { parked: true } : {}),
      });
    }
  }
}
