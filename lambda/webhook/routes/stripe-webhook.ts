import type Stripe from 'stripe';
import { getHeader, jsonResponse, rawBody, type HttpResponse } from '../../core/http';
import type { PublicRequest } from '../../core/http-handler';
import type { Logger } from '../../core/logger';
import type { EventProcessor } from '../../adapters/idempotent-processor';
import { conflict } from '../../core/errors';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import { SubscriptionBusyError } from '../../domain/subscription-order';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../shared/billing-events';
import { isSignatureRejection, type StripeSignatureVerifier } from '../signature-verifier';
import type { PublishOutcome } from '../use-cases/publish-billing-event';

/** Stripe's events are far smaller; API Gateway and Lambda take up to 6 MB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface WebhookRouteDependencies {
  readonly verifier: StripeSignatureVerifier;
  readonly process: EventProcessor<PublishOutcome>;
  readonly logger: Logger;
  /** Counts deliveries verified, rejected (signature) and duplicate; none when absent. */
  readonly metrics?: ServiceMetrics;
}

const HANDLED: readonly string[] = HANDLED_STRIPE_EVENT_TYPES;

/**
 * POST /stripe/webhook: verify over the raw body, ignore (200) what the service does not
 * handle, process the rest once per event id. Stripe reads only the status: 2xx done,
 * 4xx never retried usefully (a forged or broken delivery), 409/5xx retried later. A
 * verified event that can never become a billing event is parked and answered 200
 * (`parked: true`), so it does not come back for three days.
 */
export const stripeWebhookRoute =
  (deps: WebhookRouteDependencies) =>
  async ({ event, context }: PublicRequest): Promise<HttpResponse> => {
    const metrics = deps.metrics ?? NO_METRICS;
    const body = rawBody(event, MAX_WEBHOOK_BODY_BYTES);
    let stripeEvent: Stripe.Event;
    try {
      stripeEvent = await deps.verifier.verify(body, getHeader(event, 'stripe-signature'));
    } catch (error) {
      // Forged, mis-signed or stale deliveries (or a signing secret out of step with
      // Stripe's): many of them alarm. A signed body that is not an event is not counted.
      if (isSignatureRejection(error)) metrics.count(METRICS.webhookSignatureRejected);
      throw error;
    }
    metrics.count(METRICS.webhookVerified);
    deps.logger.appendKeys({ stripeEventId: stripeEvent.id, stripeEventType: stripeEvent.type });
    if (!HANDLED.includes(stripeEvent.type)) {
      deps.logger.info('Stripe event type not handled; acknowledged');
      return jsonResponse(200, { received: true, billingEventId: null });
    }
    const { outcome, alreadyProcessed } = await deps
      .process({ event: stripeEvent, rawBody: body }, context)
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
