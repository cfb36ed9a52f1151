import { nowSeconds } from './clock';
import { fixture, fromFixture, type StripeObject } from './fixtures';
import { stripeId } from './ids';
import { subscriptionItem } from './subscriptions';

/** Invoices and their lines: a subscription's invoice for a period, or a one-off from invoice items. */

type InvoiceStatus = 'draft' | 'open' | 'paid';

export const DAY_SECONDS = 24 * 3600;

/** Stripe's example invoice line: what every line the sandbox makes starts from. */
function invoiceLineTemplate(): StripeObject {
  const lines = fixture('invoice').lines as { data: StripeObject[] };
  const line = lines.data[0];
  if (!line) throw new Error('The invoice fixture has no line');
  return line;
}

/** A line of invoice `invoiceId`: no discounts, no taxes, its subtotal its amount. */
function invoiceLine(invoiceId: string, fields: StripeObject & { amount: unknown }): StripeObject {
  return {
    ...structuredClone(invoiceLineTemplate()),
    id: stripeId('il'),
    object: 'line_item',
    discount_amounts: [],
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    pretax_credit_amounts: [],
    subtotal: fields.amount,
    taxes: [],
    ...fields,
  };
}

/** A subscription's line: its item's price times its quantity, for the item's current period. */
function subscriptionLine(invoiceId: string, sub: StripeObject): StripeObject {
  const item = subscriptionItem(sub);
  const price = item.price as StripeObject;
  const quantity = item.quantity as number;
  return invoiceLine(invoiceId, {
    amount: (price.unit_amount as number) * quantity,
    currency: price.currency,
    description: `${quantity} × ${String(price.product)}`,
    discountable: true,
    metadata: {},
    period: { start: item.current_period_start, end: item.current_period_end },
    quantity,
    subscription: sub.id,
    parent: {
      type: 'subscription_item_details',
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: item.id,
      },
    },
    pricing: {
      type: 'price_details',
      price_details: { price: price.id, product: price.product },
      unit_amount_decimal: price.unit_amount_decimal,
    },
  });
}

/** An invoice item as a line of invoice `invoiceId`. */
export function invoiceItemLine(item: StripeObject, invoiceId: string): StripeObject {
  return invoiceLine(invoiceId, {
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discountable: item.discountable,
    metadata: structuredClone(item.metadata),
    parent: {
      type: 'invoice_item_details',
      invoice_item_details: {
        invoice_item: item.id,
        proration: false,
        proration_details: { credited_items: null },
        subscription: null,
      },
      subscription_item_details: null,
    },
    period: structuredClone(item.period),
    pricing: structuredClone(item.pricing),
    quantity: item.quantity,
    quantity_decimal: item.quantity_decimal,
    subscription: null,
  });
}

interface SubscriptionInvoiceInput {
  readonly subscription: StripeObject;
  readonly billingReason: 'subscription_create' | 'subscription_cycle';
  readonly paid: boolean;
  readonly customerEmail: string | null;
  /** Overrides `paid`: a `draft` to finalize and charge step by step. */
  readonly status?: InvoiceStatus;
}

/** A subscription's invoice for its current period, paid or left open by a failed charge. */
export function subscriptionInvoice(input: SubscriptionInvoiceInput): StripeObject {
  const id = stripeId('in');
  const sub = input.subscription;
  const item = subscriptionItem(sub);
  const price = item.price as StripeObject;
  return invoiceObject({
    id,
    customer: sub.customer as string,
    customerEmail: input.customerEmail,
    currency: price.currency as string,
    lines: [subscriptionLine(id, sub)],
    period: {
      start: item.current_period_start as number,
      end: item.current_period_end as number,
    },
    billingReason: input.billingReason,
    subscription: sub,
    status: input.status ?? (input.paid ? 'paid' : 'open'),
  });
}

/** A new subscription's first invoice: a draft, due in `days_until_due` when sent. */
export function firstSubscriptionInvoice(
  sub: StripeObject,
  customerEmail: string | null,
): StripeObject {
  const first = subscriptionInvoice({
    subscription: sub,
    billingReason: 'subscription_create',
    paid: false,
    status: 'draft',
    customerEmail,
  });
  return Object.assign(first, {
    auto_advance: true,
    collection_method: sub.collection_method,
    due_date:
      sub.collection_method === 'send_invoice'
        ? nowSeconds() + (sub.days_until_due as number) * DAY_SECONDS
        : null,
  });
}

