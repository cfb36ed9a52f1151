import type { Logger } from '../../core/logger';
import type { ActiveEntitlementSource } from '../../domain/active-entitlements';
import {
  type BillingEvent,
  type CustomerDirectory,
  type EventPublisher,
  type StripeDelivery,
  UnpublishableEventError,
} from '../../domain/billing-event';
import { METRIC_DIMENSIONS, METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import {
  entitlementsOrderKey,
  type SubscriptionOrderLedger,
  type SubscriptionStateSource,
} from '../../domain/subscription-order';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  BILLING_EVENT_SOURCE,
  BILLING_EVENT_TYPES,
} from '../../shared/billing-events';
import {
  entitledFeatures,
  entitlementsData,
  mapStripeEvent,
  type MappedStripeEvent,
  sameSubscriptionState,
  subscriptionData,
  UnmappableEventError,
} from '../billing-event-mapping';
import { MAX_ACTIVE_ENTITLEMENTS } from '../stripe-payloads';

export interface PublishDependencies {
  readonly customers: CustomerDirectory;
  readonly publisher: EventPublisher;
  readonly parked: ParkedEventStore;
  /**
   * The high-water mark per subscription and per customer's entitlements ("never
   * backwards").
   */
  readonly order: SubscriptionOrderLedger;
  /** Stripe's current subscription: settles events of the same second. */
  readonly subscriptions: SubscriptionStateSource;
  /**
   * Stripe's current active entitlements of a customer: the rest of a summary that embeds
   * one page of them, and the arbiter of same-second ties. Needed only for entitlement
   * summaries: without it such an event fails (transient: a wiring fault to fix, never a
   * silent guess) when it embeds one page of several or ties with another.
   */
  readonly entitlements?: ActiveEntitlementSource;
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
   * A newer event about the same subscription (or the same customer's entitlements) was
   * already published: this older one is recorded (and counted) but not published, so no
   * consumer sees a state go backwards.
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
  if (mapped.partial) {
    const completed = await completeEntitlements(deps, mapped);
    if (typeof completed === 'string') return park(deps, delivery, completed);
    mapped = completed;
  }

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
  const stream = orderedStream(deps, mapped);
  if (stream === null) return publish(deps, delivery, billingEvent);

  const claim = await deps.order.claim(
    { subscriptionId: stream.key, created: event.created, eventId: event.id },
    stream.carriesCurrentState,
  );
  if (claim.kind === 'superseded') {
    deps.metrics?.count(METRICS.eventsSuperseded);
    deps.logger.info('Event superseded by a newer one about the same state; not published', {
      stripeEventId: event.id,
      orderKey: stream.key,
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

/** The entitlements one message can carry; a customer with more is parked, not truncated. */
const ENTITLEMENTS_CARRIED = MAX_ACTIVE_ENTITLEMENTS;

/**
 * An entitlement summary embeds one page of the customer's active entitlements. Publishing
 * that page would silently revoke every feature on the other pages, so the whole list is
 * read from Stripe instead (fetched rather than parked: the event is well-formed and the
 * rest is one paginated call away; a failure is transient and the delivery is retried).
 * The list read is Stripe's current one, at least as new as the event: publishing it under
 * this event never moves the state backwards, and the ordering below still applies. A
 * list longer than one message may carry is parked (a string: the reason), never cut.
 */
async function completeEntitlements(
  deps: PublishDependencies,
  mapped: MappedStripeEvent,
): Promise<MappedStripeEvent | string> {
  const customerId = mapped.stripeCustomerId ?? '';
  const entitlements = await entitlementSource(deps).current(customerId, ENTITLEMENTS_CARRIED + 1);
  if (entitlements.length > ENTITLEMENTS_CARRIED) {
    return (
      `data.object.entitlements: the customer has more than ${ENTITLEMENTS_CARRIED} active ` +
      'entitlements, more than one billing event carries; none is published truncated'
    );
  }
  deps.logger.info('Entitlement summary completed from Stripe (it embeds one page)', {
    stripeCustomerId: customerId,
    entitlements: entitlements.length,
  });
  const { partial: _partial, ...complete } = mapped;
  return { ...complete, data: entitlementsData(customerId, entitlements) };
}

function entitlementSource(deps: PublishDependencies): ActiveEntitlementSource {
  if (deps.entitlements) return deps.entitlements;
  throw new Error(
    "No source of Stripe's active entitlements is wired into this pipeline " +
      '(PublishDependencies.entitlements): the summary cannot be completed or ordered',
  );
}

/** What orders an event's publication: the key of its high-water mark and its tie-break. */
interface OrderedStream {
  readonly key: string;
  readonly carriesCurrentState: () => Promise<boolean>;
}

/**
 * The events whose order matters, because each carries a whole state that a consumer
 * replaces: `subscription.*` (contract section 5), ordered per subscription, and
 * `entitlements.updated` (the full set of active features: an older one published after a
 * newer one would revoke or grant features wrongly), ordered per customer under
 * `entitlements:<customer id>` (no Stripe id has a colon, so it never meets a subscription's).
 */
function orderedStream(deps: PublishDependencies, mapped: MappedStripeEvent): OrderedStream | null {
  if (mapped.type === BILLING_EVENT_TYPES.entitlementsUpdated && mapped.stripeCustomerId) {
    const customerId = mapped.stripeCustomerId;
    return {
      key: entitlementsOrderKey(customerId),
      carriesCurrentState: () => carriesCurrentEntitlements(deps, customerId, mapped),
    };
  }
  const subscriptionId = mapped.type.startsWith('subscription.')
    ? stringField(mapped.data, 'subscriptionId')
    : null;
  if (subscriptionId === null) return null;
  return {
    key: subscriptionId,
    carriesCurrentState: () => carriesCurrentState(deps, subscriptionId, mapped),
  };
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

/**
 * A same-second tie between entitlement summaries goes to the one whose features are
 * Stripe's current active entitlements of the customer (compared as sets of features).
 */
async function carriesCurrentEntitlements(
  deps: PublishDependencies,
  customerId: string,
  mapped: MappedStripeEvent,
): Promise<boolean> {
  const current = await entitlementSource(deps).current(customerId, ENTITLEMENTS_CARRIED + 1);
  const features = entitledFeatures(mapped.data);
  const now = [...new Set(current.map((entitlement) => entitlement.feature))].sort();
  return now.length === features.length && now.every((feature, i) => feature === features[i]);
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
