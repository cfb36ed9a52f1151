import {
  cardError,
  invalidRequest,
  parameterInvalid,
  resourceMissing,
  StripeApiError,
} from '../http/errors';
import { mergeMetadata } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { firstSubscriptionInvoice, subscriptionInvoice } from '../objects/invoices';
import { type ChargeResult, chargeResult, paymentIntent } from '../objects/payment-intents';
import {
  newSubscription,
  planFromPrice,
  pricePeriodEnd,
  subscriptionItem,
} from '../objects/subscriptions';
import { nowSeconds } from '../objects/clock';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';
import {
  chargeInvoice,
  defaultPaymentMethodFor,
  finalizeInvoice,
  invoicePaymentIntent,
  NO_PAYMENT_METHOD_MESSAGE,
} from './invoice-collection';
import { cardOf } from './payment-methods';
import { startTrial, type Trial, zeroTrialInvoice } from './trials';

/**
 * A subscription's life, whoever drives it (the API, a test control, the portal page): it
 * starts with its first invoice collected (or a trial), renews each period, changes, is
 * canceled (now or at the period end) or, never paid, expires, in Stripe's events and order.
 * (A paid invoice reactivating it: `invoice-collection.ts`; a Checkout Session starting
 * one: `checkout-completion.ts`; time on a test clock: `subscription-cycles.ts`.)
 */

/** The subscription; `live`: it must not have ended (Stripe refuses to change an ended one). */
function requireSubscription(state: SandboxState, id: string, live = true): StripeObject {
  const sub = state.store.get('subscription', id);
  if (!sub) throw resourceMissing('subscription', id);
  if (live && (sub.status === 'canceled' || sub.status === 'incomplete_expired'))
    throw invalidRequest(
      `This subscription is ${sub.status as string}.`,
      'subscription_not_active',
    );
  return sub;
}

/** What a subscription created through the API is made of, its parameters read. */
interface NewSubscription {
  readonly customer: StripeObject;
  readonly price: StripeObject;
  readonly quantity: number;
  readonly metadata: Record<string, string>;
  readonly description: string | null;
  readonly itemMetadata: Record<string, string>;
  readonly defaultPaymentMethod: StripeObject | undefined;
  /** `collection_method` and `days_until_due`, as given. */
  readonly collection: StripeObject;
  /** `payment_behavior`: `allow_incomplete`, `error_if_incomplete` or `default_incomplete`. */
  readonly paymentBehaviour: string;
  /** A trial: no charge now (`trialing`, a first invoice of 0). */
  readonly trial?: Trial;
}

/** A new subscription and its first invoice, not stored yet, and the card that pays it. */
interface SubscriptionDraft {
  readonly subscription: StripeObject;
  readonly firstInvoice: StripeObject;
  readonly paymentMethod: StripeObject | undefined;
}

