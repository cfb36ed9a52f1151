import { type ApiHandler, pathParam } from '../resources/api-context';
import {
  invoice,
  paymentIntent,
  periodEnd,
  planFromPrice,
  subscriptionItem,
} from '../objects/invoices';
import { requireObject } from '../resources/prices';
import { invoiceLineTemplate } from '../resources/checkout-sessions';
import { parameterInvalid, resourceMissing, StripeApiError } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { nowSeconds } from '../objects/ids';
import { expand, LIST_PARAMS, listObject, withFields } from '../resources/listing';
import { mergeMetadata, Params } from '../http/params';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';
import type { ObjectKind } from '../state/store';

/** Retrieve and list endpoints of objects the sandbox creates in flows, filtered by fields. */
function readEndpoints(
  kind: ObjectKind,
  label: string,
  url: string,
  filters: string[],
): { retrieve: ApiHandler; list: ApiHandler } {
  return {
    retrieve: (context) => {
      const params = new Params(context.raw, []);
      return expand(
        requireObject(context, kind, pathParam(context, 'id'), label),
        params.expand(),
        context.state.store,
      );
    },
    list: (context) => {
      const params = new Params(context.raw, [...LIST_PARAMS, ...filters]);
      const values = Object.fromEntries(filters.map((f) => [f, params.string(f)] as const));
      const items = context.state.store.list(kind).filter(withFields(values));
      return expand(listObject(url, items, params), params.expand(), context.state.store);
    },
  };
}

export const paymentIntents = readEndpoints(
  'payment_intent',
  'payment_intent',
  '/v1/payment_intents',
  ['customer'],
);
export const subscriptions = readEndpoints('subscription', 'subscription', '/v1/subscriptions', [
  'customer',
  'status',
  'price',
]);
export const invoices = readEndpoints('invoice', 'invoice', '/v1/invoices', [
  'customer',
  'subscription',
  'status',
]);

function requireSubscription(state: SandboxState, id: string): StripeObject {
  const sub = state.store.get('subscription', id);
  if (!sub) throw resourceMissing('subscription', id);
  return sub;
}

function requireLive(sub: StripeObject): void {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `This subscription is ${sub.status as string}.`,
      'subscription_not_active',
    );
  }
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
  requireLive(sub);
  if (sub.cancel_at_period_end === true) return endAtPeriodEnd(state, sub, origin);
  const item = subscriptionItem(sub);
  const recurring = (item.price as StripeObject).recurring as {
    interval: string;
    interval_count: number;
  };
  const previous = { items: structuredClone(sub.items), latest_invoice: sub.latest_invoice };
  const start = item.current_period_end as number;
  item.current_period_start = start;
  item.current_period_end = periodEnd(start, recurring.interval, recurring.interval_count);
  const customer = state.store.get('customer', sub.customer as string);
  const cycle = invoice(
    {
      subscription: sub,
      billingReason: 'subscription_cycle',
      paid,
      customerEmail: (customer?.email as string | null | undefined) ?? null,
    },
    invoiceLineTemplate(),
  );
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

/**
 * The period ends on a subscription set to cancel then: it is canceled
 * (`customer.subscription.deleted`), keeping the `canceled_at` and
 * `cancellation_details` of the request, with `ended_at` now.
 */
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
  requireLive(sub);
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
  requireLive(sub);
  const previous: Record<string, unknown> = {};
  if (
    changes.quantity !== undefined ||
    changes.price !== undefined ||
    changes.itemMetadata !== undefined
  ) {
    const before = structuredClone(sub.items);
    const item = subscriptionItem(sub);
    if (changes.quantity !== undefined) item.quantity = changes.quantity;
    if (changes.price !== undefined) {
      const price = state.store.get('price', changes.price);
      if (price?.type !== 'recurring')
        throw parameterInvalid('price', `No such recurring price: ${changes.price}`);
      item.price = structuredClone(price);
      item.plan = planFromPrice(price);
    }
    if (changes.itemMetadata !== undefined)
      item.metadata = mergeMetadata(item.metadata as Record<string, string>, changes.itemMetadata);
    previous.items = before;
  }
  if (
    changes.cancelAtPeriodEnd !== undefined &&
    changes.cancelAtPeriodEnd !== sub.cancel_at_period_end
  ) {
    Object.assign(previous, {
      cancel_at_period_end: sub.cancel_at_period_end,
      cancel_at: sub.cancel_at,
    });
    sub.cancel_at_period_end = changes.cancelAtPeriodEnd;
    sub.cancel_at = changes.cancelAtPeriodEnd ? subscriptionItem(sub).current_period_end : null;
    if (!changes.cancelAtPeriodEnd)
      sub.cancellation_details = { comment: null, feedback: null, reason: null };
  }
  if (changes.metadata !== undefined) {
    const before = sub.metadata as Record<string, string>;
    const after = mergeMetadata(before, changes.metadata);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (key) => before[key] !== after[key],
    );
    if (changed.length > 0) {
      previous.metadata = Object.fromEntries(changed.map((key) => [key, before[key] ?? null]));
      sub.metadata = after;
    }
  }
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
  const sub = requireSubscription(state, id);
  if (sub.status !== 'incomplete') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `Only an incomplete subscription can expire (this one is ${String(sub.status)}).`,
    );
  }
  const now = nowSeconds();
  Object.assign(sub, { status: 'incomplete_expired', ended_at: now, canceled_at: now });
  state.emit('customer.subscription.deleted', sub, origin);
  return sub;
}
