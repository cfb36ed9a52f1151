import { customerPaymentMethod } from '../billing/payment-methods';
import {
  cancelSubscription,
  draftSubscription,
  type SubscriptionChanges,
  startSubscription,
  updateSubscription,
} from '../billing/subscription-lifecycle';
import { parameterInvalid, parameterMissing, parameterNotModelled } from '../http/errors';
import { collectionParams } from '../http/object-params';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { subscriptionItem } from '../objects/subscriptions';
import { nowSeconds } from '../objects/clock';
import { atCustomerTime } from '../billing/test-clocks';
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
import { refuseTrialChanges, TRIAL_PARAMS, trialParams } from './subscription-time';

/**
 * `/v1/subscriptions`: create (the first invoice charged as `payment_behavior` says),
 * update, cancel (`DELETE`), retrieve, list; what each does is in
 * `billing/subscription-lifecycle.ts`. One price per subscription, as in the flows.
 */

/** Behaviour the sandbox does not model, refused by name. */
const NOT_MODELLED: Readonly<Record<string, string>> = {
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

/** What both create and update take. */
const COMMON_PARAMS = [
  ...Object.keys(NOT_MODELLED),
  ...TRIAL_PARAMS,
  ...ACCEPTED,
  'items',
  'metadata',
  'description',
  'default_payment_method',
  'collection_method',
  'days_until_due',
  'payment_behavior',
  'cancel_at_period_end',
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

function refuseSubscriptionNotModelled(params: Params): void {
  refuseNotModelled(params, NOT_MODELLED);
  refuseAutomaticTax(params);
  if (params.boolean('trial_from_plan') === true)
    throw parameterNotModelled('trial_from_plan', 'trials');
  refuseDiscounts(params);
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

/** `items`: one item at most (the sandbox's subscriptions have one price). */
function singleItem(params: Params): Params | undefined {
  const items = params.hashes('items', ITEM_PARAMS) ?? [];
  if (items.length > 1) throw parameterNotModelled('items', 'more than one price per subscription');
  const [item] = items;
  if (item) refuseItemNotModelled(item, 0);
  return item;
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

/** The recurring, active price of a new subscription's one item. */
function subscribedPrice(context: ApiContext, item: Params): StripeObject {
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
  return price;
}

export const subscriptions = readEndpoints('subscription', '/v1/subscriptions', [
  'customer',
  'status',
  'price',
]);

/**
 * `POST /v1/subscriptions`: the subscription and its first invoice, collected as
 * `payment_behavior` says (`allow_incomplete`, the default; `error_if_incomplete`, a 402
 * and nothing created; `default_incomplete`, left for the client to pay).
 */
export const createSubscription: ApiHandler = (context) => {
  const params = new Params(context.raw, ['customer', 'currency', ...COMMON_PARAMS]);
  refuseSubscriptionNotModelled(params);
  const customer = requiredCustomer(context, params);
  // A customer on a test clock: the subscription lives on the clock's time.
  return atCustomerTime(context.state, customer.id as string, () =>
    createOn(context, params, customer),
  );
};

function createOn(context: ApiContext, params: Params, customer: StripeObject): StripeObject {
  const { state } = context;
  const item = singleItem(params);
  if (!item) throw parameterMissing('items');
  const price = subscribedPrice(context, item);
  const currency = params.string('currency')?.toLowerCase();
  if (currency !== undefined && currency !== price.currency)
    throw parameterInvalid('currency', `The price's currency is ${String(price.currency)}.`);
  const pmId = params.string('default_payment_method');
  const draft = draftSubscription(state, {
    customer,
    price,
    defaultPaymentMethod:
      pmId === undefined
        ? undefined
        : customerPaymentMethod(state, customer.id as string, pmId, 'default_payment_method'),
    paymentBehaviour: paymentBehaviour(params),
    collection: collection(params),
    quantity: item.integer('quantity', { min: 0, max: 999_999 }) ?? 1,
    metadata: mergeMetadata({}, params.metadata()),
    description: params.nullableString('description') ?? null,
    itemMetadata: mergeMetadata({}, item.metadata()),
    trial: trialParams(params),
  });
  draft.subscription.test_clock = customer.test_clock ?? null;
  draft.firstInvoice.test_clock = customer.test_clock ?? null;
  const cancelAtPeriodEnd = params.boolean('cancel_at_period_end') === true;
  return respond(
    context,
    startSubscription(state, draft, cancelAtPeriodEnd, context.origin),
    params,
  );
}

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

type Changes = { -readonly [K in keyof SubscriptionChanges]: SubscriptionChanges[K] };

/** `items[0]`: the existing item (`items[0][id]`), its quantity, price and metadata. */
function itemChanges(context: ApiContext, item: Params, sub: StripeObject, changes: Changes) {
  if (item.string('id') !== subscriptionItem(sub).id)
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

/**
 * `cancel_at_period_end` (which, as at Stripe, records the request in `canceled_at` and
 * `cancellation_details`) and `cancellation_details`.
 */
function cancellationFields(params: Params, sub: StripeObject): StripeObject {
  const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
  const details = cancellationDetails(params);
  if (cancelAtPeriodEnd === true && sub.cancel_at_period_end !== true) {
    return {
      cancel_at_period_end: true,
      cancel_at: subscriptionItem(sub).current_period_end,
      canceled_at: nowSeconds(),
      cancellation_details: {
        comment: details.comment ?? null,
        feedback: details.feedback ?? null,
        reason: 'cancellation_requested',
      },
    };
  }
  if (cancelAtPeriodEnd === false && sub.cancel_at_period_end === true) {
    return {
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
    };
  }
  if (Object.keys(details).length === 0) return {};
  return {
    cancellation_details: { ...(sub.cancellation_details as StripeObject), ...details },
  };
}

/**
 * `POST /v1/subscriptions/:id`: metadata, description, the default payment method,
 * collection, the item's price, quantity and metadata (`items[0][id]` names it), and
 * `cancel_at_period_end`. One `customer.subscription.updated` with what changed.
 */
export const updateSubscriptionEndpoint: ApiHandler = (context) => {
  const { state } = context;
  const params = new Params(context.raw, [...COMMON_PARAMS, 'cancellation_details']);
  refuseSubscriptionNotModelled(params);
  refuseTrialChanges(params);
  const sub = requireObject(context, 'subscription', pathParam(context, 'id'));
  if (params.has('payment_behavior')) paymentBehaviour(params);
  const changes: Changes = {};
  const fields: Record<string, unknown> = { ...collection(params, sub) };
  const item = singleItem(params);
  if (item) itemChanges(context, item, sub, changes);
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
  changes.fields = { ...fields, ...cancellationFields(params, sub) };
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
