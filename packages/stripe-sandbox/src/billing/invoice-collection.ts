import { invalidRequest } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { DAY_SECONDS, invoiceNumber } from '../objects/invoices';
import { type ChargeResult, newPaymentIntent } from '../objects/payment-intents';
import { nowSeconds } from '../objects/clock';
import type { RequestOrigin, SandboxState } from '../state/state';
import { confirmPaymentIntent } from './charges';

/**
 * Collecting any invoice (one-off or a subscription's): finalizing it, paying it through a
 * payment intent charged to a card (as Stripe does), and what a paid invoice does to the
 * subscription waiting on it.
 */

export const NO_PAYMENT_METHOD_MESSAGE =
  'This customer has no attached payment source or default payment method. Please consider adding a default payment method.';

/** Stripe's 400 for changing an invoice that is no longer a draft. */
export function requireDraft(inv: StripeObject, action: string): void {
  if (inv.status !== 'draft') {
    throw invalidRequest(
      `You can only ${action} a draft invoice; this one is ${String(inv.status)}.`,
      'invoice_not_editable',
    );
  }
}

/** The subscription an invoice bills, if any. */
function subscriptionOf(state: SandboxState, inv: StripeObject): StripeObject | undefined {
  const subId = (inv.parent as { subscription_details?: { subscription?: string } } | null)
    ?.subscription_details?.subscription;
  return subId === undefined ? undefined : state.store.get('subscription', subId);
}

/**
 * Finalizes a draft (`invoice.finalized`): it gets its number and, when sent for payment,
 * its due date. An invoice with nothing to pay is paid at once (`invoice.paid`,
 * `invoice.payment_succeeded`). A customer set to fail finalization (the sandbox's
 * `finalization-failure` control) leaves it a draft with `last_finalization_error`
 * (`invoice.finalization_failed`): false.
 */
export function finalizeInvoice(
  state: SandboxState,
  inv: StripeObject,
  origin: RequestOrigin,
): boolean {
  requireDraft(inv, 'finalize');
  const failure = state.finalizationFailures.get(inv.customer as string);
  if (failure) {
    inv.last_finalization_error = { ...structuredClone(failure), type: 'invalid_request_error' };
    state.emit('invoice.finalization_failed', inv, origin);
    return false;
  }
  const now = nowSeconds();
  const transitions = inv.status_transitions as StripeObject;
  Object.assign(inv, {
    status: 'open',
    number: inv.number ?? invoiceNumber(inv.id as string),
    effective_at: inv.effective_at ?? now,
    webhooks_delivered_at: now,
    // Where Stripe's hosted invoice page would be (the sandbox serves no page there yet).
    hosted_invoice_url: inv.hosted_invoice_url ?? `${state.baseUrl}/invoice/${String(inv.id)}`,
    due_date:
      inv.collection_method === 'send_invoice' ? (inv.due_date ?? now + 30 * DAY_SECONDS) : null,
  });
  transitions.finalized_at = now;
  state.emit('invoice.finalized', inv, origin);
  if ((inv.amount_due as number) === 0) markPaid(state, inv, origin, true);
  return true;
}

/** The invoice is paid: `invoice.paid` (and `invoice.payment_succeeded` when a payment did it). */
export function markPaid(
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
  const sub = subscriptionOf(state, inv);
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
  /** When a failed charge is tried again, in seconds from now (null: never); 3 days unless given. */
  retryIn: number | null = 3 * DAY_SECONDS,
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
    inv.next_payment_attempt =
      inv.auto_advance === true && retryIn !== null ? nowSeconds() + retryIn : null;
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
  const sub = subscriptionOf(state, inv);
  const customer = state.store.get('customer', inv.customer as string);
  const id =
    (inv.default_payment_method as string | null) ??
    (sub?.default_payment_method as string | null | undefined) ??
    ((customer?.invoice_settings as StripeObject | undefined)?.default_payment_method as
      string | null | undefined) ??
    null;
  return id === null ? undefined : state.store.get('payment_method', id);
}
