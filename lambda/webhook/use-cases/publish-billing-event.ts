import type { Logger } from '../../core/logger';
import {
  type BillingEvent,
  type CustomerDirectory,
  type EventPublisher,
  type StripeDelivery,
  UnpublishableEventError,
} from '../../domain/billing-event';
import { METRIC_DIMENSIONS, METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import type {
  SubscriptionOrderLedger,
  SubscriptionStateSource,
} from '../../domain/subscription-order';
import { BILLING_EVENT_SCHEMA_VERSION, BILLING_EVENT_SOURCE } from '../../shared/billing-events';
import {
  mapStripeEvent,
  type MappedStripeEvent,
  sameSubscriptionState,
  subscriptionData,
  UnmappableEventError,
} from '../billing-event-mapping';

export interface PublishDependencies {
  readonly customers: CustomerDirectory;
  readonly publisher: EventPublisher;
  readonly parked: ParkedEventStore;
  /** The per-subscription high-water mark ("never backwards"). */
  readonly order: SubscriptionOrderLedger;
  /** Stripe's current subscription: settles events of the same second. */
  readonly subscriptions: SubscriptionStateSource;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/** What processing an event produced; stored (as JSON) as the idempotency record's result. */
export interface PublishOutcome {
  readonly billingEventId: string | null;
  /** The event could never become a billing event and was parked (nothing published). */
  readonly parked?: true;
  /**
   * A newer event about the same subscription was already published: this older one is
   * recorded (and counted) but not published, so no consumer sees a state go backwards.
   */
  readonly superseded?: true;
}

/**
 * Turns a verified Stripe event into its billing event and publishes it. The user comes
 * from the object's metadata, else from the customer mapping, else is null (and logged).
 *
 * Two kinds of failure, never confused (contract section 4):
 * - *permanent*: the payload cannot become a billing event (a field missing or malformed
 *   for its type), or the message can never be published (over the topic's size limit).
 *   Retrying cannot help, so the event is parked and the outcome says so; the delivery is
 *   answered 200 and recorded as done, so a redelivery does not park it again.
 * - *transient*: anything a dependency throws (the customers table, the topic, the parked
 *   store itself). It is rethrown: the delivery is answered 500, no completed record is
 *   kept, and Stripe delivers the event again.
 */
export async function publishBillingEvent(
  deps: PublishDependencies,
  delivery: StripeDelivery,
): Promise<PublishOutcome> {
  const { event } = delivery;
  let mapped: MappedStripeEvent | undefined;
  try {
    mapped = mapStripeEvent(event);
  } catch (error) {
    // Mapping is pure: whatever it throws, it throws on every delivery of this payload.
    return park(deps, delivery, unmappableReason(error));
  }
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
    occurredAt: mapped.occurredAt,
    source: BILLING_EVENT_SOURCE,
    stripeEventId: event.id,
    stripeEventType: event.type,
    livemode: mapped.livemode,
    userId,
    stripeCustomerId: mapped.stripeCustomerId,
    data: mapped.data,
  };
  const subscriptionId = isSubscriptionEvent(mapped)
    ? stringField(mapped.data, 'subscriptionId')
    : null;
  if (subscriptionId === null) return publish(deps, delivery, billingEvent);

  const claim = await deps.order.claim(
    { subscriptionId, created: event.created, eventId: event.id },
    () => carriesCurrentState(deps, subscriptionId, mapped),
  );
  if (claim.kind === 'superseded') {
    deps.metrics?.count(METRICS.eventsSuperseded);
    deps.logger.info('Subscription event superseded by a newer one; not published', {
      stripeEventId: event.id,
      subscriptionId,
      newerStripeEventId: claim.newerEventId,
    });
    return { billingEventId: null, superseded: true };
  }
  try {
    return await publish(deps, delivery, billingEvent);
  } finally {
    await claim.release();
  }
}

async function publish(
  deps: PublishDependencies,
  delivery: StripeDelivery,
  billingEvent: BillingEvent,
): Promise<PublishOutcome> {
  try {
    await deps.publisher.publish(billingEvent);
  } catch (error) {
    if (error instanceof UnpublishableEventError) return park(deps, delivery, error.reason);
    throw error;
  }
  deps.metrics?.count(METRICS.billingEventsPublished, 1, {
    name: METRIC_DIMENSIONS.billingEventType,
    value: billingEvent.type,
  });
  deps.logger.info('Billing event published', {
    billingEventId: billingEvent.id,
    type: billingEvent.type,
    userId: billingEvent.userId,
  });
  return { billingEventId: billingEvent.id };
}

/** The `subscription.*` billing events: the ones whose order matters (contract section 5). */
const isSubscriptionEvent = (mapped: MappedStripeEvent): boolean =>
  mapped.type.startsWith('subscription.');

const stringField = (data: Readonly<Record<string, unknown>>, field: string): string | null => {
  const value = data[field];
  return typeof value === 'string' ? value : null;
};

/**
 * A same-second tie goes to the event whose subscription state is Stripe's current one:
 * then the last message published about the subscription carries its newest known state.
 */
async function carriesCurrentState(
  deps: PublishDependencies,
  subscriptionId: string,
  mapped: MappedStripeEvent,
): Promise<boolean> {
  const current = await deps.subscriptions.current(subscriptionId);
  if (!current) return false;
  return sameSubscriptionState(mapped.data, subscriptionData(current));
}

async function park(
  deps: PublishDependencies,
  { event, rawBody }: StripeDelivery,
  reason: string,
): Promise<PublishOutcome> {
  const { rawBodyStored } = await deps.parked.park({
    eventId: event.id,
    type: event.type,
    reason,
    parkedAt: (deps.now?.() ?? new Date()).toISOString(),
    rawBody,
  });
  deps.metrics?.count(METRICS.eventsParked);
  deps.logger.warn('Stripe event parked: it cannot become a billing event', {
    stripeEventId: event.id,
    stripeEventType: event.type,
    reason,
    rawBodyStored,
  });
  return { billingEventId: null, parked: true };
}

function unmappableReason(error: unknown): string {
  if (error instanceof UnmappableEventError) return error.reason;
  // A payload that passed validation and still broke the mapping: a gap in the schemas,
  // kept (with the error's message) so the replay after the fix has the event.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `The payload could not be mapped (${message.slice(0, 300)})`;
}
