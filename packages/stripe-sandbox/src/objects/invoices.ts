import { fromFixture, type StripeObject } from './fixtures';
import { nowSeconds, stripeId } from './ids';
import { type CardDecline, GENERIC_DECLINE } from './test-cards';

/** The end of one billing period that starts at `start` (epoch seconds). */
export function periodEnd(start: number, interval: string, count: number): number {
  const date = new Date(start * 1000);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCFullYear(date.getUTCFullYear() + count);
  return Math.floor(date.getTime() / 1000);
}

export type PaymentOutcome = 'succeeded' | 'failed' | 'requires_action';

/** What one attempt to charge a card did. */
export type ChargeResult =
  | { readonly outcome: 'succeeded' }
  | { readonly outcome: 'failed'; readonly decline: CardDecline }
  | { readonly outcome: 'requires_action' };

/** The result a flow control's outcome stands for (a declined card: Stripe's generic decline). */
export const chargeResultOf = (outcome: PaymentOutcome): ChargeResult =>
  outcome === 'failed' ? { outcome, decline: GENERIC_DECLINE } : { outcome };

export interface PaymentIntentInput {
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly metadata: Record<string, string>;
  readonly outcome: PaymentOutcome;
  readonly description?: string | null;
  /** The card charged; without one, an id stands for it. */
  readonly paymentMethod?: StripeObject;
  /** Other fields Stripe keeps on the payment intent (`shipping`, `receipt_email`, ...). */
  readonly fields?: StripeObject;
}

/** A payment intent that has not been confirmed yet (`requires_payment_method`). */
export function newPaymentIntent(fields: StripeObject & { amount: number; currency: string }) {
  const id = stripeId('pi');
  return fromFixture('payment_intent', {
    id,
    object: 'payment_intent',
    amount_capturable: 0,
    amount_received: 0,
    customer: null,
    description: null,
    metadata: {},
    status: 'requires_payment_method',
    last_payment_error: null,
    next_action: null,
    latest_charge: null,
    payment_method: null,
    payment_method_types: ['card'],
    allowed_payment_method_types: null,
    client_secret: `${id}_secret_${stripeId('s').slice(2)}`,
    created: nowSeconds(),
    canceled_at: null,
    cancellation_reason: null,
    livemode: false,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    payment_method_configuration_details: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    transfer_data: null,
    transfer_group: null,
    on_behalf_of: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    excluded_payment_method_types: null,
    customer_account: null,
    ...fields,
  });
}

/**
 * What a confirmation attempt leaves on a payment intent: paid (or, with manual capture,
 * authorized), declined (`requires_payment_method`, the card in `last_payment_error`, no
 * payment method kept), or waiting for 3-D Secure (`requires_action`).
 */
export function applyCharge(
  intent: StripeObject,
  result: ChargeResult,
  paymentMethod: StripeObject | undefined,
  options: { readonly manualCapture?: boolean } = {},
): void {
  const amount = intent.amount as number;
  const pmId = (paymentMethod?.id as string | undefined) ?? stripeId('pm');
  if (result.outcome === 'succeeded') {
    const manual = options.manualCapture === true;
    Object.assign(intent, {
      status: manual ? 'requires_capture' : 'succeeded',
      amount_received: manual ? 0 : amount,
      amount_capturable: manual ? amount : 0,
      latest_charge: stripeId('ch'),
      payment_method: pmId,
      last_payment_error: null,
      next_action: null,
    });
  } else if (result.outcome === 'failed') {
    const { decline } = result;
    Object.assign(intent, {
      status: 'requires_payment_method',
      amount_received: 0,
      amount_capturable: 0,
      payment_method: null,
      next_action: null,
      last_payment_error: {
        type: 'card_error',
        code: decline.code,
        decline_code: decline.declineCode,
        message: decline.message,
        doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
        param: null,
        payment_method: paymentMethod ? structuredClone(paymentMethod) : null,
        payment_method_type: 'card',
      },
    });
  } else {
    Object.assign(intent, {
      status: 'requires_action',
      payment_method: pmId,
      last_payment_error: null,
      next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
    });
  }
}

/** A payment intent as a flow leaves it: created and confirmed with `outcome`. */
export function paymentIntent(input: PaymentIntentInput): StripeObject {
  const intent = newPaymentIntent({
    amount: input.amount,
    currency: input.currency,
    customer: input.customer,
    description: input.description ?? null,
    metadata: { ...input.metadata },
    ...input.fields,
  });
  applyCharge(intent, chargeResultOf(input.outcome), input.paymentMethod);
  return intent;
}

