import type { BillingEventData } from '../../domain/billing-event';
import { BILLING_EVENT_TYPES, type BillingEventType } from '../../shared/billing-events';
import {
  parsePayload,
  SUBSCRIPTION,
  type SubscriptionPayload,
  UnmappableEventError,
} from '../payloads';
import { idOf, isoTime, isoTimeOrNull, OBJECT_PATH, type ObjectMapping } from './object-mapping';

/** Reasons Stripe gives when it, not the customer or the business, ended a subscription. */
const ENDED_BY_STRIPE: readonly string[] = [
  'payment_failed',
  'payment_disputed',
  'canceled_by_retention_policy',
];

/**
 * `customer.subscription.deleted` is `subscription.expired` when the subscription ended on
 * its own: an incomplete subscription that expired (`incomplete_expired`), or a reason of
 * `payment_failed`, `payment_disputed` or `canceled_by_retention_policy` (Stripe's dunning
 * settings). Anything else (`cancellation_requested`, or no reason: canceled through the
 * API or the Dashboard) is `subscription.canceled`.
 */
export function subscriptionEndType(
  sub: Pick<SubscriptionPayload, 'status' | 'cancellation_details'>,
): BillingEventType {
  const reason = sub.cancellation_details?.reason ?? null;
  return sub.status === 'incomplete_expired' ||
    (reason !== null && ENDED_BY_STRIPE.includes(reason))
    ? BILLING_EVENT_TYPES.subscriptionExpired
    : BILLING_EVENT_TYPES.subscriptionCanceled;
}

/** `customer.subscription.*`: the subscription's state, items and current period. */
export function subscription(
  type: BillingEventType | ((sub: SubscriptionPayload) => BillingEventType),
  object: unknown,
): ObjectMapping {
  const sub = parsePayload(SUBSCRIPTION, object, OBJECT_PATH);
  const items = sub.items.data;
  const period = subscriptionPeriod(sub);
  return {
    type: typeof type === 'function' ? type(sub) : type,
    userId: sub.metadata.userId ?? null,
    stripeCustomerId: idOf(sub.customer),
    data: {
      subscriptionId: sub.id,
      status: sub.status,
      customerId: idOf(sub.customer),
      priceIds: items.map((item) => item.price.id),
      items: items.map((item) => ({
        priceId: item.price.id,
        productId: idOf(item.price.product),
        quantity: item.quantity ?? null,
      })),
      currency: sub.currency,
      currentPeriodStart: isoTime(period.start),
      currentPeriodEnd: isoTime(period.end),
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      cancelAt: isoTimeOrNull(sub.cancel_at),
      canceledAt: isoTimeOrNull(sub.canceled_at),
      endedAt: isoTimeOrNull(sub.ended_at),
      cancellationReason: sub.cancellation_details?.reason ?? null,
      cancellationFeedback: sub.cancellation_details?.feedback ?? null,
      latestInvoiceId: idOf(sub.latest_invoice),
      createdAt: isoTime(sub.created),
      metadata: sub.metadata,
    },
  };
}

/** A subscription's normalised `data`, as its `subscription.*` billing events carry it. */
export function subscriptionData(object: unknown): BillingEventData {
  return subscription(BILLING_EVENT_TYPES.subscriptionUpdated, object).data;
}

/** The fields that make a subscription's state: what an entitlement depends on. */
const SUBSCRIPTION_STATE_FIELDS = [
  'status',
  'items',
  'currentPeriodStart',
  'currentPeriodEnd',
  'cancelAtPeriodEnd',
  'cancelAt',
  'canceledAt',
  'endedAt',
] as const;

/**
 * A subscription's state (the fields that make it, from a `subscription.*` data object) as
 * one string: what the order ledger records as published, and the state check compares.
 */
export function subscriptionStateOf(data: BillingEventData): string {
  return JSON.stringify(SUBSCRIPTION_STATE_FIELDS.map((field) => [field, data[field] ?? null]));
}

/** Whether two `subscription.*` data objects describe the same subscription state. */
export function sameSubscriptionState(a: BillingEventData, b: BillingEventData): boolean {
  return SUBSCRIPTION_STATE_FIELDS.every(
    (field) => JSON.stringify(a[field]) === JSON.stringify(b[field]),
  );
}

/**
 * The current period: on the subscription (before 2025-03-31) or across its items (from
 * then on: earliest start, latest end). Refused when it is in neither place, on only some
 * items, or on both the subscription and its items with different values: no version
 * sends such a payload, and any choice would be a guess.
 */
function subscriptionPeriod(sub: SubscriptionPayload): { start: number; end: number } {
  const items = sub.items.data;
  const onItems = items.filter(
    (item) => item.current_period_start !== undefined && item.current_period_end !== undefined,
  );
  const itemsPeriod =
    onItems.length === items.length
      ? {
          start: Math.min(...items.map((item) => item.current_period_start ?? 0)),
          end: Math.max(...items.map((item) => item.current_period_end ?? 0)),
        }
      : undefined;
  const ownPeriod =
    sub.current_period_start !== undefined && sub.current_period_end !== undefined
      ? { start: sub.current_period_start, end: sub.current_period_end }
      : undefined;
  const partial = onItems.length > 0 && onItems.length < items.length;
  const disagree =
    ownPeriod !== undefined &&
    itemsPeriod !== undefined &&
    (ownPeriod.start !== itemsPeriod.start || ownPeriod.end !== itemsPeriod.end);
  const period = partial || disagree ? undefined : (itemsPeriod ?? ownPeriod);
  if (period === undefined) {
    throw new UnmappableEventError(
      `${OBJECT_PATH}: the subscription has no current period in either payload shape: ` +
        'current_period_start and current_period_end on the subscription (API versions ' +
        'before 2025-03-31) or on every item of items.data (from 2025-03-31 on)' +
        (disagree ? '; it has both, and they disagree' : '') +
        (partial ? '; only some items carry one' : ''),
    );
  }
  return period;
}
