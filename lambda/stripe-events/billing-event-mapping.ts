import type Stripe from 'stripe';
import { BILLING_EVENT_TYPES } from '../shared/billing-events';
import { KNOWN_API_RELEASES, LAST_UNNAMED_API_VERSION } from '../shared/stripe-api-version';
import type { AccessPolicy } from '../domain/access';
import { withAccess } from './mapping/access';
import { chargeRefunded } from './mapping/charge';
import { checkoutSession } from './mapping/checkout-session';
import { entitlementSummary } from './mapping/entitlements';
import { invoice } from './mapping/invoice';
import { isoTime, type MappedStripeEvent, type ObjectMapping } from './mapping/object-mapping';
import { paymentIntent } from './mapping/payment-intent';
import { subscription, subscriptionEndType } from './mapping/subscription';
import { EVENT_ENVELOPE, parsePayload, UnmappableEventError } from './payloads';

/**
 * The contract's mapping of Stripe events to billing events (section 5), keyed by the
 * Stripe event type: the one definition of the types the service handles. Each validates
 * the object (`payloads.ts`) before it reads a field (each object kind in `mapping/`);
 * `customer.subscription.deleted` becomes one of two types (`subscriptionEndType`).
 */
const MAPPINGS = {
  'payment_intent.succeeded': (o) => paymentIntent(BILLING_EVENT_TYPES.paymentSuccessful, o),
  'payment_intent.payment_failed': (o) => paymentIntent(BILLING_EVENT_TYPES.paymentFailed, o),
  'payment_intent.requires_action': (o) =>
    paymentIntent(BILLING_EVENT_TYPES.paymentActionRequired, o),
  'charge.refunded': (o) => chargeRefunded(o),
  'customer.subscription.created': (o) => subscription(BILLING_EVENT_TYPES.subscriptionCreated, o),
  'customer.subscription.updated': (o) => subscription(BILLING_EVENT_TYPES.subscriptionUpdated, o),
  'customer.subscription.deleted': (o) => subscription(subscriptionEndType, o),
  'checkout.session.completed': (o) => checkoutSession(o),
  'checkout.session.expired': (o) => checkoutSession(o, BILLING_EVENT_TYPES.checkoutExpired),
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

/**
 * The billing event a verified Stripe event becomes; undefined for an event type the
 * service does not handle. Throws `UnmappableEventError`, naming the field, when the
 * payload does not hold what its type promises: a permanent failure (the event is parked).
 *
 * Payloads come in two shapes: before API version 2025-03-31 a subscription carried its
 * period and an invoice its `subscription`; from then on the period is on the subscription
 * items and the subscription under `invoice.parent.subscription_details`. Both are read; a
 * payload in neither shape is refused, never guessed.
 *
 * Every `subscription.*`, `payment.*` and `checkout.*` billing event carries `data.access`,
 * decided under the environment's `policy` at the event's time (`withAccess`).
 */
export function mapStripeEvent(
  event: Stripe.Event,
  policy: AccessPolicy,
): MappedStripeEvent | undefined {
  const { type } = event;
  if (!isHandledStripeEventType(type)) return undefined;
  const envelope = parsePayload(EVENT_ENVELOPE, event, '');
  checkApiVersion(envelope.api_version ?? null);
  const occurredAt = isoTime(envelope.created);
  const mapped = withAccess(MAPPINGS[type](event.data.object), policy, new Date(occurredAt));
  return { ...mapped, occurredAt, livemode: envelope.livemode };
}

const RELEASES: readonly string[] = KNOWN_API_RELEASES;

/**
 * An event of an API release this service has no fixtures for is parked: a release train
 * newer than the pinned one (or a preview) may change what a well-formed field means.
 * Accepted: no version, an unnamed version up to 2024-06-20, a known train's versions.
 */
function checkApiVersion(version: string | null): void {
  if (version === null) return;
  const release = /^\d{4}-\d{2}-\d{2}\.([a-z]+)$/.exec(version)?.[1];
  const known =
    release === undefined
      ? /^\d{4}-\d{2}-\d{2}$/.test(version) && version <= LAST_UNNAMED_API_VERSION
      : RELEASES.includes(release);
  if (!known) {
    throw new UnmappableEventError(
      `api_version: ${version} is a Stripe API release whose payload shapes this service ` +
        `does not know (known: ${RELEASES.join(', ')} and the unnamed versions up to ` +
        `${LAST_UNNAMED_API_VERSION})`,
    );
  }
}
