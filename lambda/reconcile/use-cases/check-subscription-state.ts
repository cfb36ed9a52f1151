import { createHash, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from '../../core/logger';
import type { AccessPolicy } from '../../domain/access';
import type { BillingEvent, CustomerDirectory, EventPublisher } from '../../domain/billing-event';
import { EVENT_CLOCK_SKEW_SECONDS } from '../../domain/event-admission';
import { METRIC_DIMENSIONS, METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import {
  type PublishedMark,
  SubscriptionBusyError,
  type SubscriptionOrderLedger,
  type SubscriptionStateSource,
} from '../../domain/subscription-order';
import { BILLING_EVENT_SCHEMA_VERSION, BILLING_EVENT_SOURCE } from '../../shared/billing-events';
import { STRIPE_API_VERSION } from '../../shared/stripe-api-version';
import { mapStripeEvent } from '../../stripe-events/billing-event-mapping';
import type { MappedStripeEvent } from '../../stripe-events/mapping/object-mapping';
import { subscriptionStateOf } from '../../stripe-events/mapping/subscription';
import { userOf } from '../../stripe-events/use-cases/publish-billing-event';

/** The id of the event the current subscription is mapped in (never published). */
const STATE_CHECK_MAPPING_ID = 'state_check';

/** The `stripeEventType` of a correction: no Stripe event caused it, the check did. */
export const STATE_CHECK_EVENT_TYPE = 'reconciliation.subscription_state_check';

/** What the state check reads and writes. */
export interface StateCheckDependencies {
  /** The state last published about each subscription, and the lease to correct it. */
  readonly order: Pick<SubscriptionOrderLedger, 'published' | 'claimCorrection'>;
  /** Stripe's current subscription. */
  readonly subscriptions: SubscriptionStateSource;
  readonly customers: CustomerDirectory;
  readonly publisher: EventPublisher;
  /** The environment's access policy: a correction carries `data.access` like any message. */
  readonly accessPolicy: AccessPolicy;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/** What the check found for one subscription. */
export type StateCheckOutcome =
  /** The last state published is Stripe's: nothing to do. */
  | 'in_step'
  /** They differed (or the mark lay in the future): Stripe's current state was published. */
  | 'healed'
  /** Nothing was ever published about it: event reconciliation's job, not the check's. */
  | 'not_published'
  /** Published before the service recorded states: nothing to compare with. */
  | 'unrecorded'
  /** Stripe has no such subscription. */
  | 'not_at_stripe'
  /** An event about it is being published right now: the next run looks again. */
  | 'busy';

export interface StateCheckOptions {
  /**
   * Publish Stripe's state when the last one published was never recorded (marks written
   * before states were): an operator asking for one subscription (`--subscription`) wants
   * consumers to have Stripe's state; the scheduled check leaves those alone.
   */
  readonly publishUnrecorded?: boolean;
}

export interface StateCheckResult {
  readonly subscriptionId: string;
  readonly outcome: StateCheckOutcome;
  /** The correction's billing event id (`healed`). */
  readonly billingEventId?: string;
}

/**
 * The state check (contract section 5, "state that heals"): compares the subscription state
 * last published about `subscriptionId` with Stripe's current subscription, and when they
 * differ (or the subscription's mark lies beyond now plus the clock skew, where no real
 * event can be, so it would supersede every real event) publishes Stripe's current state
 * as a `subscription.updated`, under the subscription's lease so no event interleaves.
 *
 * The correction's id derives from the subscription, the last event published about it and
 * the state published: a check repeated after a crash publishes the same id again, and a
 * later divergence (after another event) gets a new one. Failures (DynamoDB, Stripe, the
 * topic) are thrown: the caller counts them, and the next run checks again.
 */
export async function checkSubscriptionState(
  deps: StateCheckDependencies,
  subscriptionId: string,
  options: StateCheckOptions = {},
): Promise<StateCheckResult> {
  const result = (outcome: StateCheckOutcome) => ({ subscriptionId, outcome });
  const mark = await deps.order.published(subscriptionId);
  if (!mark) return result('not_published');
  const current = await deps.subscriptions.current(subscriptionId);
  if (!current) return result('not_at_stripe');
  const verdict = compare(deps, mark, current, options);
  if (verdict !== 'differs') return result(verdict);
  try {
    return await correct(deps, subscriptionId);
  } catch (error) {
    if (error instanceof SubscriptionBusyError) return result('busy');
    throw error;
  }
}

function compare(
  deps: StateCheckDependencies,
  mark: PublishedMark,
  current: Stripe.Subscription,
  options: StateCheckOptions,
): 'in_step' | 'unrecorded' | 'differs' {
  if (markInTheFuture(deps, mark)) return 'differs';
  if (mark.publishedState === undefined) {
    return options.publishUnrecorded === true ? 'differs' : 'unrecorded';
  }
  const state = subscriptionStateOf(mappedCurrent(deps, current).data);
  return mark.publishedState === state ? 'in_step' : 'differs';
}

const markInTheFuture = (deps: StateCheckDependencies, mark: PublishedMark): boolean =>
  mark.lastCreated > Math.floor(nowOf(deps).getTime() / 1000) + EVENT_CLOCK_SKEW_SECONDS;

/**
 * Holding the subscription's lease: reads the mark and Stripe again (both may have moved
 * since the unlocked look), and publishes Stripe's state unless it now matches.
 */
async function correct(
  deps: StateCheckDependencies,
  subscriptionId: string,
): Promise<StateCheckResult> {
  const leaseId = `state_check_lease_${randomUUID()}`;
  const claim = await deps.order.claimCorrection(subscriptionId, leaseId);
  let publishedState: string | undefined;
  try {
    const [mark, current] = await Promise.all([
      deps.order.published(subscriptionId),
      deps.subscriptions.current(subscriptionId),
    ]);
    if (!current) return { subscriptionId, outcome: 'not_at_stripe' };
    const mapped = mappedCurrent(deps, current);
    const state = subscriptionStateOf(mapped.data);
    // The claim brought a future mark back to now: only the state can still differ.
    if (mark?.publishedState === state) return { subscriptionId, outcome: 'in_step' };
    const checkId = checkIdOf(subscriptionId, mark?.lastEventId ?? '', state);
    const billingEvent = await correctionOf(deps, mapped, checkId);
    await deps.publisher.publish(billingEvent);
    publishedState = state;
    countHealed(deps, billingEvent, mark);
    return { subscriptionId, outcome: 'healed', billingEventId: billingEvent.id };
  } finally {
    await claim.release(publishedState).catch((error: unknown) => {
      deps.logger.warn('Order lease not released; it expires by itself', {
        orderKey: subscriptionId,
        error,
      });
    });
  }
}

/** The current subscription as the mapping maps a `customer.subscription.updated` of it. */
function mappedCurrent(
  deps: StateCheckDependencies,
  current: Stripe.Subscription,
): MappedStripeEvent {
  const event = {
    // What is mapped is the object; the correction's own id is given its envelope.
    id: STATE_CHECK_MAPPING_ID,
    object: 'event',
    type: 'customer.subscription.updated',
    created: Math.floor(nowOf(deps).getTime() / 1000),
    livemode: current.livemode,
    // Read through the pinned version: the payload has that version's shape.
    api_version: STRIPE_API_VERSION,
    data: { object: current },
  } as unknown as Stripe.Event;
  const mapped = mapStripeEvent(event, deps.accessPolicy);
  if (!mapped) throw new Error('A subscription update maps to no billing event');
  return mapped;
}

/** `state_check_<32 hex>`: the subscription, the event it follows and the state it carries. */
export function checkIdOf(subscriptionId: string, lastEventId: string, state: string): string {
  const digest = createHash('sha256')
    .update(`${subscriptionId}\n${lastEventId}\n${state}`)
    .digest('hex');
  return `state_check_${digest.slice(0, 32)}`;
}

async function correctionOf(
  deps: StateCheckDependencies,
  mapped: MappedStripeEvent,
  checkId: string,
): Promise<BillingEvent> {
  const userId = await userOf(deps, { id: checkId }, mapped);
  return {
    schemaVersion: BILLING_EVENT_SCHEMA_VERSION,
    type: mapped.type,
    id: `${checkId}:${mapped.type}`,
    occurredAt: nowOf(deps).toISOString(),
    source: BILLING_EVENT_SOURCE,
    stripeEventId: checkId,
    stripeEventType: STATE_CHECK_EVENT_TYPE,
    livemode: mapped.livemode,
    userId,
    stripeCustomerId: mapped.stripeCustomerId,
    data: mapped.data,
  };
}

function countHealed(
  deps: StateCheckDependencies,
  billingEvent: BillingEvent,
  mark: PublishedMark | undefined,
): void {
  const metrics = deps.metrics ?? NO_METRICS;
  metrics.count(METRICS.subscriptionStatesHealed);
  metrics.count(METRICS.billingEventsPublished, 1, {
    name: METRIC_DIMENSIONS.billingEventType,
    value: billingEvent.type,
  });
  deps.logger.warn("Subscription state healed: consumers had another state than Stripe's", {
    subscriptionId: billingEvent.data.subscriptionId,
    billingEventId: billingEvent.id,
    status: billingEvent.data.status,
    lastStripeEventId: mark?.lastEventId,
  });
}

const nowOf = (deps: StateCheckDependencies): Date => deps.now?.() ?? new Date();
