import type { Logger } from '../../core/logger';
import type { ActiveEntitlementSource } from '../../domain/active-entitlements';
import type { AccessPolicy } from '../../domain/access';
import type { EventAdmission } from '../../domain/event-admission';
import {
  type BillingEvent,
  type BillingEventData,
  type CustomerDirectory,
  type EventPublisher,
  UnpublishableEventError,
} from '../../domain/billing-event';
import { METRIC_DIMENSIONS, METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import {
  type ChargeStateSource,
  chargeOrderKey,
  entitlementsOrderKey,
  type SubscriptionOrderLedger,
  type SubscriptionStateSource,
} from '../../domain/subscription-order';
import {
  BILLING_EVENT_SCHEMA_VERSION,
  BILLING_EVENT_SOURCE,
  BILLING_EVENT_TYPES,
} from '../../shared/billing-events';
import { mapStripeEvent } from '../billing-event-mapping';
import { MAX_ACTIVE_ENTITLEMENTS, UnmappableEventError } from '../payloads';
import type { StripeDelivery } from '../../domain/event-ledger';
import type { MappedStripeEvent } from '../mapping/object-mapping';
import { entitlementsData } from '../mapping/entitlements';
import {
  sameSubscriptionState,
  subscriptionData,
  subscriptionStateOf,
} from '../mapping/subscription';

export interface PublishDependencies {
  readonly customers: CustomerDirectory;
  readonly publisher: EventPublisher;
  readonly parked: ParkedEventStore;
  /**
   * The clock and mode checks (`eventAdmission`): an event from the future, or from the
   * other Stripe mode, is parked before it is mapped or ordered.
   */
  readonly admission: EventAdmission;
  /** The environment's access policy (`data.access`; context `pastDueGraceDays`). */
  readonly accessPolicy: AccessPolicy;
  /**
   * The high-water mark per subscription and per customer's entitlements ("never
   * backwards").
   */
  readonly order: Pick<SubscriptionOrderLedger, 'claim'>;
  /** Stripe's current subscription: settles events of the same second. */
  readonly subscriptions: SubscriptionStateSource;
  /**
   * Stripe's current active entitlements of a customer: the rest of a summary that embeds
   * one page of them, and the arbiter of same-second ties. Needed only for entitlement
   * summaries: without it such an event fails (transient: a wiring fault to fix, never a
   * silent guess) when it embeds one page of several or ties with another.
   */
  readonly entitlements?: ActiveEntitlementSource;
  /**
   * Stripe's current charge: the arbiter of same-second ties between one charge's refunds.
   * Without it such a tie fails (transient: a wiring fault to fix, never a guess).
   */
  readonly charges?: ChargeStateSource;
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
 * An event refused on admission (stamped in the future beyond the clock skew, or from the
 * other Stripe mode) is parked first: it is never published nor made a high-water mark.
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
  const refusal = await deps.admission.refusal({
    createdMs: event.created * 1000,
    // Typed boolean, but the payload is only as good as what was signed: absent is not live.
    livemode: (event.livemode as boolean | undefined) === true,
  });
  if (refusal !== undefined) return park(deps, delivery, refusal);
  let mapped: MappedStripeEvent | undefined;
  try {
    mapped = mapStripeEvent(event, deps.accessPolicy);
  } catch (error) {
    // Mapping is pure: whatever it throws, it throws on every delivery of this payload.
    return park(deps, delivery, unmappableReason(error));
  }
  if (!mapped) return { billingEventId: null };

  const userId = await userOf(deps, event, mapped);
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
  return publishInOrder(deps, delivery, billingEvent, stream);
}

/** The app user: from the object's metadata, else the customers table, else null (logged). */
export async function userOf(
  deps: Pick<PublishDependencies, 'customers' | 'logger'>,
  event: Pick<StripeDelivery['event'], 'id'>,
  mapped: MappedStripeEvent,
): Promise<string | null> {
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
  return userId;
}

/**
 * Publishes an event whose order matters while holding its stream's lease, unless a newer
 * event about the same state was published already (then it is superseded).
 */
async function publishInOrder(
  deps: PublishDependencies,
  delivery: StripeDelivery,
  billingEvent: BillingEvent,
  stream: OrderedStream,
): Promise<PublishOutcome> {
  const { event } = delivery;
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
  let publishedState: string | undefined;
  try {
    if (stream.entitlementsOf === undefined) {
      const outcome = await publish(deps, delivery, billingEvent);
      if (outcome.billingEventId !== null) publishedState = stream.stateOf;
      return outcome;
    }
    // Read inside the customer's lease, so what is published only ever moves forward.
    const current = await currentEntitlements(deps, stream.entitlementsOf);
    if (typeof current === 'string') return await park(deps, delivery, current);
    return await publish(deps, delivery, { ...billingEvent, data: current });
  } finally {
    // The lease expires by itself: failing to release it early must not fail a delivery
    // whose message is out (a retry would publish it again). The state the release records
    // is what the state check compares with Stripe's; a lost one errs towards a correction.
    await claim.release(publishedState).catch((error: unknown) => {
      deps.logger.warn('Order lease not released; it expires by itself', {
        stripeEventId: event.id,
        orderKey: stream.key,
        error,
      });
    });
  }
}

/** The entitlements one message can carry; a customer with more is parked, not truncated. */
const ENTITLEMENTS_CARRIED = MAX_ACTIVE_ENTITLEMENTS;

/**
 * What an `entitlements.updated` message carries: the customer's active entitlements as
 * Stripe has them now, read while holding the customer's lease (the ordering below), not
 * the page the summary embeds:
 * - a summary embeds one page only (`has_more`): publishing it would silently revoke
 *   every feature on the other pages;
 * - publishing a summary's own state could move consumers backwards: a summary completed
 *   from Stripe carries a state newer than its event, and a later-created summary that
 *   embeds an older state would then undo it. Reads made one at a time under the lease
 *   only ever move forward, and the last message about a customer carries the newest state.
 * A failure to read is transient (the delivery is retried). A list longer than one
 * message may carry is parked (a string: the reason), never cut.
 */
async function currentEntitlements(
  deps: PublishDependencies,
  customerId: string,
): Promise<BillingEventData | string> {
  const entitlements = await entitlementSource(deps).current(customerId, ENTITLEMENTS_CARRIED + 1);
  if (entitlements.length > ENTITLEMENTS_CARRIED) {
    return (
      `data.object.entitlements: the customer has more than ${ENTITLEMENTS_CARRIED} active ` +
      'entitlements, more than one billing event carries; none is published truncated'
    );
  }
  deps.logger.info("Entitlement summary published with Stripe's current entitlements", {
    stripeCustomerId: customerId,
    entitlements: entitlements.length,
  });
  return entitlementsData(customerId, entitlements);
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
  /**
   * The customer whose entitlements the message carries, read from Stripe under the lease
   * (`entitlements.updated` only).
   */
  readonly entitlementsOf?: string;
  /** The subscription state the message carries (`subscriptionStateOf`; subscriptions only). */
  readonly stateOf?: string;
}

/**
 * The events whose order matters, because each carries a whole state that a consumer
 * replaces: `subscription.*` (contract section 5), ordered per subscription, and
 * `entitlements.updated` (the full set of active features: an older one published after a
 * newer one would revoke or grant features wrongly), ordered per customer under
 * `entitlements:<customer id>` (no Stripe id has a colon, so it never meets a subscription's).
 */
function orderedStream(deps: PublishDependencies, mapped: MappedStripeEvent): OrderedStream | null {
  const chargeId =
    mapped.type === BILLING_EVENT_TYPES.paymentRefunded
      ? stringField(mapped.data, 'chargeId')
      : null;
  if (chargeId !== null) {
    return {
      key: chargeOrderKey(chargeId),
      carriesCurrentState: () => refundsCurrent(deps, chargeId, mapped),
    };
  }
  if (mapped.type === BILLING_EVENT_TYPES.entitlementsUpdated && mapped.stripeCustomerId) {
    const customerId = mapped.stripeCustomerId;
    return {
      key: entitlementsOrderKey(customerId),
      entitlementsOf: customerId,
      // A same-second tie is published: what it carries is read from Stripe under the
      // lease (currentEntitlements), so it is the newest state whichever summary wins.
      carriesCurrentState: () => Promise.resolve(true),
    };
  }
  const subscriptionId = mapped.type.startsWith('subscription.')
    ? stringField(mapped.data, 'subscriptionId')
    : null;
  if (subscriptionId === null) return null;
  return {
    key: subscriptionId,
    carriesCurrentState: () => carriesCurrentState(deps, subscriptionId, mapped),
    stateOf: subscriptionStateOf(mapped.data),
  };
}

/** A same-second tie between a charge's refunds goes to the one Stripe's charge agrees with. */
async function refundsCurrent(
  deps: PublishDependencies,
  chargeId: string,
  mapped: MappedStripeEvent,
): Promise<boolean> {
  if (!deps.charges) {
    throw new Error('No source of Stripe charges is wired into this pipeline (charges)');
  }
  const current = await deps.charges.current(chargeId);
  return current !== undefined && current.amount_refunded === mapped.data.amountRefunded;
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
