import {
  chargeInvoice,
  defaultPaymentMethodFor,
  finalizeInvoice,
  markPaid,
  NO_PAYMENT_METHOD_MESSAGE,
  requireDraft,
} from '../billing/invoice-collection';
import { customerPaymentMethod } from '../billing/payment-methods';
import {
  cardError,
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
  StripeApiError,
} from '../http/errors';
import { collectionParams, customFields, shippingDetails } from '../http/object-params';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { DAY_SECONDS, invoiceItemLine, invoiceObject } from '../objects/invoices';
import { applyUpdates } from '../objects/updates';
import { nowSeconds } from '../objects/clock';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import {
  readEndpoints,
  refuseAutomaticTax,
  refuseDiscounts,
  refuseNotModelled,
  requiredCustomer,
  requireObject,
  respond,
} from './shared';

/**
 * `/v1/invoices`: one-off invoices from invoice items, and paying any invoice (the
 * subscriptions' too): create, update, finalize, pay, void. Collecting an invoice is in
 * `billing/invoice-collection.ts`.
 */

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

/** What may still change once an invoice is finalized. */
const CHANGEABLE_ONCE_FINALIZED = [
  'description',
  'footer',
  'metadata',
  'auto_advance',
  'custom_fields',
];

function refuseInvoiceNotModelled(params: Params): void {
  refuseNotModelled(params, INVOICE_NOT_MODELLED);
  if (params.has('default_source')) throw parameterNotModelled('default_source', 'sources');
  refuseAutomaticTax(params);
  refuseDiscounts(params);
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
  const shipping = shippingDetails(params);
  if (shipping !== undefined) fields.shipping_details = shipping;
  return fields;
}

/** With `pending_invoice_items_behavior=include`: the customer's pending items, oldest first. */
function pendingItems(context: ApiContext, params: Params, customer: StripeObject): StripeObject[] {
  const behaviour = params.string('pending_invoice_items_behavior') ?? 'exclude';
  if (behaviour !== 'include' && behaviour !== 'exclude')
    throw parameterInvalid('pending_invoice_items_behavior', `Invalid value: ${behaviour}`);
  if (behaviour === 'exclude') return [];
  return context.state.store
    .list('invoiceitem')
    .filter((item) => item.customer === customer.id && item.invoice === null)
    .reverse();
}

export const invoices = readEndpoints('invoice', '/v1/invoices', [
  'customer',
  'subscription',
  'status',
]);

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
  const pending = pendingItems(context, params, customer);
  const settings = invoiceSettings(context, params, customer.id as string);
  if (settings.collection_method === 'send_invoice' && settings.due_date === undefined)
    throw parameterMissing('days_until_due');
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
    lines: included.map((item) => invoiceItemLine(item, id)),
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
  return respond(context, inv, params);
};

export const updateInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, INVOICE_UPDATABLE);
  refuseInvoiceNotModelled(params);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  const settings = invoiceSettings(context, params, inv.customer as string);
  settings.metadata = mergeMetadata(inv.metadata as Record<string, string>, params.metadata());
  if (inv.status !== 'draft') {
    const fixed = Object.keys(settings).find((name) => !CHANGEABLE_ONCE_FINALIZED.includes(name));
    if (fixed !== undefined) requireDraft(inv, `change ${fixed} on`);
  }
  const previous = applyUpdates(inv, settings);
  if (previous) context.state.emit('invoice.updated', inv, context.origin, previous);
  return respond(context, inv, params);
};

export const finalizeInvoiceEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['auto_advance']);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  const autoAdvance = params.boolean('auto_advance');
  if (autoAdvance !== undefined) inv.auto_advance = autoAdvance;
  finalizeOrRefuse(context, inv);
  return respond(context, inv, params);
};

/** Finalizes a draft; a finalization that failed is Stripe's 400 with its error. */
function finalizeOrRefuse(context: ApiContext, inv: StripeObject): void {
  if (finalizeInvoice(context.state, inv, context.origin)) return;
  const error = inv.last_finalization_error as { message: string; code: string };
  throw invalidRequest(error.message, error.code);
}

/** Only a draft or an open invoice can be paid. */
function requirePayable(inv: StripeObject): void {
  if (inv.status === 'paid')
    throw invalidRequest('Invoice is already paid.', 'invoice_already_paid');
  if (inv.status !== 'draft' && inv.status !== 'open') {
    throw invalidRequest(
      `You cannot pay an invoice with a status of ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
}

/**
 * `POST /v1/invoices/:id/pay`: a draft is finalized first; then paid out of band, or
 * charged to `payment_method` (or the default one): a decline is Stripe's 402, as is a
 * card that needs 3-D Secure.
 */
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
  requirePayable(inv);
  const pmId = params.string('payment_method');
  const pm =
    pmId === undefined
      ? defaultPaymentMethodFor(context.state, inv)
      : customerPaymentMethod(context.state, inv.customer as string, pmId, 'payment_method');
  if (inv.status === 'draft') finalizeOrRefuse(context, inv);
  // An invoice with nothing to pay was paid when it was finalized.
  if ((inv.status as string) === 'paid') return respond(context, inv, params);
  if (params.boolean('paid_out_of_band') === true) {
    markPaid(context.state, inv, context.origin, false);
    return respond(context, inv, params);
  }
  if (!pm) throw invalidRequest(NO_PAYMENT_METHOD_MESSAGE);
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
  return respond(context, inv, params);
};

export const voidInvoice: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const inv = requireObject(context, 'invoice', pathParam(context, 'id'));
  if (inv.status !== 'open') {
    throw invalidRequest(
      `You can only void an open invoice; this one is ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
  inv.status = 'void';
  inv.auto_advance = false;
  inv.next_payment_attempt = null;
  (inv.status_transitions as StripeObject).voided_at = nowSeconds();
  context.state.emit('invoice.voided', inv, context.origin);
  return respond(context, inv, params);
};
