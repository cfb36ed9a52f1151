import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import {
  cancelSubscription,
  updateSubscription,
  type SubscriptionChanges,
} from '../billing/subscription-lifecycle';
import { invoice, subscription, subscriptionItem } from '../objects/invoices';
import { requiredCustomer, requireObject } from './prices';
import { invoiceLineTemplate } from './checkout-sessions';
import {
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
  StripeApiError,
} from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { nowSeconds } from '../objects/ids';
import {
  chargeInvoice,
  defaultPaymentMethodFor,
  finalizeInvoice,
  invoicePaymentIntent,
  NO_PAYMENT_METHOD_MESSAGE,
} from './invoices';
import { expand } from './listing';
import { collectionParams } from './object-params';
import { mergeMetadata, Params } from '../http/params';
import { chargeResult } from './payment-intents';
import { cardError, cardOf, customerPaymentMethod } from './payment-methods';

/**
 * Subscriptions through the API: create (the first invoice charged as `payment_behavior`
 * says), update and cancel (`DELETE`). One price per subscription, as in the flows.
 */

/** Behaviour the sandbox does not model, refused by name. */
const NOT_MODELLED: Readonly<Record<string, string>> = {
  trial_end: 'trials',
  trial_period_days: 'trials',
  trial_settings: 'trials',
  add_invoice_items: 'extra invoice items',
  application_fee_percent: 'Connect',
  on_behalf_of: 'Connect',
  transfer_data: 'Connect',
  billing_cycle_anchor: 'billing cycle anchors',
  billing_cycle_anchor_config: 'billing cycle anchors',
  backdate_start_date: 'backdating',
  cancel_at: 'cancellation at a set time (use cancel_at_period_end)',
  default_source: 'sources',
  billing_thresholds: 'billing thresholds',
  billing_schedules: 'billing schedules',
  pause_collection: 'paused collection',
  pending_invoice_item_interval: 'pending invoice items',
  proration_date: 'prorations',
};

/** Accepted, with no effect the sandbox models (it computes no prorations, no tax). */
const ACCEPTED = [
  'automatic_tax',
  'billing_mode',
  'customer_account',
  'default_tax_rates',
  'discounts',
  'invoice_settings',
  'off_session',
  'payment_settings',
  'proration_behavior',
  'trial_from_plan',
];

const ITEM_PARAMS = [
  'id',
  'price',
  'plan',
  'quantity',
  'metadata',
  'price_data',
  'tax_rates',
  'discounts',
  'billing_thresholds',
  'current_trial',
  'deleted',
  'clear_usage',
];

const PAYMENT_BEHAVIOURS = ['allow_incomplete', 'error_if_incomplete', 'default_incomplete'];

function refuseNotModelled(params: Params): void {
  for (const [name, what] of Object.entries(NOT_MODELLED))
    if (params.has(name)) throw parameterNotModelled(name, what);
  if (params.hash('automatic_tax', ['enabled', 'liability'])?.boolean('enabled') === true)
    throw parameterNotModelled('automatic_tax[enabled]', 'tax');
  if (params.boolean('trial_from_plan') === true)
    throw parameterNotModelled('trial_from_plan', 'trials');
  if ((params.strings('discounts') ?? []).length > 0)
    throw parameterNotModelled('discounts', 'discounts');
}

function refuseItemNotModelled(item: Params, index: number): void {
  for (const name of ['price_data', 'billing_thresholds', 'current_trial']) {
    if (item.has(name))
      throw parameterNotModelled(`items[${index}][${name}]`, name.replace('_', ' '));
  }
  for (const name of ['tax_rates', 'discounts']) {
    if ((item.strings(name) ?? []).length > 0)
      throw parameterNotModelled(`items[${index}][${name}]`, 'tax rates and discounts');
  }
}

/** `collection_method` and `days_until_due` (required to send invoices). */
function collection(params: Params, current?: StripeObject): StripeObject {
  const fields: StripeObject = {};
  const { method, daysUntilDue } = collectionParams(params);
  if (method !== undefined) fields.collection_method = method;
  if (daysUntilDue !== undefined) fields.days_until_due = daysUntilDue;
  const effective = fields.collection_method ?? current?.collection_method;
  if (effective === 'send_invoice' && (fields.days_until_due ?? current?.days_until_due) == null)
    throw parameterMissing('days_until_due');
  if (effective === 'charge_automatically') fields.days_until_due = null;
  return fields;
}

function paymentBehaviour(params: Params): string {
  const value = params.string('payment_behavior') ?? 'allow_incomplete';
  if (value === 'pending_if_incomplete')
    throw parameterNotModelled('payment_behavior', 'pending updates (pending_if_incomplete)');
  if (!PAYMENT_BEHAVIOURS.includes(value))
    throw parameterInvalid('payment_behavior', `Invalid payment_behavior: ${value}`);
  return value;
}

const respond = (context: ApiContext, object: StripeObject, params: Params): StripeObject =>
  expand(object, params.expand(), context.state.store);

