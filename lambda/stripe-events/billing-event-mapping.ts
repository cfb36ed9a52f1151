import type Stripe from 'stripe';
import type { ActiveEntitlementRef } from '../domain/active-entitlements';
import type { BillingEventData } from '../domain/billing-event';
import { BILLING_EVENT_TYPES, type BillingEventType } from '../shared/billing-events';
import {
  ACTIVE_ENTITLEMENT_SUMMARY,
  CHECKOUT_SESSION,
  EVENT_ENVELOPE,
  INVOICE,
  type InvoicePayload,
  PAYMENT_INTENT,
  parsePayload,
  SUBSCRIPTION,
  type SubscriptionPayload,
  UnmappableEventError,
} from './payloads';
import { KNOWN_API_RELEASES, LAST_UNNAMED_API_VERSION } from '../shared/stripe-api-version';

export { UnmappableEventError } from './payloads';

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
  /**
   * The object embeds one page of a longer list (an entitlement summary with `has_more`):
   * `data` is incomplete, and must never be published as it is (the use case reads the
   * rest from Stripe first).
   */
  readonly partial?: true;
}

type ObjectMapping = Omit<MappedStripeEvent, 'occurredAt' | 'livemode'>;

/**
 * The contract's mapping of Stripe events to billing events (section 5), keyed by the
 * Stripe event type: the one definition of the types the service handles. Each validates
 * the object (`stripe-payloads.ts`) before it reads a field; `customer.subscription.deleted`
 * becomes one of two types (`subscriptionEndType`).
 */
const MAPPINGS = {
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
  'entitlements.active_entitlement_summary.updated': (o) => entitlementSummary(o),
} as const satisfies Readonly<Record<string, (object: unknown) => ObjectMapping>>;

export type HandledStripeEventType = keyof typeof MAPPINGS;

/**
 * The Stripe event types the service handles: those the webhook and the reconciliation
 * publish, and those the endpoint registered in Stripe sends.
 */
export const HANDLED_STRIPE_EVENT_TYPES = Object.keys(
  MAPPINGS,
) as readonly HandledStripeEventType[];

const HANDLED: ReadonlySet<string> = new Set(HANDLED_STRIPE_EVENT_TYPES);

export const isHandledStripeEventType = (type: string): type is HandledStripeEventType =>
  HANDLED.has(type);

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
  const { type } = event;
  if (!isHandledStripeEventType(type)) return undefined;
  const envelope = parsePayload(EVENT_ENVELOPE, event, '');
  checkApiVersion(envelope.api_version ?? null);
  const mapped = MAPPINGS[type](event.data.object);
  return { ...mapped, occurredAt: isoTime(envelope.created), livemode: envelope.livemode };
}

const RELEASES: readonly string[] = KNOWN_API_RELEASES;

/**
 * An event of an API release this service has no fixtures for is parked: a release train
 * newer than the pinned one (or a preview) may change what a well-formed field means.
 * Accepted: no version, an unnamed version up to 2024-06-20, a known train's versions.
 */
