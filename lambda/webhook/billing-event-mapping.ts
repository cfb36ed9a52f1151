import type Stripe from 'stripe';
import type { BillingEventData } from '../domain/billing-event';
import { BILLING_EVENT_TYPES, type BillingEventType } from '../shared/billing-events';

/** A Stripe event as the billing event it becomes, before the user is resolved. */
export interface MappedStripeEvent {
  readonly type: BillingEventType;
  /** The app user named by the object itself (its metadata), if any. */
  readonly userId: string | null;
  readonly stripeCustomerId: string | null;
  readonly data: BillingEventData;
}

/**
 * The contract's mapping of Stripe events to billing events (section 5); undefined for an
 * event type the service does not handle.
 *
 * Payloads come in two shapes: before API version 2025-03-31 a subscription carried its
 * period and an invoice its `subscription`; from then on the period is on the subscription
 * items and the subscription under `invoice.parent.subscription_details`. The `stripe`
 * types describe only the pinned (new) shape, so the old fields are read through `legacy`.
 */
export function mapStripeEvent(event: Stripe.Event): MappedStripeEvent | undefined {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return paymentIntent(BILLING_EVENT_TYPES.paymentSuccessful, event.data.object);
    case 'payment_intent.payment_failed':
      return paymentIntent(BILLING_EVENT_TYPES.paymentFailed, event.data.object);
    case 'payment_intent.requires_action':
      return paymentIntent(BILLING_EVENT_TYPES.paymentActionRequired, event.data.object);
    case 'customer.subscription.created':
      return subscription(BILLING_EVENT_TYPES.subscriptionCreated, event.data.object);
    case 'customer.subscription.updated':
      return subscription(BILLING_EVENT_TYPES.subscriptionUpdated, event.data.object);
    case 'customer.subscription.deleted':
      return subscription(subscriptionEndType(event.data.object), event.data.object);
    case 'checkout.session.completed':
      return checkoutSession(event.data.object);
    case 'invoice.payment_succeeded':
      return invoice(BILLING_EVENT_TYPES.invoicePaid, event.data.object);
    case 'invoice.payment_failed':
      return invoice(BILLING_EVENT_TYPES.invoicePaymentFailed, event.data.object);
    default:
      return undefined;
  }
}

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
export function subscriptionEndType(sub: Stripe.Subscription): BillingEventType {
  const reason = sub.cancellation_details?.reason ?? null;
  return sub.status === 'incomplete_expired' ||
    (reason !== null && ENDED_BY_STRIPE.includes(reason))
    ? BILLING_EVENT_TYPES.subscriptionExpired
    : BILLING_EVENT_TYPES.subscriptionCanceled;
}

function paymentIntent(type: BillingEventType, pi: Stripe.PaymentIntent): MappedStripeEvent {
  return {
    type,
    userId: pi.metadata.userId ?? null,
    stripeCustomerId: idOf(pi.customer),
    data: {
      paymentIntentId: pi.id,
      status: pi.status,
      amount: pi.amount,
      amountReceived: pi.amount_received,
      currency: pi.currency,
      customerId: idOf(pi.customer),
      priceId: pi.metadata.priceId ?? null,
      latestChargeId: idOf(pi.latest_charge),
      failureCode: pi.last_payment_error?.code ?? null,
      failureMessage: pi.last_payment_error?.message ?? null,
      nextActionType: pi.next_action?.type ?? null,
      createdAt: iso(pi.created),
      metadata: { ...pi.metadata },
    },
  };
}

function subscription(type: BillingEventType, sub: Stripe.Subscription): MappedStripeEvent {
  const items = sub.items.data;
  return {
    type,
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
      currentPeriodStart: iso(
        legacyNumber(sub, 'current_period_start') ??
          earliest(items.map((i) => i.current_period_start)),
      ),
      currentPeriodEnd: iso(
        legacyNumber(sub, 'current_period_end') ?? latest(items.map((i) => i.current_period_end)),
      ),
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      cancelAt: iso(sub.cancel_at),
      canceledAt: iso(sub.canceled_at),
      endedAt: iso(sub.ended_at),
      cancellationReason: sub.cancellation_details?.reason ?? null,
      cancellationFeedback: sub.cancellation_details?.feedback ?? null,
      latestInvoiceId: idOf(sub.latest_invoice),
      createdAt: iso(sub.created),
      metadata: { ...sub.metadata },
    },
  };
}

