import type Stripe from 'stripe';
import { EVENT_CLOCK_SKEW_SECONDS } from './event-admission';
import { EventBusyError } from './event-ledger';

/**
 * A Stripe event's place in the history of the state it carries: its `created` second,
 * then its id. The state is a subscription's, or a customer's active entitlements'.
 */
export interface EventPosition {
  /**
   * Whose history: the subscription id, or `entitlementsOrderKey(customer)`. The name is
   * the order table's key attribute (`SUBSCRIPTION_ORDER_TABLE`), which holds both.
   */
  readonly subscriptionId: string;
  readonly created: number;
  readonly eventId: string;
}

/** The right to publish one event about a subscription, held until `release`. */
export interface PublishClaim {
  readonly kind: 'claimed';
  /**
   * Lets the next event about the subscription through (best effort: the lease expires
   * anyway), recording the subscription state just published (`subscriptionStateOf`) when
   * given: what the state check compares with Stripe's.
   */
  release(publishedState?: string): Promise<void>;
}

export interface Superseded {
  readonly kind: 'superseded';
  /** The newer event already published for the subscription. */
  readonly newerEventId: string;
}

/**
 * The per-subscription high-water mark (contract section 5, "never backwards"): the newest
 * event published about each subscription, and a short lease so two events about one
 * subscription are never published at the same time (which would let the older one land
 * last). A customer's active entitlements are ordered the same way, under their own key
 * (`entitlementsOrderKey`): each summary is full state too.
 */
export interface SubscriptionOrderLedger {
  /**
   * Claims the publication of `position`, unless a newer event was already published.
   * `settleTie` decides an event of the same second as the last published one (a different
   * event): true when it carries the subscription's current state. Throws
   * `SubscriptionBusyError` while another event about the subscription is being published.
   */
  claim(
    position: EventPosition,
    settleTie: () => Promise<boolean>,
  ): Promise<PublishClaim | Superseded>;
  /** The mark and the state last published about a subscription; undefined when none. */
  published(subscriptionId: string): Promise<PublishedMark | undefined>;
  /**
   * The lease to publish a correction (the state check, `correctionId` its id): taken
   * whatever the mark says (a correction carries Stripe's current state, newer than any
   * event), unless another event holds the lease (`SubscriptionBusyError`). A mark stamped
   * beyond now plus the clock skew (written before admission existed) is brought back to
   * now (`correctedMark`), so it no longer supersedes real events.
   */
  claimCorrection(subscriptionId: string, correctionId: string): Promise<PublishClaim>;
}

/** What the state check reads: the mark, and the state last published, when recorded. */
export interface PublishedMark {
  readonly lastCreated: number;
  readonly lastEventId: string;
  /** `subscriptionStateOf` the last message published (absent before it was recorded). */
  readonly publishedState?: string;
}

/**
 * The order key of a customer's entitlement summaries. No Stripe id has a colon, so it
 * never names a subscription's mark.
 */
export const entitlementsOrderKey = (stripeCustomerId: string): string =>
  `entitlements:${stripeCustomerId}`;

/**
 * The order key of one charge's refunds (`payment.refunded` carries the amount refunded so
 * far: an older one published after a newer one would hand back what was taken back).
 */
export const chargeOrderKey = (chargeId: string): string => `charge:${chargeId}`;

/** A charge as Stripe has it now: the arbiter of same-second ties between its refunds. */
export interface ChargeStateSource {
  current(chargeId: string): Promise<Stripe.Charge | undefined>;
}

/**
 * Longer than any invocation can hold it (the function timeout is 15 s): a holder that
 * crashed blocks the subscription's next event for at most this long.
 */
export const SUBSCRIPTION_LEASE_MS = 20_000;

/** What the ledger holds per subscription: the last event published, and the lease. */
export interface OrderMark {
  readonly lastCreated: number;
  readonly lastEventId: string;
  /** The event being published right now, until `leaseUntil` (epoch milliseconds). */
  readonly leaseEventId?: string;
  readonly leaseUntil?: number;
}

/** What a claim on `position` may do, given the mark it read. */
export type ClaimDecision = { readonly kind: 'busy' } | { readonly kind: 'claim' } | Superseded;

/**
 * The ordering rule, once for every ledger: a live lease held by another event makes the
 * claim wait; an event older than the mark (an earlier second, or the same second when
 * `settleTie` says it is not the current state) is superseded; anything else may claim.
 * The same event again (its own retry) passes its own lease and its own mark.
 */
export async function decideClaim(
  mark: OrderMark | undefined,
  position: EventPosition,
  now: number,
  settleTie: () => Promise<boolean>,
): Promise<ClaimDecision> {
  if (!mark) return { kind: 'claim' };
  // A lease's two fields are written together (`claimedMark`) and removed together (a
  // release): without a lease `leaseUntil` is absent, and no lease is live.
  if (leasedToAnother(mark, position.eventId, now)) return { kind: 'busy' };
  const older =
    position.created < mark.lastCreated ||
    (position.created === mark.lastCreated &&
      position.eventId !== mark.lastEventId &&
      !(await settleTie()));
  return older ? { kind: 'superseded', newerEventId: mark.lastEventId } : { kind: 'claim' };
}

/** The mark a successful claim writes: the new high-water mark, leased to its event. */
export const claimedMark = (position: EventPosition, now: number): Required<OrderMark> => ({
  lastCreated: position.created,
  lastEventId: position.eventId,
  leaseEventId: position.eventId,
  leaseUntil: now + SUBSCRIPTION_LEASE_MS,
});

/**
 * The mark a correction's claim writes: leased to the correction; its order unchanged,
 * unless it lies beyond now plus the clock skew, where no real event can be: then it
 * becomes now, and real events after it are published again.
 */
export function correctedMark(
  mark: OrderMark | undefined,
  correctionId: string,
  now: number,
): Required<OrderMark> {
  const nowSeconds = Math.floor(now / 1000);
  const impossible = mark === undefined || mark.lastCreated > nowSeconds + EVENT_CLOCK_SKEW_SECONDS;
  return {
    lastCreated: impossible ? nowSeconds : mark.lastCreated,
    lastEventId: mark?.lastEventId ?? correctionId,
    leaseEventId: correctionId,
    leaseUntil: now + SUBSCRIPTION_LEASE_MS,
  };
}

/** Whether another event than `eventId` holds a live lease on the mark. */
export const leasedToAnother = (mark: OrderMark | undefined, eventId: string, now: number) =>
  mark !== undefined && mark.leaseEventId !== eventId && (mark.leaseUntil ?? 0) > now;

/** Another event about the subscription is being published right now: retry later. */
export class SubscriptionBusyError extends EventBusyError {
  override readonly name = 'SubscriptionBusyError';
  readonly code = 'subscription_busy';

  constructor(readonly subscriptionId: string) {
    super(`Another event about ${subscriptionId} is being published; retry later.`);
  }
}

/** The subscription as Stripe has it now: the arbiter of same-second ties. */
export interface SubscriptionStateSource {
  current(subscriptionId: string): Promise<Stripe.Subscription | undefined>;
}