interface InvoiceFields {
  readonly id: string;
  readonly customer: string;
  readonly customerEmail: string | null;
  readonly currency: string;
  readonly lines: readonly StripeObject[];
  readonly period: { readonly start: number; readonly end: number };
  readonly billingReason: string;
  /** The subscription it bills (`parent.subscription_details`), or null for a one-off invoice. */
  readonly subscription: StripeObject | null;
  /** `draft` (not finalized), `open` (finalized, a charge failed) or `paid`. */
  readonly status: InvoiceStatus;
}

/** `parent` of a subscription's invoice: the subscription and its metadata; null for a one-off. */
const subscriptionParent = (sub: StripeObject | null): StripeObject | null =>
  sub
    ? {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: {
          metadata: { ...(sub.metadata as Record<string, string>) },
          subscription: sub.id,
        },
      }
    : null;

/** What an invoice of `amount` owes, has been paid and attempted, as its status says. */
function invoiceAmounts(amount: number, status: InvoiceStatus): StripeObject {
  const paid = status === 'paid';
  const finalized = status !== 'draft';
  return {
    amount_due: amount,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    amount_overpaid: 0,
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    attempt_count: finalized ? 1 : 0,
    attempted: finalized,
  };
}

/** When an invoice with this status was finalized and paid: now, or null. */
function invoiceMoments(id: string, status: InvoiceStatus, now: number): StripeObject {
  const finalized = status !== 'draft';
  return {
    effective_at: finalized ? now : null,
    due_date: null,
    number: finalized ? invoiceNumber(id) : null,
    metadata: {},
    next_payment_attempt: status === 'open' ? now + 3 * DAY_SECONDS : null,
    status_transitions: {
      finalized_at: finalized ? now : null,
      marked_uncollectible_at: null,
      paid_at: status === 'paid' ? now : null,
      voided_at: null,
    },
  };
}

/**
 * An invoice: its amounts are its lines' sum; `open` and `paid` are finalized with one
 * charge attempt made (the subscription flows), `draft` is neither.
 */
export function invoiceObject(input: InvoiceFields): StripeObject {
  const now = nowSeconds();
  const { id, period, status } = input;
  const amount = input.lines.reduce((sum, line) => sum + (line.amount as number), 0);
  return fromFixture('invoice', {
    id,
    object: 'invoice',
    customer: input.customer,
    customer_email: input.customerEmail,
    subscription: input.subscription ? input.subscription.id : null,
    parent: subscriptionParent(input.subscription),
    status,
    billing_reason: input.billingReason,
    currency: input.currency,
    ...invoiceAmounts(amount, status),
    auto_advance: status === 'open',
    lines: { object: 'list', data: input.lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    period_start: period.start,
    period_end: period.end,
    created: now,
    ...invoiceMoments(id, status, now),
    hosted_invoice_url: null,
    invoice_pdf: null,
    from_invoice: null,
    last_finalization_error: null,
    latest_revision: null,
    discounts: [],
    default_payment_method: null,
    default_source: null,
    description: null,
    footer: null,
    application: null,
    account_name: null,
    on_behalf_of: null,
    receipt_number: null,
    shipping_cost: null,
    shipping_details: null,
    statement_descriptor: null,
    test_clock: null,
    webhooks_delivered_at: status === 'draft' ? null : now,
    automatically_finalizes_at: null,
    customer_account: null,
  });
}

/** The number an invoice gets when it is finalized. */
export const invoiceNumber = (id: string): string => `SBX-${id.slice(-8).toUpperCase()}`;

/** Recomputes a draft invoice's amounts from its lines. */
export function retotal(inv: StripeObject): void {
  const lines = (inv.lines as { data: StripeObject[] }).data;
  const amount = lines.reduce((sum, line) => sum + (line.amount as number), 0);
  Object.assign(inv, {
    amount_due: Math.max(amount, 0),
    amount_remaining: Math.max(amount, 0),
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
  });
}