function checkApiVersion(version: string | null): void {
  if (version === null) return;
  const named = /^\d{4}-\d{2}-\d{2}\.([a-z]+)$/.exec(version);
  const known = named
    ? RELEASES.includes(named[1] ?? '')
    : /^\d{4}-\d{2}-\d{2}$/.test(version) && version <= LAST_UNNAMED_API_VERSION;
  if (!known) {
    throw new UnmappableEventError(
      `api_version: ${version} is a Stripe API release whose payload shapes this service ` +
        `does not know (known: ${RELEASES.join(', ')} and the unnamed versions up to ` +
        `${LAST_UNNAMED_API_VERSION})`,
    );
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

/**
 * `entitlements.active_entitlement_summary.updated`: the customer's active entitlements as
 * a whole (full state: a feature missing from it is revoked). The summary carries no
 * metadata, so the user comes from the customers table.
 */
function entitlementSummary(object: unknown): ObjectMapping {
  const summary = parsePayload(ACTIVE_ENTITLEMENT_SUMMARY, object, OBJECT_PATH);
  const { data, has_more: hasMore } = summary.entitlements;
  return {
    type: BILLING_EVENT_TYPES.entitlementsUpdated,
    userId: null,
    stripeCustomerId: summary.customer,
    data: entitlementsData(
      summary.customer,
      data.map((entitlement) => ({
        feature:
          typeof entitlement.feature === 'string' ? entitlement.feature : entitlement.feature.id,
        lookupKey: entitlement.lookup_key,
      })),
    ),
    ...(hasMore ? { partial: true as const } : {}),
  };
}

/**
 * The `data` of `entitlements.updated`: `features`, the active features' lookup keys
 * (sorted, each once: an archived feature's key may be reused by a new one), and
 * `entitlements`, each feature with its key, sorted the same way. Sorted so that two
 * messages about the same state are equal, whatever order Stripe listed them in.
 */
export function entitlementsData(
  customerId: string,
  entitlements: readonly ActiveEntitlementRef[],
): BillingEventData {
  const sorted = [...entitlements].sort(
    (a, b) => compare(a.lookupKey, b.lookupKey) || compare(a.feature, b.feature),
  );
  return {
    customerId,
    features: [...new Set(sorted.map((entitlement) => entitlement.lookupKey))],
    entitlements: sorted.map(({ feature, lookupKey }) => ({ feature, lookupKey })),
  };
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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
  const fromParent = idOf(details?.subscription);
  const fromInvoice = idOf(inv.subscription);
  // No version sends both; when both name a subscription and not the same one, taking
  // either would be a guess. (Stripe's own example objects carry a null `subscription`
  // beside `parent`: a field that names nothing is no conflict.)
  if (fromParent !== null && fromInvoice !== null && fromParent !== fromInvoice) {
    throw new UnmappableEventError(
      `${OBJECT_PATH}: subscription (API versions before 2025-03-31) and ` +
        'parent.subscription_details.subscription (from 2025-03-31 on) name different ' +
        'subscriptions',
    );
  }
  const subscriptionId = fromParent ?? fromInvoice;
  const lines = inv.lines.data;
  const priceIds = lines
    .map((line, index) => linePriceId(line, index))
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

type InvoiceLine = InvoicePayload['lines']['data'][number];

/**
 * A line's price: `pricing.price_details.price` (from 2025-03-31) or `price` (before; null
 * on a line without one). A line with neither key, or with both naming different prices,
 * is refused.
 */
function linePriceId(line: InvoiceLine, index: number): string | null {
  const path = `${OBJECT_PATH}.lines.data[${index}]`;
  // The newer shape has the `pricing` key (null for a line without pricing details, as
  // stripe's types allow); the older one the `price` key.
  const hasPricing = 'pricing' in line;
  if (!hasPricing && !('price' in line)) {
    throw new UnmappableEventError(
      `${path}: the line is in neither payload shape: no pricing (API versions from ` +
        '2025-03-31) and no price (before)',
    );
  }
  // Pricing of another kind than a Price (Stripe adds kinds: rate cards...) is a shape
  // this mapping does not know: parked, never read as "no price".
  const pricingType = line.pricing?.type;
  if (pricingType !== undefined && pricingType !== 'price_details') {
    throw new UnmappableEventError(
      `${path}.pricing.type: "${pricingType}" is a kind of pricing this service does not map`,
    );
  }
  // Stripe documents `pricing.price_details` as nullable: a one-off amount (an invoice
  // item made from `amount`, no Price) has pricing but no price. That is "no price", not
  // an unknown shape.
  const details = line.pricing?.price_details ?? undefined;
  // A `price` that names nothing beside `pricing` is no conflict (as for the subscription).
  const oldPrice = idOf(line.price);
  if (details !== undefined && oldPrice !== null && oldPrice !== idOf(details.price)) {
    throw new UnmappableEventError(
      `${path}: price and pricing.price_details.price name different prices`,
    );
  }
  return details !== undefined ? idOf(details.price) : hasPricing ? null : idOf(line.price);
}

const hasKey = (object: unknown, key: string): boolean =>
  typeof object === 'object' && object !== null && key in object;

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

/** Stripe's Unix seconds (validated: an integer within Date's range) as ISO 8601. */
const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();
const isoTimeOrNull = (seconds: number | null): string | null =>
  seconds === null ? null : isoTime(seconds);
