/**
 * What a consumer grants for a billing event (contract section 5, `data.access`): decided
 * here once, from the object's state and the environment's policy, so no consumer has to
 * know what Stripe's statuses mean for access.
 */
export type AccessState = 'active' | 'grace' | 'none';

export interface Access {
  readonly state: AccessState;
  /**
   * ISO 8601: when access ends if nothing else happens (a cancellation at period end, the
   * end of a grace period); null when no end is known.
   */
  readonly until: string | null;
}

/** The environment's access policy (context `pastDueGraceDays`). */
export interface AccessPolicy {
  /**
   * Days a `past_due` subscription keeps access (`grace`) after its first failed renewal,
   * the start of its current period; 0: none at once.
   */
  readonly pastDueGraceDays: number;
}

/** The default: a week, inside Stripe's default retry schedule for a failed renewal. */
export const DEFAULT_ACCESS_POLICY: AccessPolicy = { pastDueGraceDays: 7 };

/** The most days of grace a policy may give: Stripe retries a failed renewal for up to 2 months. */
export const MAX_PAST_DUE_GRACE_DAYS = 60;

const DAY_MS = 86_400_000;
const NO_ACCESS: Access = { state: 'none', until: null };

/** What a subscription's state says, as the mapping normalises it. */
export interface SubscriptionAccessFacts {
  readonly status: string;
  /** ISO 8601. */
  readonly currentPeriodStart: string;
  readonly currentPeriodEnd: string;
  readonly cancelAtPeriodEnd: boolean;
  /** ISO 8601 or null. */
  readonly cancelAt: string | null;
}

/**
 * A subscription's access at `at` (the Stripe event's time, so a redelivery or a replay
 * computes the same message):
 * - `active`, `trialing`: `active`, until the scheduled cancellation if any;
 * - `past_due`: `grace` until the period's start plus the grace days (the first failed
 *   renewal is the renewal at the period's start), `none` once that has passed;
 * - `unpaid`, `paused`, `canceled`, `incomplete`, `incomplete_expired`, anything else:
 *   `none` (an unknown status never grants access).
 */
export function subscriptionAccess(
  facts: SubscriptionAccessFacts,
  policy: AccessPolicy,
  at: Date,
): Access {
  switch (facts.status) {
    case 'active':
    case 'trialing':
      return { state: 'active', until: scheduledEnd(facts) };
    case 'past_due': {
      const graceEnd = new Date(
        Date.parse(facts.currentPeriodStart) + policy.pastDueGraceDays * DAY_MS,
      );
      return graceEnd.getTime() > at.getTime()
        ? { state: 'grace', until: graceEnd.toISOString() }
        : NO_ACCESS;
    }
    default:
      return NO_ACCESS;
  }
}

function scheduledEnd(facts: SubscriptionAccessFacts): string | null {
  if (facts.cancelAt !== null) return facts.cancelAt;
  return facts.cancelAtPeriodEnd ? facts.currentPeriodEnd : null;
}

/**
 * A one-time payment's access: `active` once the money is in (a payment intent
 * `succeeded`; a Checkout Session `paid` or needing no payment), `none` otherwise (failed,
 * needing action, or a delayed method not settled yet: `checkout.payment_succeeded` grants
 * it when it settles).
 */
export function paymentAccess(paid: boolean): Access {
  return paid ? { state: 'active', until: null } : NO_ACCESS;
}
