import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import {
  type ChargeResult,
  invoiceNumber,
  invoiceObject,
  newPaymentIntent,
} from '../objects/invoices';
import { requiredCustomer, requireObject } from './prices';
import { invoiceLineTemplate } from './checkout-sessions';
import {
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
  StripeApiError,
} from '../http/errors';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { nowSeconds, stripeId } from '../objects/ids';
import { expand, LIST_PARAMS, listObject, withFields } from './listing';
import { address, collectionParams, customFields } from './object-params';
import { mergeMetadata, Params } from '../http/params';
import { confirmPaymentIntent } from './payment-intents';
import { cardError, customerPaymentMethod } from './payment-methods';
import type { RequestOrigin, SandboxState } from '../state/state';

/**
 * One-off invoices from invoice items, and paying any invoice (the subscriptions' too):
 * create, finalize, pay (a card charged through a payment intent, as Stripe does), void.
 */

const DAY_SECONDS = 24 * 3600;

// ---- invoice items -------------------------------------------------------------------

/** An invoice item as a line of its invoice. */
function lineOf(item: StripeObject, invoiceId: string): StripeObject {
  return {
    ...structuredClone(invoiceLineTemplate()),
    id: stripeId('il'),
    object: 'line_item',
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
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
    pretax_credit_amounts: [],
    pricing: structuredClone(item.pricing),
    quantity: item.quantity,
    quantity_decimal: item.quantity_decimal,
    subscription: null,
    subtotal: item.amount,
    taxes: [],
  };
}

