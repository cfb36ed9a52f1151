import { invalidRequest } from '../http/errors';
import { nowSeconds } from '../objects/clock';
import type { StripeObject } from '../objects/fixtures';
import { DAY_SECONDS, subscriptionInvoice } from '../objects/invoices';
import { pricePeriodEnd, subscriptionItem } from '../objects/subscriptions';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';
import {
  chargeInvoice,
  defaultPaymentMethodFor,
  finalizeInvoice,
  invoicePaymentIntent,
} from './invoice-collection';

/**
 * What time does to a subscription (a test clock crossing its boundaries, or a resume): a
 * period ends and the next one's invoice is collected with the default payment method, a
 * failed payment is retried on a fixed schedule and, after the last attempt, the
 * subscription is canceled; a trial ends (paid, or as `trial_settings` says without a
 * payment method); notices come before (`customer.subscription.trial_will_end`,
 * `invoice.upcoming`). Every object is made at "now", the test clock's time.
 */

/** Days after a failed attempt before the next one: attempts 2, 3 and 4 (Stripe's are "smart"). */
export const RETRY_DAYS: readonly number[] = [3, 5, 7];
export const MAX_PAYMENT_ATTEMPTS = RETRY_DAYS.length + 1;
/** `customer.subscription.trial_will_end` comes this long before the trial ends, as at Stripe. */
export const TRIAL_WILL_END_SECONDS = 3 * DAY_SECONDS;

type Previous = Record<string, unknown>;

function emitUpdated(
  state: SandboxState,
  sub: StripeObject,
  previous: Previous,
  origin: RequestOrigin,
) {
  state.emit('customer.subscription.updated', sub, origin, previous);
}

function setStatus(state: SandboxState, sub: StripeObject, status: string, origin: RequestOrigin) {
  const previous = { status: sub.status };
  sub.status = status;
  emitUpdated(state, sub, previous, origin);
}

/** The subscription ends now (`customer.subscription.deleted`), for `reason` if given. */
function endNow(
  state: SandboxState,
  sub: StripeObject,
  origin: RequestOrigin,
  reason: string | null,
) {
  const now = nowSeconds();
  Object.assign(sub, { status: 'canceled', ended_at: now, canceled_at: sub.canceled_at ?? now });
  if (reason !== null) sub.cancellation_details = { comment: null, feedback: null, reason: reason };
  state.emit('customer.subscription.deleted', sub, origin);
}

/** The card that pays the subscription: its own default, else the customer's invoice default. */
export function subscriptionPaymentMethod(
  state: SandboxState,
  sub: StripeObject,
): StripeObject | undefined {
  const customer = state.store.get('customer', sub.customer as string);
  const id =
    (sub.default_payment_method as string | null) ??
    ((customer?.invoice_settings as StripeObject | undefined)?.default_payment_method as
      string | null | undefined) ??
    null;
  return id === null ? undefined : state.store.get('payment_method', id);
}

/** A draft invoice for the subscription's current period, to be finalized and collected. */
function cycleInvoice(state: SandboxState, sub: StripeObject): StripeObject {
  const customer = state.store.get('customer', sub.customer as string);
  const inv = subscriptionInvoice({
    subscription: sub,
    billingReason: 'subscription_cycle',
    paid: false,
    status: 'draft',
    customerEmail: (customer?.email as string | null | undefined) ?? null,
  });
  return Object.assign(inv, {
    auto_advance: true,
    collection_method: sub.collection_method,
    test_clock: sub.test_clock ?? null,
    due_date:
      sub.collection_method === 'send_invoice'
        ? nowSeconds() + (sub.days_until_due as number) * DAY_SECONDS
        : null,
  });
}

/** A payment attempt with no card to charge: the invoice's payment fails. */
function failWithoutPaymentMethod(
  state: SandboxState,
  inv: StripeObject,
  retryIn: number | null,
  origin: RequestOrigin,
) {
  invoicePaymentIntent(state, inv, origin);
  Object.assign(inv, {
    attempt_count: (inv.attempt_count as number) + 1,
    attempted: true,
    next_payment_attempt: retryIn === null ? null : nowSeconds() + retryIn,
  });
  state.emit('invoice.payment_failed', inv, origin);
}

/**
 * One attempt to pay the subscription's open invoice. Paid: a `past_due` subscription is
 * active again (`invoice-collection.ts`). Failed, declined or waiting for 3-D Secure:
 * `past_due`, retried per `RETRY_DAYS`; the last attempt failed, the subscription is
 * canceled (`cancellation_details.reason: payment_failed`) and the invoice stays open.
 */
export function attemptPayment(
  state: SandboxState,
  sub: StripeObject,
  inv: StripeObject,
  origin: RequestOrigin = NO_REQUEST,
): void {
  const attempt = (inv.attempt_count as number) + 1;
  const days = RETRY_DAYS[attempt - 1];
  const retryIn = days === undefined ? null : days * DAY_SECONDS;
  const pm = subscriptionPaymentMethod(state, sub) ?? defaultPaymentMethodFor(state, inv);
  if (pm && chargeInvoice(state, inv, pm, origin, retryIn).outcome === 'succeeded') return;
  if (!pm) failWithoutPaymentMethod(state, inv, retryIn, origin);
  if (retryIn === null) endNow(state, sub, origin, 'payment_failed');
  else if (sub.status !== 'past_due') setStatus(state, sub, 'past_due', origin);
}

