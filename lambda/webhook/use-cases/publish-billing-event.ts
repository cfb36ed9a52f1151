import type Stripe from 'stripe';
import type { Logger } from '../../core/logger';
import type { BillingEvent, CustomerDirectory, EventPublisher } from '../../domain/billing-event';
import { BILLING_EVENT_SCHEMA_VERSION, BILLING_EVENT_SOURCE } from '../../shared/billing-events';
import { mapStripeEvent } from '../billing-event-mapping';

export interface PublishDependencies {
  readonly customers: CustomerDirectory;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
}

/** What processing an event produced; stored as the idempotency record's result. */
export interface PublishOutcome {
  readonly billingEventId: string | null;
}

/**
 * Turns a verified Stripe event into its billing event and publishes it. The user comes
 * from the object's metadata, else from the customer mapping, else is null (and logged).
 * Any failure is thrown, so the delivery is answered 500 and Stripe delivers it again.
 */
export async function publishBillingEvent(
  deps: PublishDependencies,
  event: Stripe.Event,
): Promise<PublishOutcome> {
  const mapped = mapStripeEvent(event);
  if (!mapped) return { billingEventId: null };
  let userId = mapped.userId;
  if (userId === null && mapped.stripeCustomerId !== null) {
    userId = (await deps.customers.userIdForStripeCustomer(mapped.stripeCustomerId)) ?? null;
  }
  if (userId === null) {
    deps.logger.warn('Billing event for an unknown user', {
      stripeEventId: event.id,
      stripeCustomerId: mapped.stripeCustomerId,
    });
  }
  const billingEvent: BillingEvent = {
    schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
    type: mapped.type,
    id: `${event.id}:${mapped.type}`,
    occurredAt: new Date(event.created * 1000).toISOString(),
    source: BILLING_EVENT_SOURCE,
    stripeEventId: event.id,
    stripeEventType: event.type,
    livemode: event.livemode,
    userId,
    stripeCustomerId: mapped.stripeCustomerId,
    data: mapped.data,
  };
  await deps.publisher.publish(billingEvent);
  deps.logger.info('Billing event published', {
    billingEventId: billingEvent.id,
    type: billingEvent.type,
    userId,
  });
  return { billingEventId: billingEvent.id };
}