/** Recomputes a draft invoice's amounts from its lines. */
function retotal(inv: StripeObject): void {
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

function requireDraft(inv: StripeObject, action: string): void {
  if (inv.status !== 'draft') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `You can only ${action} a draft invoice; this one is ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
}

export const createInvoiceItem: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'customer',
    'customer_account',
    'amount',
    'currency',
    'description',
    'discountable',
    'discounts',
    'invoice',
    'metadata',
    'period',
    'price_data',
    'pricing',
    'quantity',
    'quantity_decimal',
    'subscription',
    'tax_behavior',
    'tax_code',
    'tax_rates',
    'unit_amount_decimal',
  ]);
  if (params.has('subscription'))
    throw parameterNotModelled(
      'subscription',
      "invoice items pending on a subscription's next invoice",
    );
  if (params.has('price_data')) throw parameterNotModelled('price_data', 'inline prices');
  for (const name of ['discounts', 'tax_rates'])
    if ((params.strings(name) ?? []).length > 0)
      throw parameterNotModelled(name, 'discounts and tax rates');
  const customer = requiredCustomer(context, params);
  const quantity = params.integer('quantity', { min: 0, max: 99_999_999 }) ?? 1;
  const priceId = params.hash('pricing', ['price'])?.string('price');
  let unitAmount: number;
  let currency: string;
  let pricing: StripeObject;
  if (priceId !== undefined) {
    const price = requireObject(context, 'price', priceId, 'price', 'pricing[price]');
    unitAmount = price.unit_amount as number;
    currency = price.currency as string;
    pricing = {
      type: 'price_details',
      price_details: { price: price.id, product: price.product },
      unit_amount_decimal: price.unit_amount_decimal,
    };
  } else {
    currency = params.requiredString('currency').toLowerCase();
    const amount = params.integer('amount', { min: -99_999_999, max: 99_999_999 });
    const decimal = params.string('unit_amount_decimal');
    if (amount === undefined && decimal === undefined) throw parameterMissing('amount');
    unitAmount = amount ?? Number(decimal);
    if (amount === undefined && !Number.isInteger(unitAmount))
      throw parameterInvalid('unit_amount_decimal', 'The sandbox takes whole minor units only.');
    // `amount` is the total; a unit amount times the quantity otherwise.
    if (amount !== undefined) unitAmount = quantity === 0 ? 0 : amount / quantity;
    pricing = { type: 'price_details', unit_amount_decimal: String(unitAmount) };
  }
  const now = nowSeconds();
  const period = params.hash('period', ['start', 'end']);
  const item = fromFixture('invoiceitem', {
    id: stripeId('ii'),
    object: 'invoiceitem',
    amount: Math.round(unitAmount * quantity),
    currency,
    customer: customer.id,
    customer_account: null,
    date: now,
    description: params.nullableString('description') ?? null,
    discountable: params.boolean('discountable') ?? true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: mergeMetadata({}, params.metadata()),
    net_amount: Math.round(unitAmount * quantity),
    parent: null,
    period: {
      start: period?.integer('start') ?? now,
      end: period?.integer('end') ?? now,
    },
    pricing,
    proration: false,
    quantity,
    quantity_decimal: String(quantity),
    tax_rates: [],
    test_clock: null,
  });
  const invoiceId = params.string('invoice');
  const target =
    invoiceId === undefined
      ? undefined
      : requireObject(context, 'invoice', invoiceId, 'invoice', 'invoice');
  if (target) {
    requireDraft(target, 'add items to');
    if (target.customer !== customer.id)
      throw parameterInvalid('invoice', 'The invoice belongs to another customer.');
    item.invoice = target.id;
  }
  context.state.store.put('invoiceitem', item);
  context.state.emit('invoiceitem.created', item, context.origin);
  if (target) {
    (target.lines as { data: StripeObject[] }).data.push(lineOf(item, target.id as string));
    retotal(target);
  }
  return expand(item, params.expand(), context.state.store);
};

export const retrieveInvoiceItem: ApiHandler = (context) =>
  expand(
    requireObject(context, 'invoiceitem', pathParam(context, 'id')),
    new Params(context.raw, []).expand(),
    context.state.store,
  );

export const listInvoiceItems: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'customer', 'invoice', 'pending']);
  const pending = params.boolean('pending');
  const fields = withFields({
    customer: params.string('customer'),
    invoice: params.string('invoice'),
  });
  const items = context.state.store
    .list('invoiceitem')
    .filter(
      (item) => fields(item) && (pending === undefined || (item.invoice === null) === pending),
    );
  return expand(
    listObject('/v1/invoiceitems', items, params),
    params.expand(),
    context.state.store,
  );
};

// ---- invoices ------------------------------------------------------------------------

/** Stripe Connect, tax and discounts on an invoice: refused by name (not modelled). */
const INVOICE_NOT_MODELLED: Readonly<Record<string, string>> = {
  on_behalf_of: 'Connect',
  transfer_data: 'Connect',
  application_fee_amount: 'Connect',
  from_invoice: 'invoice revisions',
  subscription: "a subscription's pending invoice items",
  shipping_cost: 'shipping rates',
};

/** Accepted, with no effect the sandbox models (tax, rendering, payment settings). */
const INVOICE_ACCEPTED = [
  'account_tax_ids',
  'automatic_tax',
  'automatically_finalizes_at',
  'default_tax_rates',
  'discounts',
  'effective_at',
  'issuer',
  'payment_settings',
  'rendering',
];

const INVOICE_UPDATABLE = [
  'auto_advance',
  'collection_method',
  'custom_fields',
  'days_until_due',
  'default_payment_method',
  'default_source',
  'description',
  'due_date',
  'footer',
  'metadata',
  'number',
  'shipping_details',
  'statement_descriptor',
  ...Object.keys(INVOICE_NOT_MODELLED),
  ...INVOICE_ACCEPTED,
];

function refuseInvoiceNotModelled(params: Params): void {
  for (const [name, what] of Object.entries(INVOICE_NOT_MODELLED))
    if (params.has(name)) throw parameterNotModelled(name, what);
  if (params.has('default_source')) throw parameterNotModelled('default_source', 'sources');
  if (params.hash('automatic_tax', ['enabled', 'liability'])?.boolean('enabled') === true)
    throw parameterNotModelled('automatic_tax[enabled]', 'tax');
  if ((params.strings('discounts') ?? []).length > 0)
    throw parameterNotModelled('discounts', 'discounts');
}

/** The settings an invoice's parameters give it, as Stripe keeps them. */
function invoiceSettings(context: ApiContext, params: Params, customerId: string): StripeObject {
  const fields: StripeObject = {};
  const autoAdvance = params.boolean('auto_advance');
  if (autoAdvance !== undefined) fields.auto_advance = autoAdvance;
  const { method, daysUntilDue: days } = collectionParams(params);
  if (method !== undefined) fields.collection_method = method;
  // An invoice keeps its due date; `days_until_due` counts from now.
  const dueDate = params.integer('due_date');
  if (dueDate !== undefined) fields.due_date = dueDate;
  else if (days !== undefined) fields.due_date = nowSeconds() + days * DAY_SECONDS;
  for (const name of ['description', 'footer', 'statement_descriptor', 'number']) {
    const value = params.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  const pmId = params.nullableString('default_payment_method');
  if (pmId !== undefined) {
    fields.default_payment_method =
      pmId === null
        ? null
        : customerPaymentMethod(context.state, customerId, pmId, 'default_payment_method').id;
  }
  const custom = customFields(params);
  if (custom !== undefined) fields.custom_fields = custom;
  if (params.raw.shipping_details === '') fields.shipping_details = null;
  else {
    const shipping = params.hash('shipping_details', ['name', 'address', 'phone']);
    if (shipping) {
      fields.shipping_details = {
        address: address(
          shipping.hash('address', ['city', 'country', 'line1', 'line2', 'postal_code', 'state']),
        ),
        name: shipping.requiredString('name'),
        phone: shipping.nullableString('phone') ?? null,
      };
    }
  }
  return fields;
}

export const createInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...INVOICE_UPDATABLE,
    'customer',
    'customer_account',
    'currency',
    'pending_invoice_items_behavior',
  ]);
  refuseInvoiceNotModelled(params);
  const customer = requiredCustomer(context, params);
  const behaviour = params.string('pending_invoice_items_behavior') ?? 'exclude';
  if (behaviour !== 'include' && behaviour !== 'exclude')
    throw parameterInvalid('pending_invoice_items_behavior', `Invalid value: ${behaviour}`);
  const settings = invoiceSettings(context, params, customer.id as string);
  if (settings.collection_method === 'send_invoice' && settings.due_date === undefined)
    throw parameterMissing('days_until_due');
  const pending =
    behaviour === 'include'
      ? context.state.store
          .list('invoiceitem')
          .filter((item) => item.customer === customer.id && item.invoice === null)
          .reverse()
      : [];
  const currencies = new Set(pending.map((item) => item.currency as string));
  const given = params.string('currency')?.toLowerCase();
  const currency = given ?? [...currencies][0] ?? (customer.currency as string | null) ?? 'usd';
  const included = pending.filter((item) => item.currency === currency);
  const id = stripeId('in');
  const now = nowSeconds();
  const inv = invoiceObject({
    id,
    customer: customer.id as string,
    customerEmail: (customer.email as string | null | undefined) ?? null,
    currency,
    lines: included.map((item) => lineOf(item, id)),
    period: { start: now, end: now },
    billingReason: 'manual',
    subscription: null,
    status: 'draft',
  });
  Object.assign(inv, {
    auto_advance: false,
    collection_method: 'charge_automatically',
    metadata: mergeMetadata({}, params.metadata()),
    ...settings,
  });
  for (const item of included) item.invoice = id;
  context.state.store.put('invoice', inv);
  context.state.emit('invoice.created', inv, context.origin);
  return expand(inv, params.expand(), context.state.store);
};

export const updateInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, INVOICE_UPDATABLE);
  refuseInvoiceNotModelled(params);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  const settings = invoiceSettings(context, params, inv.customer as string);
  if (params.has('metadata'))
    settings.metadata = mergeMetadata(inv.metadata as Record<string, string>, params.metadata());
  const onceFinalized = ['description', 'footer', 'metadata', 'auto_advance', 'custom_fields'];
  if (inv.status !== 'draft') {
    const fixed = Object.keys(settings).find((name) => !onceFinalized.includes(name));
    if (fixed !== undefined) requireDraft(inv, `change ${fixed} on`);
  }
  const previous: StripeObject = {};
  for (const [name, value] of Object.entries(settings)) {
    if (JSON.stringify(value) === JSON.stringify(inv[name])) continue;
    previous[name] = inv[name];
    inv[name] = value;
  }
  if (Object.keys(previous).length > 0)
    context.state.emit('invoice.updated', inv, context.origin, previous);
  return expand(inv, params.expand(), context.state.store);
};

/**
 * Finalizes a draft (`invoice.finalized`): it gets its number and, when sent for payment,
 * its due date. An invoice with nothing to pay is paid at once (`invoice.paid`,
 * `invoice.payment_succeeded`).
 */
export function finalizeInvoice(
  state: SandboxState,
  inv: StripeObject,
  origin: RequestOrigin,
): void {
  requireDraft(inv, 'finalize');
  const now = nowSeconds();
  const transitions = inv.status_transitions as StripeObject;
  Object.assign(inv, {
    status: 'open',
    number: inv.number ?? invoiceNumber(inv.id as string),
    effective_at: inv.effective_at ?? now,
    webhooks_delivered_at: now,
    due_date:
      inv.collection_method === 'send_invoice' ? (inv.due_date ?? now + 30 * DAY_SECONDS) : null,
  });
  transitions.finalized_at = now;
  state.emit('invoice.finalized', inv, origin);
  if ((inv.amount_due as number) === 0) markPaid(state, inv, origin, true);
}

/** The invoice is paid: `invoice.paid` (and `invoice.payment_succeeded` when a payment did it). */
function markPaid(
  state: SandboxState,
  inv: StripeObject,
  origin: RequestOrigin,
  paymentMade: boolean,
) {
  const transitions = inv.status_transitions as StripeObject;
  Object.assign(inv, {
    status: 'paid',
    amount_paid: inv.amount_due,
    amount_remaining: 0,
    auto_advance: false,
    next_payment_attempt: null,
  });
  transitions.paid_at = nowSeconds();
  state.emit('invoice.paid', inv, origin);
  if (paymentMade) state.emit('invoice.payment_succeeded', inv, origin);
  reactivateSubscription(state, inv, origin);
}

/** A subscription waiting on this invoice (`incomplete`, `past_due`) is active again once it is paid. */
function reactivateSubscription(
  state: SandboxState,
  inv: StripeObject,
  origin: RequestOrigin,
): void {
  const subId = (inv.parent as { subscription_details?: { subscription?: string } } | null)
    ?.subscription_details?.subscription;
  const sub = subId === undefined ? undefined : state.store.get('subscription', subId);
  if (!sub || sub.latest_invoice !== inv.id) return;
  if (!['incomplete', 'past_due', 'unpaid'].includes(sub.status as string)) return;
  const previous = { status: sub.status };
  sub.status = 'active';
  state.emit('customer.subscription.updated', sub, origin, previous);
}

/** The payment intent that collects an open invoice (`payment_intent.created`). */
export function invoicePaymentIntent(
  state: SandboxState,
  inv: StripeObject,
  origin: RequestOrigin,
): StripeObject {
  const reason = inv.billing_reason;
  const intent = newPaymentIntent({
    amount: inv.amount_remaining as number,
    currency: inv.currency as string,
    customer: inv.customer,
    description:
      reason === 'subscription_create'
        ? 'Subscription creation'
        : reason === 'subscription_cycle' || reason === 'subscription_update'
          ? 'Subscription update'
          : 'Payment for Invoice',
    capture_method: 'automatic',
    payment_method_types: ['card'],
    allowed_payment_method_types: ['card'],
  });
  state.store.put('payment_intent', intent);
  state.emit('payment_intent.created', intent, origin);
  return intent;
}

/**
 * Charges an open invoice with `pm` through a new payment intent: paid (`invoice.paid`,
 * `invoice.payment_succeeded`), declined (`invoice.payment_failed`) or waiting for 3-D
 * Secure (`invoice.payment_action_required`), each after the payment intent's own events.
 * An invoice payment that needs authentication waits for it, as at Stripe.
 */
export function chargeInvoice(
  state: SandboxState,
  inv: StripeObject,
  pm: StripeObject,
  origin: RequestOrigin,
): ChargeResult {
  const intent = invoicePaymentIntent(state, inv, origin);
  const result = confirmPaymentIntent(state, intent, pm, { offSession: false }, origin);
  Object.assign(inv, {
    attempt_count: (inv.attempt_count as number) + 1,
    attempted: true,
  });
  if (result.outcome === 'succeeded') {
    markPaid(state, inv, origin, true);
  } else {
    inv.next_payment_attempt = inv.auto_advance === true ? nowSeconds() + 3 * DAY_SECONDS : null;
    state.emit(
      result.outcome === 'failed' ? 'invoice.payment_failed' : 'invoice.payment_action_required',
      inv,
      origin,
    );
  }
  return result;
}

/**
 * The payment method an invoice is charged with when none is given: the invoice's, its
 * subscription's, then the customer's invoice default.
 */
export function defaultPaymentMethodFor(
  state: SandboxState,
  inv: StripeObject,
): StripeObject | undefined {
  const subId = (inv.parent as { subscription_details?: { subscription?: string } } | null)
    ?.subscription_details?.subscription;
  const sub = subId === undefined ? undefined : state.store.get('subscription', subId);
  const customer = state.store.get('customer', inv.customer as string);
  const id =
    (inv.default_payment_method as string | null) ??
    (sub?.default_payment_method as string | null | undefined) ??
    ((customer?.invoice_settings as StripeObject | undefined)?.default_payment_method as
      string | null | undefined) ??
    null;
  return id === null ? undefined : state.store.get('payment_method', id);
}

export const NO_PAYMENT_METHOD_MESSAGE =
  'This customer has no attached payment source or default payment method. Please consider adding a default payment method.';

export const finalizeInvoiceEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['auto_advance']);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  const autoAdvance = params.boolean('auto_advance');
  if (autoAdvance !== undefined) inv.auto_advance = autoAdvance;
  finalizeInvoice(context.state, inv, context.origin);
  return expand(inv, params.expand(), context.state.store);
};

export const payInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'payment_method',
    'off_session',
    'paid_out_of_band',
    'forgive',
    'mandate',
    'source',
  ]);
  if (params.has('source')) throw parameterNotModelled('source', 'sources');
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  if (inv.status === 'paid') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'Invoice is already paid.',
      'invoice_already_paid',
    );
  }
  if (inv.status !== 'draft' && inv.status !== 'open') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `You cannot pay an invoice with a status of ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
  const pmId = params.string('payment_method');
  const pm =
    pmId === undefined
      ? defaultPaymentMethodFor(context.state, inv)
      : customerPaymentMethod(context.state, inv.customer as string, pmId, 'payment_method');
  if (inv.status === 'draft') finalizeInvoice(context.state, inv, context.origin);
  // An invoice with nothing to pay was paid when it was finalized.
  if ((inv.status as string) === 'paid') return expand(inv, params.expand(), context.state.store);
  if (params.boolean('paid_out_of_band') === true) {
    markPaid(context.state, inv, context.origin, false);
    return expand(inv, params.expand(), context.state.store);
  }
  if (!pm) throw new StripeApiError(400, 'invalid_request_error', NO_PAYMENT_METHOD_MESSAGE);
  const result = chargeInvoice(context.state, inv, pm, context.origin);
  if (result.outcome === 'failed') throw cardError(result.decline);
  if (result.outcome === 'requires_action') {
    throw new StripeApiError(
      402,
      'card_error',
      'This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.',
      'invoice_payment_intent_requires_action',
    );
  }
  return expand(inv, params.expand(), context.state.store);
};

export const voidInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  if (inv.status !== 'open') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `You can only void an open invoice; this one is ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
  inv.status = 'void';
  inv.auto_advance = false;
  inv.next_payment_attempt = null;
  (inv.status_transitions as StripeObject).voided_at = nowSeconds();
  context.state.emit('invoice.voided', inv, context.origin);
  return expand(inv, params.expand(), context.state.store);
};