/**
 * Creates a subscription and its first invoice, then collects it as Stripe does:
 * `customer.subscription.created`, `invoice.created`, `invoice.finalized`, then the
 * payment's events (`payment_intent.created` and `.succeeded`, `invoice.paid`,
 * `invoice.payment_succeeded`; or the decline's or the authentication's). The
 * subscription is `active` when the first invoice is paid, else `incomplete`
 * (`allow_incomplete`, the default), or nothing is created (`error_if_incomplete`: a
 * declined card is a 402). `default_incomplete` leaves the invoice for the client to pay.
 * `send_invoice` subscriptions are active, their invoice open until paid.
 */
export const createSubscription: ApiHandler = (context) => {
  const { state } = context;
  const params = new Params(context.raw, [
    ...Object.keys(NOT_MODELLED),
    ...ACCEPTED,
    'customer',
    'items',
    'metadata',
    'description',
    'currency',
    'default_payment_method',
    'collection_method',
    'days_until_due',
    'payment_behavior',
    'cancel_at_period_end',
  ]);
  refuseNotModelled(params);
  const customer = requiredCustomer(context, params);
  const items = params.hashes('items', ITEM_PARAMS);
  if (!items || items.length === 0) throw parameterMissing('items');
  if (items.length > 1) throw parameterNotModelled('items', 'more than one price per subscription');
  const [item] = items;
  if (!item) throw parameterMissing('items');
  refuseItemNotModelled(item, 0);
  const priceId = item.string('price') ?? item.string('plan');
  if (priceId === undefined) throw parameterMissing('items[0][price]');
  const price = requireObject(context, 'price', priceId, 'price', 'items[0][price]');
  if (price.type !== 'recurring') {
    throw parameterInvalid(
      'items[0][price]',
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
    );
  }
  if (price.active !== true)
    throw parameterInvalid(
      'items[0][price]',
      'The price specified is inactive. This field only accepts active prices.',
    );
  const currency = params.string('currency')?.toLowerCase();
  if (currency !== undefined && currency !== price.currency)
    throw parameterInvalid('currency', `The price's currency is ${String(price.currency)}.`);
  const pmId = params.string('default_payment_method');
  const defaultPm =
    pmId === undefined
      ? undefined
      : customerPaymentMethod(state, customer.id as string, pmId, 'default_payment_method');
  const behaviour = paymentBehaviour(params);
  const collectionFields = collection(params);
  const quantity = item.integer('quantity', { min: 0, max: 999_999 }) ?? 1;
  const chargesNow =
    (collectionFields.collection_method ?? 'charge_automatically') === 'charge_automatically' &&
    behaviour !== 'default_incomplete' &&
    (price.unit_amount as number) * quantity > 0;

  const sub = subscription({
    customer: customer.id as string,
    price,
    quantity,
    metadata: mergeMetadata({}, params.metadata()),
    status: 'incomplete',
  });
  Object.assign(sub, {
    description: params.nullableString('description') ?? null,
    default_payment_method: defaultPm ? defaultPm.id : null,
    collection_method: 'charge_automatically',
    ...collectionFields,
  });
  subscriptionItem(sub).metadata = mergeMetadata({}, item.metadata());
  const first = invoice(
    {
      subscription: sub,
      billingReason: 'subscription_create',
      paid: false,
      status: 'draft',
      customerEmail: (customer.email as string | null | undefined) ?? null,
    },
    invoiceLineTemplate(),
  );
  Object.assign(first, {
    auto_advance: true,
    collection_method: sub.collection_method,
    due_date:
      sub.collection_method === 'send_invoice'
        ? nowSeconds() + (sub.days_until_due as number) * 24 * 3600
        : null,
  });
  const pm = chargesNow ? defaultPaymentMethodFor(state, first) : undefined;
  // Known before anything is created: what the first charge will do.
  const result = pm ? chargeResult(cardOf(state, pm), { offSession: false }) : undefined;
  if (behaviour === 'error_if_incomplete' && chargesNow) {
    if (!pm) throw new StripeApiError(402, 'invalid_request_error', NO_PAYMENT_METHOD_MESSAGE);
    if (result?.outcome === 'failed') throw cardError(result.decline);
    if (result?.outcome === 'requires_action') {
      throw new StripeApiError(
        402,
        'card_error',
        'Payment for this subscription requires additional user action before it can be completed successfully.',
        'subscription_payment_intent_requires_action',
      );
    }
  }
  const activeNow = !chargesNow
    ? behaviour !== 'default_incomplete' || (first.amount_due as number) === 0
    : result?.outcome === 'succeeded';
  if (activeNow) sub.status = 'active';
  if (params.boolean('cancel_at_period_end') === true) {
    Object.assign(sub, {
      cancel_at_period_end: true,
      cancel_at: subscriptionItem(sub).current_period_end,
    });
  }
  sub.latest_invoice = first.id;
  state.store.put('subscription', sub);
  state.store.put('invoice', first);
  state.emit('customer.subscription.created', sub, context.origin);
  state.emit('invoice.created', first, context.origin);
  finalizeInvoice(state, first, context.origin);
  if (first.status === 'open' && sub.collection_method === 'charge_automatically') {
    if (pm) chargeInvoice(state, first, pm, context.origin);
    else invoicePaymentIntent(state, first, context.origin);
  }
  return respond(context, sub, params);
};