/** `error_if_incomplete`: a first payment that would not succeed is a 402, and nothing is created. */
function refuseIncompletePayment(pm: StripeObject | undefined, result: ChargeResult | undefined) {
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

/**
 * A subscription about to start, as `payment_behavior` says: `active` when its first
 * invoice is paid now (or owes nothing to collect now), else `incomplete`
 * (`allow_incomplete`, the default); `error_if_incomplete` refuses, creating nothing.
 * `default_incomplete` leaves the invoice for the client to pay; `send_invoice`
 * subscriptions are active, their invoice open until paid.
 */
export function draftSubscription(state: SandboxState, input: NewSubscription): SubscriptionDraft {
  const chargesNow =
    input.trial === undefined &&
    (input.collection.collection_method ?? 'charge_automatically') === 'charge_automatically' &&
    input.paymentBehaviour !== 'default_incomplete' &&
    (input.price.unit_amount as number) * input.quantity > 0;
  const sub = newSubscription({
    customer: input.customer.id as string,
    price: input.price,
    quantity: input.quantity,
    metadata: input.metadata,
    status: 'incomplete',
  });
  Object.assign(sub, {
    description: input.description,
    default_payment_method: input.defaultPaymentMethod ? input.defaultPaymentMethod.id : null,
    collection_method: 'charge_automatically',
    ...input.collection,
  });
  subscriptionItem(sub).metadata = input.itemMetadata;
  if (input.trial) startTrial(sub, input.trial);
  const first = firstSubscriptionInvoice(sub, (input.customer.email as string | null) ?? null);
  if (input.trial) zeroTrialInvoice(first, sub);
  const pm = chargesNow ? defaultPaymentMethodFor(state, first) : undefined;
  // Known before anything is created: what the first charge will do.
  const result = pm ? chargeResult(cardOf(state, pm), { offSession: false }) : undefined;
  if (input.paymentBehaviour === 'error_if_incomplete' && chargesNow)
    refuseIncompletePayment(pm, result);
  const activeNow = !chargesNow
    ? input.paymentBehaviour !== 'default_incomplete' || (first.amount_due as number) === 0
    : result?.outcome === 'succeeded';
  if (activeNow && !input.trial) sub.status = 'active';
  return { subscription: sub, firstInvoice: first, paymentMethod: pm };
}

/**
 * Starts a drafted subscription and collects its first invoice as Stripe does:
 * `customer.subscription.created`, `invoice.created`, `invoice.finalized`, then the
 * payment's events (`payment_intent.created` and `.succeeded`, `invoice.paid`,
 * `invoice.payment_succeeded`; or the decline's or the authentication's).
 */
export function startSubscription(
  state: SandboxState,
  draft: SubscriptionDraft,
  cancelAtPeriodEnd: boolean,
  origin: RequestOrigin,
): StripeObject {
  const { subscription: sub, firstInvoice: first, paymentMethod: pm } = draft;
  if (cancelAtPeriodEnd) {
    Object.assign(sub, {
      cancel_at_period_end: true,
      cancel_at: subscriptionItem(sub).current_period_end,
    });
  }
  sub.latest_invoice = first.id;
  state.store.put('subscription', sub);
  state.store.put('invoice', first);
  state.emit('customer.subscription.created', sub, origin);
  state.emit('invoice.created', first, origin);
  finalizeInvoice(state, first, origin);
  if (first.status === 'open' && sub.collection_method === 'charge_automatically') {
    if (pm) chargeInvoice(state, first, pm, origin);
    else invoicePaymentIntent(state, first, origin);
  }
  return sub;
}

/**
 * A renewal at the period's end, in Stripe's steps: the period advances
 * (`customer.subscription.updated`), the cycle invoice is paid
 * (`invoice.payment_succeeded`) or its payment fails (`payment_intent.payment_failed`,
 * `invoice.payment_failed`, then a second `customer.subscription.updated` to `past_due`).
 * Two updates of one subscription, usually in the same second: what an ordering test
 * needs. A subscription set to cancel at the period end ends instead.
 */
export function renewSubscription(
  state: SandboxState,
  id: string,
  paid: boolean,
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const sub = requireSubscription(state, id);
  if (sub.cancel_at_period_end === true) return endAtPeriodEnd(state, sub, origin);
  const item = subscriptionItem(sub);
  const previous = { items: structuredClone(sub.items), latest_invoice: sub.latest_invoice };
  const start = item.current_period_end as number;
  item.current_period_start = start;
  item.current_period_end = pricePeriodEnd(item.price as StripeObject, start);
  const customer = state.store.get('customer', sub.customer as string);
  const cycle = subscriptionInvoice({
    subscription: sub,
    billingReason: 'subscription_cycle',
    paid,
    customerEmail: (customer?.email as string | null | undefined) ?? null,
  });
  const intent = paymentIntent({
    amount: cycle.amount_due as number,
    currency: cycle.currency as string,
    customer: sub.customer as string,
    metadata: {},
    outcome: paid ? 'succeeded' : 'failed',
    description: 'Subscription update',
  });
  state.store.put('invoice', cycle);
  state.store.put('payment_intent', intent);
  sub.latest_invoice = cycle.id;
  state.emit('customer.subscription.updated', sub, origin, previous);
  if (paid) {
    state.emit('invoice.payment_succeeded', cycle, origin);
    if (sub.status === 'past_due') setStatus(state, sub, 'active', origin);
  } else {
    state.emit('payment_intent.payment_failed', intent, origin);
    state.emit('invoice.payment_failed', cycle, origin);
    if (sub.status !== 'past_due') setStatus(state, sub, 'past_due', origin);
  }
  return cycle;
}

function setStatus(
  state: SandboxState,
  sub: StripeObject,
  status: string,
  origin: RequestOrigin,
): void {
  const previous = { status: sub.status };
  sub.status = status;
  state.emit('customer.subscription.updated', sub, origin, previous);
}

/** Set to cancel at the period's end: deleted, the request's `canceled_at` and details kept. */
function endAtPeriodEnd(state: SandboxState, sub: StripeObject, origin: RequestOrigin) {
  Object.assign(sub, { status: 'canceled', ended_at: nowSeconds() });
  state.emit('customer.subscription.deleted', sub, origin);
  return sub;
}

export const CANCELLATION_REASONS = [
  'cancellation_requested',
  'payment_failed',
  'payment_disputed',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/**
 * Cancels now (`customer.subscription.deleted`) or at the period end
 * (`customer.subscription.updated` with `cancel_at_period_end`), recording the reason in
 * `cancellation_details.reason` as Stripe does.
 */
export function cancelSubscription(
  state: SandboxState,
  id: string,
  options: {
    atPeriodEnd: boolean;
    reason: CancellationReason;
    comment?: string | null;
    feedback?: string | null;
  },
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const sub = requireSubscription(state, id);
  if (!CANCELLATION_REASONS.includes(options.reason))
    throw parameterInvalid('reason', `Invalid reason: ${options.reason}`);
  const now = nowSeconds();
  const details = {
    comment: options.comment ?? null,
    feedback: options.feedback ?? null,
    reason: options.reason,
  };
  if (options.atPeriodEnd) {
    const previous = {
      cancel_at_period_end: sub.cancel_at_period_end,
      cancel_at: sub.cancel_at,
      canceled_at: sub.canceled_at,
      cancellation_details: sub.cancellation_details,
    };
    Object.assign(sub, {
      cancel_at_period_end: true,
      cancel_at: subscriptionItem(sub).current_period_end,
      canceled_at: now,
      cancellation_details: details,
    });
    state.emit('customer.subscription.updated', sub, origin, previous);
    return sub;
  }
  Object.assign(sub, {
    status: 'canceled',
    canceled_at: now,
    ended_at: now,
    cancellation_details: details,
  });
  state.emit('customer.subscription.deleted', sub, origin);
  return sub;
}

export interface SubscriptionChanges {
  readonly quantity?: number;
  readonly price?: string;
  readonly cancelAtPeriodEnd?: boolean;
  /** The item's metadata, merged (the API's `items[0][metadata]`). */
  readonly itemMetadata?: Record<string, string | null> | null;
  /** The subscription's metadata, merged: `previous_attributes` names the changed keys. */
  readonly metadata?: Record<string, string | null> | null;
  /** Other top-level fields, set as given (`description`, `default_payment_method`, ...). */
  readonly fields?: Record<string, unknown>;
}

type Previous = Record<string, unknown>; // the old values of what changed

/** The item's quantity, price and metadata; `previous.items` is the items before. */
function changeItem(
  state: SandboxState,
  sub: StripeObject,
  changes: SubscriptionChanges,
  previous: Previous,
): void {
  const { quantity, price: priceId, itemMetadata } = changes;
  if (quantity === undefined && priceId === undefined && itemMetadata === undefined) return;
  const before = structuredClone(sub.items);
  const item = subscriptionItem(sub);
  if (quantity !== undefined) item.quantity = quantity;
  if (priceId !== undefined) {
    const price = state.store.get('price', priceId);
    if (price?.type !== 'recurring')
      throw parameterInvalid('price', `No such recurring price: ${priceId}`);
    item.price = structuredClone(price);
    item.plan = planFromPrice(price);
  }
  if (itemMetadata !== undefined)
    item.metadata = mergeMetadata(item.metadata as Record<string, string>, itemMetadata);
  previous.items = before;
}

/** `cancel_at_period_end` set or cleared (clearing it forgets the cancellation's details). */
function changeCancelAtPeriodEnd(sub: StripeObject, to: boolean | undefined, previous: Previous) {
  if (to === undefined || to === sub.cancel_at_period_end) return;
  Object.assign(previous, {
    cancel_at_period_end: sub.cancel_at_period_end,
    cancel_at: sub.cancel_at,
  });
  sub.cancel_at_period_end = to;
  sub.cancel_at = to ? subscriptionItem(sub).current_period_end : null;
  if (!to) sub.cancellation_details = { comment: null, feedback: null, reason: null };
}

/** Metadata merged; `previous.metadata` has only the changed keys (null for a key added). */
function changeMetadata(
  sub: StripeObject,
  update: SubscriptionChanges['metadata'],
  previous: Previous,
): void {
  if (update === undefined) return;
  const before = sub.metadata as Record<string, string>;
  const after = mergeMetadata(before, update);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => before[key] !== after[key],
  );
  if (changed.length === 0) return;
  previous.metadata = Object.fromEntries(changed.map((key) => [key, before[key] ?? null]));
  sub.metadata = after;
}

/**
 * Changes a subscription (`customer.subscription.updated`, with the changed attributes'
 * old values in `previous_attributes`); nothing changed, no event.
 */
export function updateSubscription(
  state: SandboxState,
  id: string,
  changes: SubscriptionChanges,
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const sub = requireSubscription(state, id);
  const previous: Previous = {};
  changeItem(state, sub, changes, previous);
  changeCancelAtPeriodEnd(sub, changes.cancelAtPeriodEnd, previous);
  changeMetadata(sub, changes.metadata, previous);
  for (const [field, value] of Object.entries(changes.fields ?? {})) {
    if (JSON.stringify(value) === JSON.stringify(sub[field])) continue;
    if (!(field in previous)) previous[field] = structuredClone(sub[field]);
    sub[field] = value;
  }
  if (Object.keys(previous).length > 0)
    state.emit('customer.subscription.updated', sub, origin, previous);
  return sub;
}

/** An incomplete subscription whose first payment never completed expires (deleted event). */
export function expireIncompleteSubscription(
  state: SandboxState,
  id: string,
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const sub = requireSubscription(state, id, false);
  if (sub.status !== 'incomplete') {
    throw invalidRequest(
      `Only an incomplete subscription can expire (this one is ${String(sub.status)}).`,
    );
  }
  const now = nowSeconds();
  Object.assign(sub, { status: 'incomplete_expired', ended_at: now, canceled_at: now });
  state.emit('customer.subscription.deleted', sub, origin);
  return sub;
}
