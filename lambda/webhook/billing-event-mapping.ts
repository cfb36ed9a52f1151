import type Stripe from 'stripe';
import type { BillingEventData } from '../domain/billing-event';
import {
  BILLING_EVENT_TYPES,
  type BillingEventType,
  HANDLED_STRIPE_EVENT_TYPES,
  type HandledStripeEventType,
} from '../shared/billing-events';
import {
  CHECKOUT_SESSION,
  EVENT_ENVELOPE,
  INVOICE,
  PAYMENT_INTENT,
  parsePayload,
  SUBSCRIPTION,
  type SubscriptionPayload,
  UnmappableEventError,
} from './stripe-payloads';

export { UnmappableEventError } from './stripe-payloads';

/** A Stripe event as the billing event it becomes, before the user is resolved. */
export interface MappedStripeEvent {
  readonly type: BillingEventType;
  /** ISO 8601, from the Stripe event's `created`. */
  readonly occurredAt: string;
  readonly livemode: boolean;
  /** The app user named by the object itself (its metadata), if any. */
  readonly userId: string | null;
  readonly stripeCustomerId: string | null;
  readonly data: BillingEventData;
}

type ObjectMapping = Omit<MappedStripeEvent, 'occurredAt' | 'livemode'>;

/**
 * The contract's mapping of Stripe events to billing events (section 5), per handled type;
 * each validates the object (`stripe-payloads.ts`) before it reads a field.
 */
const MAPPINGS: Readonly<Record<HandledStripeEventType, (object: unknown) => ObjectMapping>> = {
  'payment_intent.succeeded': (o) => paymentIntent(BILLING_EVENT_TYPES.paymentSuccessful, o),
  'payment_intent.payment_failed': (o) => paymentIntent(BILLING_EVENT_TYPES.paymentFailed, o),
  'payment_intent.requires_action': (o) =>
    paymentIntent(BILLING_EVENT_TYPES.paymentActionRequired, o),
  'customer.subscription.created': (o) => subscription(BILLING_EVENT_TYPES.subscriptionCreated, o),
  'customer.subscription.updated': (o) => subscription(BILLING_EVENT_TYPES.subscriptionUpdated, o),
  'customer.subscription.deleted': (o) => subscription(subscriptionEndType, o),
  'checkout.session.completed': (o) => checkoutSession(o),
  'invoice.payment_succeeded': (o) => invoice(BILLING_EVENT_TYPES.invoicePaid, o),
  'invoice.payment_failed': (o) => invoice(BILLING_EVENT_TYPES.invoicePaymentFailed, o),
};

const HANDLED: readonly string[] = HANDLED_STRIPE_EVENT_TYPES;
const OBJECT_PATH = 'data.object';

/**
 * The billing event a verified Stripe event becomes; undefined for an event type the
 * service does not handle. Throws `UnmappableEventError`, naming the field, when the
 * payload does not hold what its type promises: a permanent failure (the event is parked).
 *
 * Payloads come in two shapes: before API version 2025-03-31 a subscription carried its
 * period and an invoice its `subscription`; from then on the period is on the subscription
 * items and the subscription under `invoice.parent.subscription_details`. Both are read; a
 * payload in neither shape is refused, never guessed.
 */
export function mapStripeEvent(event: Stripe.Event): MappedStripeEvent | undefined {
  if (!HANDLED.includes(event.type)) return undefined;
  const envelope = parsePayload(EVENT_ENVELOPE, event, '');
  const mapped = MAPPINGS[event.type as HandledStripeEventType](event.data.object);
  return { ...mapped, occurredAt: isoTime(envelope.created), livemode: envelope.livemode };
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
export function subscriptionEndType(
  sub: Pick<SubscriptionPayload, 'status' | 'cancellation_details'>,
): BillingEventType {
  const reason = sub.cancellation_details?.reason ?? null;
  return sub.status === 'incomplete_expired' ||
    (reason !== null && ENDED_BY_STRIPE.includes(reason))
    ? BILLING_EVENT_TYPES.subscriptionExpired
    : BILLING_EVENT_TYPES.subscriptionCanceled;
}

function paymentIntent(type: BillingEventType, object: unknown): ObjectMapping {
  const pi = parsePayload(PAYMENT_INTENT, object, OBJECT_PATH);
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
      createdAt: isoTime(pi.created),
      metadata: pi.metadata,
    },
  };
}

function subscription(
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

/** Whether two `subscription.*` data objects describe the same subscription state. */
export function sameSubscriptionState(a: BillingEventData, b: BillingEventData): boolean {
  return SUBSCRIPTION_STATE_FIELDS.every(
    (field) => JSON.stringify(a[field]) === JSON.stringify(b[field]),
  );
}

/**
 * The current period: on the subscription (before 2025-03-31), else across its items
 * (earliest start, latest end). A subscription with it in neither place is refused.
 */
function subscriptionPeriod(sub: SubscriptionPayload): { start: number; end: number } {
  if (sub.current_period_start !== undefined && sub.current_period_end !== undefined) {
    return { start: sub.current_period_start, end: sub.current_period_end };
  }
  const starts: number[] = [];
  const ends: number[] = [];
  for (const item of sub.items.data) {
    if (item.current_period_start === undefined || item.current_period_end === undefined) {
      throw new UnmappableEventError(
        `${OBJECT_PATH}: the subscription has no current period in either payload shape: ` +
          'current_period_start and current_period_end on the subscription (API versions ' +
          'before 2025-03-31) or on every item of items.data (from 2025-03-31 on)',
      );
    }
    starts.push(item.current_period_start);
    ends.push(item.current_period_end);
  }
  return { start: Math.min(...starts), end: Math.max(...ends) };
}

function checkoutSession(object: unknown): ObjectMapping {
  const session = parsePayload(CHECKOUT_SESSION, object, OBJECT_PATH);
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
      createdAt: isoTime(session.created),
      metadata,
    },
  };
}

function invoice(type: BillingEventType, object: unknown): ObjectMapping {
  // Which shape: `parent` (from 2025-03-31) or `subscription` (before). An invoice with
  // neither key is in a shape this service does not know, so nothing is guessed from it.
  if (!hasKey(object, 'parent') && !hasKey(object, 'subscription')) {
    throw new UnmappableEventError(
      `${OBJECT_PATH}: the invoice is in neither payload shape: it has no parent (API ` +
        'versions from 2025-03-31) and no subscription (before)',
    );
  }
  const inv = parsePayload(INVOICE, object, OBJECT_PATH);
  const details = inv.parent?.subscription_details ?? null;
  const subscriptionId = idOf(details?.subscription) ?? idOf(inv.subscription);
  const lines = inv.lines.data;
  const priceIds = lines
    .map((line) => idOf(line.pricing?.price_details?.price) ?? idOf(line.price))
    .filter((id): id is string => id !== null);
  const userId =
    details?.metadata?.userId ??
    inv.subscription_details?.metadata?.userId ??
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
      periodStart: isoTime(
        lines.length > 0 ? Math.min(...lines.map((line) => line.period.start)) : inv.period_start,
      ),
      periodEnd: isoTime(
        lines.length > 0 ? Math.max(...lines.map((line) => line.period.end)) : inv.period_end,
      ),
      hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
      createdAt: isoTime(inv.created),
      metadata: inv.metadata ?? {},
    },
  };
}

const hasKey = (object: unknown, key: string): boolean =>
  typeof object === 'object' && object !== null && key in object;

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** Stripe's Unix seconds (validated: an integer within Date's range) as ISO 8601. */
const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();
const isoTimeOrNull = (seconds: number | null): string | null =>
  seconds === null ? null : isoTime(seconds);
