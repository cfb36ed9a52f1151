import type { BillingEventType } from '../../shared/billing-events';
import { INVOICE, type InvoicePayload, parsePayload, UnmappableEventError } from '../payloads';
import { hasKey, idOf, isoTime, OBJECT_PATH, type ObjectMapping } from './object-mapping';

/** `invoice.*`: the invoice, its subscription, its lines' prices and service period. */
export function invoice(type: BillingEventType, object: unknown): ObjectMapping {
  // Which shape: `parent` (from 2025-03-31) or `subscription` (before). An invoice with
  // neither key is in a shape this service does not know, so nothing is guessed from it.
  if (!hasKey(object, 'parent') && !hasKey(object, 'subscription')) {
    throw new UnmappableEventError(
      `${OBJECT_PATH}: the invoice is in neither payload shape: it has no parent (API ` +
        'versions from 2025-03-31) and no subscription (before)',
    );
  }
  const inv = parsePayload(INVOICE, object, OBJECT_PATH);
  const subscriptionId = invoiceSubscriptionId(inv);
  const lines = inv.lines.data;
  const priceIds = lines
    .map((line, index) => linePriceId(line, index))
    .filter((id): id is string => id !== null);
  return {
    type,
    userId: invoiceUserId(inv),
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
 * The invoice's subscription: `parent.subscription_details.subscription` (from 2025-03-31)
 * or `subscription` (before). No version sends both; when both name a subscription and not
 * the same one, taking either would be a guess. (Stripe's own example objects carry a null
 * `subscription` beside `parent`: a field that names nothing is no conflict.)
 */
function invoiceSubscriptionId(inv: InvoicePayload): string | null {
  const fromParent = idOf(inv.parent?.subscription_details?.subscription);
  const fromInvoice = idOf(inv.subscription);
  if (fromParent !== null && fromInvoice !== null && fromParent !== fromInvoice) {
    throw new UnmappableEventError(
      `${OBJECT_PATH}: subscription (API versions before 2025-03-31) and ` +
        'parent.subscription_details.subscription (from 2025-03-31 on) name different ' +
        'subscriptions',
    );
  }
  return fromParent ?? fromInvoice;
}

/** The app user, from the first metadata that names one: subscription's, invoice's, a line's. */
const invoiceUserId = (inv: InvoicePayload): string | null =>
  inv.parent?.subscription_details?.metadata?.userId ??
  inv.subscription_details?.metadata?.userId ??
  inv.metadata?.userId ??
  inv.lines.data.find((line) => line.metadata.userId !== undefined)?.metadata.userId ??
  null;

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