const FEEDBACK = [
  'customer_service',
  'low_quality',
  'missing_features',
  'other',
  'switched_service',
  'too_complex',
  'too_expensive',
  'unused',
];

function cancellationDetails(params: Params): {
  comment?: string | null;
  feedback?: string | null;
} {
  const details = params.hash('cancellation_details', ['comment', 'feedback']);
  if (!details) return {};
  const feedback = details.nullableString('feedback');
  if (feedback !== undefined && feedback !== null && !FEEDBACK.includes(feedback))
    throw parameterInvalid('cancellation_details[feedback]', `Invalid feedback: ${feedback}`);
  return {
    ...(details.has('comment') ? { comment: details.nullableString('comment') ?? null } : {}),
    ...(feedback !== undefined ? { feedback } : {}),
  };
}

/**
 * `POST /v1/subscriptions/:id`: metadata, description, the default payment method,
 * collection, the item's price, quantity and metadata (`items[0][id]` names it), and
 * `cancel_at_period_end` (which, as at Stripe, records the request in `canceled_at` and
 * `cancellation_details`). One `customer.subscription.updated` with what changed.
 */
export const updateSubscriptionEndpoint: ApiHandler = (context) => {
  const { state } = context;
  const params = new Params(context.raw, [
    ...Object.keys(NOT_MODELLED),
    ...ACCEPTED,
    'items',
    'metadata',
    'description',
    'default_payment_method',
    'collection_method',
    'days_until_due',
    'payment_behavior',
    'cancel_at_period_end',
    'cancellation_details',
  ]);
  refuseNotModelled(params);
  const sub = requireObject(context, 'subscription', pathParam(context, 'id'));
  if (params.has('payment_behavior')) paymentBehaviour(params);
  const changes: {
    -readonly [K in keyof SubscriptionChanges]: SubscriptionChanges[K];
  } = {};
  const fields: Record<string, unknown> = { ...collection(params, sub) };
  const items = params.hashes('items', ITEM_PARAMS) ?? [];
  if (items.length > 1) throw parameterNotModelled('items', 'more than one price per subscription');
  const [item] = items;
  if (item) {
    refuseItemNotModelled(item, 0);
    const current = subscriptionItem(sub);
    if (item.string('id') !== current.id)
      throw parameterNotModelled(
        'items[0][id]',
        'adding items (name the existing item in items[0][id])',
      );
    if (item.boolean('deleted') === true)
      throw parameterNotModelled('items[0][deleted]', 'removing items');
    const quantity = item.integer('quantity', { min: 0, max: 999_999 });
    const priceId = item.string('price') ?? item.string('plan');
    if (quantity !== undefined) changes.quantity = quantity;
    if (priceId !== undefined) {
      requireObject(context, 'price', priceId, 'price', 'items[0][price]');
      changes.price = priceId;
    }
    if (item.has('metadata')) changes.itemMetadata = item.metadata();
  }
  if (params.has('metadata')) changes.metadata = params.metadata();
  const description = params.nullableString('description');
  if (description !== undefined) fields.description = description;
  const pmId = params.nullableString('default_payment_method');
  if (pmId !== undefined) {
    fields.default_payment_method =
      pmId === null
        ? null
        : customerPaymentMethod(state, sub.customer as string, pmId, 'default_payment_method').id;
  }
  const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
  const details = cancellationDetails(params);
  if (cancelAtPeriodEnd === true && sub.cancel_at_period_end !== true) {
    Object.assign(fields, {
      cancel_at_period_end: true,
      cancel_at: subscriptionItem(sub).current_period_end,
      canceled_at: nowSeconds(),
      cancellation_details: {
        comment: details.comment ?? null,
        feedback: details.feedback ?? null,
        reason: 'cancellation_requested',
      },
    });
  } else if (cancelAtPeriodEnd === false && sub.cancel_at_period_end === true) {
    Object.assign(fields, {
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
    });
  } else if (Object.keys(details).length > 0) {
    fields.cancellation_details = { ...(sub.cancellation_details as StripeObject), ...details };
  }
  changes.fields = fields;
  return respond(
    context,
    updateSubscription(state, sub.id as string, changes, context.origin),
    params,
  );
};

/**
 * `DELETE /v1/subscriptions/:id`: canceled now (`customer.subscription.deleted`, reason
 * `cancellation_requested`, with the request's comment and feedback). The sandbox makes
 * no final invoice (`invoice_now`) and no proration credit (`prorate`).
 */
export const cancelSubscriptionEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['cancellation_details', 'invoice_now', 'prorate']);
  if (params.boolean('invoice_now') === true)
    throw parameterNotModelled('invoice_now', 'final invoices');
  if (params.boolean('prorate') === true) throw parameterNotModelled('prorate', 'prorations');
  const sub = requireObject(context, 'subscription', pathParam(context, 'id'));
  return respond(
    context,
    cancelSubscription(
      context.state,
      sub.id as string,
      { atPeriodEnd: false, reason: 'cancellation_requested', ...cancellationDetails(params) },
      context.origin,
    ),
    params,
  );
};