/**
 * The next period starts at `start`: `customer.subscription.updated` (the period, the
 * latest invoice and `extra`'s old values), `invoice.created`, then (after `between`, if
 * given) the invoice is finalized and, charged automatically, paid or failed.
 */
function startNextPeriod(
  state: SandboxState,
  sub: StripeObject,
  options: {
    start: number;
    changes?: StripeObject;
    origin: RequestOrigin;
    between?: () => void;
  },
): StripeObject {
  const item = subscriptionItem(sub);
  const changes = options.changes ?? {};
  const previous: Previous = {
    items: structuredClone(sub.items),
    latest_invoice: sub.latest_invoice,
    ...Object.fromEntries(Object.keys(changes).map((key) => [key, structuredClone(sub[key])])),
  };
  item.current_period_start = options.start;
  item.current_period_end = pricePeriodEnd(item.price as StripeObject, options.start);
  Object.assign(sub, changes);
  const inv = cycleInvoice(state, sub);
  sub.latest_invoice = inv.id;
  state.store.put('invoice', inv);
  emitUpdated(state, sub, previous, options.origin);
  options.between?.();
  state.emit('invoice.created', inv, options.origin);
  const finalized = finalizeInvoice(state, inv, options.origin);
  if (finalized && inv.status === 'open' && sub.collection_method === 'charge_automatically')
    attemptPayment(state, sub, inv, options.origin);
  return inv;
}

/**
 * The trial ends: with a payment method (or `missing_payment_method: create_invoice`) the
 * first paid period starts and its invoice is collected (`active`, or `past_due` when it
 * fails); without one, `cancel` ends the subscription and `pause` pauses it
 * (`customer.subscription.updated`, then `customer.subscription.paused`).
 */
function endTrial(state: SandboxState, sub: StripeObject, origin: RequestOrigin): void {
  const settings = sub.trial_settings as { end_behavior?: { missing_payment_method?: string } };
  const behaviour = settings.end_behavior?.missing_payment_method ?? 'create_invoice';
  const pm = subscriptionPaymentMethod(state, sub);
  if (!pm && behaviour === 'cancel') {
    endNow(state, sub, origin, null);
    return;
  }
  if (!pm && behaviour === 'pause') {
    setStatus(state, sub, 'paused', origin);
    state.emit('customer.subscription.paused', sub, origin);
    return;
  }
  startNextPeriod(state, sub, {
    start: subscriptionItem(sub).current_period_end as number,
    changes: { status: 'active' },
    origin,
  });
}

/**
 * The current period ends (at "now", the test clock's time): a subscription set to cancel
 * then ends, a trial ends, any other live one renews. A paused subscription waits.
 */
export function endPeriod(
  state: SandboxState,
  sub: StripeObject,
  origin: RequestOrigin = NO_REQUEST,
): void {
  if (sub.cancel_at_period_end === true) endNow(state, sub, origin, null);
  else if (sub.status === 'trialing') endTrial(state, sub, origin);
  else if (sub.status === 'active' || sub.status === 'past_due') renew(state, sub, origin);
}

function renew(state: SandboxState, sub: StripeObject, origin: RequestOrigin): void {
  startNextPeriod(state, sub, {
    start: subscriptionItem(sub).current_period_end as number,
    origin,
  });
}

/**
 * `POST /v1/subscriptions/:id/resume` of a paused subscription: a new period starts now
 * (`billing_cycle_anchor: now`, no proration), `customer.subscription.updated` (status
 * `paused` -> `active`), `customer.subscription.resumed`, then its invoice is collected.
 */
export function resumeSubscription(
  state: SandboxState,
  sub: StripeObject,
  origin: RequestOrigin,
): StripeObject {
  if (sub.status !== 'paused')
    throw invalidRequest(
      `Only a paused subscription can be resumed; this one is ${String(sub.status)}.`,
      'subscription_not_paused',
    );
  const now = nowSeconds();
  startNextPeriod(state, sub, {
    start: now,
    changes: { status: 'active', billing_cycle_anchor: now },
    origin,
    between: () => state.emit('customer.subscription.resumed', sub, origin),
  });
  return sub;
}

/**
 * What the next renewal's invoice will be, for `invoice.upcoming`: an invoice with no
 * `id` (as Stripe sends it), for the next period, `billing_reason: upcoming`.
 */
export function upcomingInvoice(state: SandboxState, sub: StripeObject): StripeObject {
  const next = structuredClone(sub);
  const item = subscriptionItem(next);
  item.current_period_start = item.current_period_end;
  item.current_period_end = pricePeriodEnd(
    item.price as StripeObject,
    item.current_period_end as number,
  );
  const inv = cycleInvoice(state, next);
  delete inv.id;
  for (const line of (inv.lines as { data: StripeObject[] }).data) line.invoice = null;
  return Object.assign(inv, { billing_reason: 'upcoming', webhooks_delivered_at: null });
}