/** A plan, as Stripe still embeds it beside the price on subscription items. */
export function planFromPrice(price: StripeObject): StripeObject {
  const recurring = price.recurring as { interval: string; interval_count: number };
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export interface SubscriptionInput {
  readonly customer: string;
  readonly price: StripeObject;
  readonly quantity: number;
  readonly metadata: Record<string, string>;
  readonly status: 'active' | 'incomplete';
}

export function subscription(input: SubscriptionInput): StripeObject {
  const id = stripeId('sub');
  const now = nowSeconds();
  const recurring = input.price.recurring as { interval: string; interval_count: number };
  const item = fromFixture('subscription_item', {
    id: stripeId('si', 14),
    object: 'subscription_item',
    created: now,
    price: structuredClone(input.price),
    plan: planFromPrice(input.price),
    quantity: input.quantity,
    subscription: id,
    metadata: {},
    tax_rates: [],
    discounts: [],
    billing_thresholds: null,
    current_period_start: now,
    current_period_end: periodEnd(now, recurring.interval, recurring.interval_count),
  });
  return fromFixture('subscription', {
    id,
    object: 'subscription',
    customer: input.customer,
    status: input.status,
    items: {
      object: 'list',
      data: [item],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    metadata: { ...input.metadata },
    currency: input.price.currency,
    created: now,
    start_date: now,
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    latest_invoice: null,
    default_payment_method: null,
    default_source: null,
    description: null,
    discounts: [],
    days_until_due: null,
    livemode: false,
    application: null,
    application_fee_percent: null,
    billing_thresholds: null,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_start: null,
    customer_account: null,
  });
}

/** The subscription's single item (the sandbox's subscriptions have one price). */
export function subscriptionItem(sub: StripeObject): Record<string, unknown> {
  const item = (sub.items as { data: Record<string, unknown>[] }).data[0];
  if (!item) throw new Error(`Subscription ${String(sub.id)} has no item`);
  return item;
}

export interface InvoiceInput {
  readonly subscription: StripeObject;
  readonly billingReason: 'subscription_create' | 'subscription_cycle';
  readonly paid: boolean;
  readonly customerEmail: string | null;
  /** Overrides `paid`: a `draft` to finalize and charge step by step. */
  readonly status?: InvoiceStatus;
}

/** A subscription's invoice for its current period, paid or left open by a failed charge. */
export function invoice(input: InvoiceInput, lineTemplate: StripeObject): StripeObject {
  const id = stripeId('in');
  const sub = input.subscription;
  const item = subscriptionItem(sub);
  const price = item.price as StripeObject;
  const quantity = item.quantity as number;
  const amount = (price.unit_amount as number) * quantity;
  const period = {
    start: item.current_period_start as number,
    end: item.current_period_end as number,
  };
  const line = {
    ...structuredClone(lineTemplate),
    id: stripeId('il'),
    object: 'line_item',
    amount,
    currency: price.currency,
    description: `${quantity} × ${String(price.product)}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: id,
    livemode: false,
    metadata: {},
    period,
    quantity,
    subscription: sub.id,
    subtotal: amount,
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
    pretax_credit_amounts: [],
    taxes: [],
  };
  return invoiceObject({
    id,
    customer: sub.customer as string,
    customerEmail: input.customerEmail,
    currency: price.currency as string,
    lines: [line],
    period,
    billingReason: input.billingReason,
    subscription: sub,
    status: input.status ?? (input.paid ? 'paid' : 'open'),
  });
}

export type InvoiceStatus = 'draft' | 'open' | 'paid';

export interface InvoiceFields {
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

/**
 * An invoice: its amounts are its lines' sum; `open` and `paid` are finalized with one
 * charge attempt made (the subscription flows), `draft` is neither.
 */
export function invoiceObject(input: InvoiceFields): StripeObject {
  const now = nowSeconds();
  const { id, period, status } = input;
  const sub = input.subscription;
  const amount = input.lines.reduce((sum, line) => sum + (line.amount as number), 0);
  const paid = status === 'paid';
  const finalized = status !== 'draft';
  return fromFixture('invoice', {
    id,
    object: 'invoice',
    customer: input.customer,
    customer_email: input.customerEmail,
    subscription: sub ? sub.id : null,
    parent: sub
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: { ...(sub.metadata as Record<string, string>) },
            subscription: sub.id,
          },
        }
      : null,
    status,
    billing_reason: input.billingReason,
    currency: input.currency,
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
    auto_advance: status === 'open',
    lines: { object: 'list', data: input.lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    period_start: period.start,
    period_end: period.end,
    created: now,
    effective_at: finalized ? now : null,
    due_date: null,
    number: finalized ? invoiceNumber(id) : null,
    metadata: {},
    next_payment_attempt: status === 'open' ? now + 3 * 24 * 3600 : null,
    status_transitions: {
      finalized_at: finalized ? now : null,
      marked_uncollectible_at: null,
      paid_at: paid ? now : null,
      voided_at: null,
    },
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
    webhooks_delivered_at: finalized ? now : null,
    automatically_finalizes_at: null,
    customer_account: null,
  });
}

/** The number an invoice gets when it is finalized. */
export const invoiceNumber = (id: string): string => `SBX-${id.slice(-8).toUpperCase()}`;