function checkoutSession(session: Stripe.Checkout.Session): MappedStripeEvent {
  const metadata = session.metadata ?? {};
  return {
    type: BILLING_EVENT_TYPES.checkoutCompleted,
    userId: metadata.userId ?? session.client_reference_id ?? null,
    stripeCustomerId: idOf(session.customer),
    data: {
      checkoutSessionId: session.id,
      mode: session.mode,
      status: session.status,
      paymentStatus: session.payment_status,
      customerId: idOf(session.customer),
      clientReferenceId: session.client_reference_id,
      priceId: metadata.priceId ?? null,
      subscriptionId: idOf(session.subscription),
      paymentIntentId: idOf(session.payment_intent),
      invoiceId: idOf(session.invoice),
      amountSubtotal: session.amount_subtotal,
      amountTotal: session.amount_total,
      currency: session.currency,
      createdAt: iso(session.created),
      metadata: { ...metadata },
    },
  };
}

function invoice(type: BillingEventType, inv: Stripe.Invoice): MappedStripeEvent {
  const details = inv.parent?.subscription_details ?? null;
  const subscriptionId = idOf(details?.subscription) ?? legacyId(inv, 'subscription');
  const lines = inv.lines.data;
  const priceIds = lines
    .map((line) => idOf(line.pricing?.price_details?.price) ?? legacyId(line, 'price'))
    .filter((id): id is string => id !== null);
  const userId =
    details?.metadata?.userId ??
    legacyMetadata(inv, 'subscription_details').userId ??
    inv.metadata?.userId ??
    lines.find((line) => line.metadata.userId !== undefined)?.metadata.userId ??
    null;
  return {
    type,
    userId,
    stripeCustomerId: idOf(inv.customer),
    data: {
      invoiceId: inv.id,
      status: inv.status,
      customerId: idOf(inv.customer),
      subscriptionId,
      billingReason: inv.billing_reason,
      amountDue: inv.amount_due,
      amountPaid: inv.amount_paid,
      amountRemaining: inv.amount_remaining,
      total: inv.total,
      currency: inv.currency,
      attemptCount: inv.attempt_count,
      priceIds: [...new Set(priceIds)],
      // The service period of the lines (a subscription invoice's `period_*` is the
      // previous period).
      periodStart: iso(earliest(lines.map((line) => line.period.start)) ?? inv.period_start),
      periodEnd: iso(latest(lines.map((line) => line.period.end)) ?? inv.period_end),
      hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
      createdAt: iso(inv.created),
      metadata: { ...(inv.metadata ?? {}) },
    },
  };
}

/** Fields of the older payload shape, which the pinned `stripe` types no longer declare. */
function legacyField(object: object, field: string): unknown {
  return (object as Record<string, unknown>)[field];
}
function legacyNumber(object: object, field: string): number | undefined {
  const value = legacyField(object, field);
  return typeof value === 'number' ? value : undefined;
}
function legacyId(object: object, field: string): string | null {
  const value = legacyField(object, field);
  if (typeof value === 'string') return value;
  return typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    typeof value.id === 'string'
    ? value.id
    : null;
}
/** `<field>.metadata` of the older shape (e.g. an invoice's `subscription_details`). */
function legacyMetadata(object: object, field: string): Partial<Record<string, string>> {
  const value = legacyField(object, field);
  if (typeof value !== 'object' || value === null || !('metadata' in value)) return {};
  const { metadata } = value;
  return typeof metadata === 'object' && metadata !== null ? metadata : {};
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** Stripe's Unix seconds as ISO 8601; null stays null. */
const iso = (seconds: number | null | undefined): string | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;

const earliest = (values: readonly (number | undefined)[]): number | undefined => {
  const defined = values.filter((v): v is number => typeof v === 'number');
  return defined.length > 0 ? Math.min(...defined) : undefined;
};
const latest = (values: readonly (number | undefined)[]): number | undefined => {
  const defined = values.filter((v): v is number => typeof v === 'number');
  return defined.length > 0 ? Math.max(...defined) : undefined;
};
