import type Stripe from 'stripe';
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
  /** Lets the next event about the subscription through (best effort: the lease expires anyway). */
  release(): Promise<void>;
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
}

/**
 * The order key of a customer's entitlement summaries. No Stripe id has a colon, so it
 * never names a subscription's mark.
 */
export const entitlementsOrderKey = (stripeCustomerId: string): string =>
  `entitlements:${stripeCustomerId}`;

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
