import { completeCheckoutSession } from '../billing/checkout-completion';
import { completeWithDelayedPayment, settleDelayedPayment } from '../billing/delayed-payments';
import {
  CANCELLATION_REASONS,
  type CancellationReason,
  cancelSubscription,
  expireIncompleteSubscription,
  renewSubscription,
  updateSubscription,
} from '../billing/subscription-lifecycle';
import { parameterInvalid, resourceMissing } from '../http/errors';
import type { PaymentOutcome } from '../objects/payment-intents';
import type { SandboxState } from '../state/state';
import { bool, type ControlBody, type ControlResult, int, ok, str } from './control-messages';

/**
 * The flow controls: what a buyer or time would do at Stripe. A Checkout Session paid (or
 * declined, or waiting for 3-D Secure) as on the hosted page; a subscription renewed,
 * canceled, changed or expired.
 */

const OUTCOMES: readonly PaymentOutcome[] = ['succeeded', 'failed', 'requires_action'];

/** The routes of the flow controls; `:id` is the object's id. */
export const FLOW_CONTROLS = [
  'checkout/sessions/:id/complete',
  'checkout/sessions/:id/settle',
  'subscriptions/:id/renew',
  'subscriptions/:id/cancel',
  'subscriptions/:id/update',
  'subscriptions/:id/expire',
  'customers/:id/finalization-failure',
];

/** A session paid with `outcome`; `processing`: with a delayed method (a bank debit). */
function complete(state: SandboxState, id: string, body: ControlBody) {
  const outcome = str(body, 'outcome') ?? 'succeeded';
  if (outcome === 'processing') return completeWithDelayedPayment(state, id);
  if (!OUTCOMES.includes(outcome as PaymentOutcome)) {
    throw parameterInvalid(
      'outcome',
      `outcome must be one of ${[...OUTCOMES, 'processing'].join(', ')}`,
    );
  }
  return completeCheckoutSession(state, id, outcome as PaymentOutcome).session;
}

/**
 * The customer's invoices fail to finalize from now on (`invoice.finalization_failed`,
 * `last_finalization_error` with `code` and `message`), or again finalize (`clear`).
 */
function finalizationFailure(state: SandboxState, id: string, body: ControlBody) {
  if (!state.store.get('customer', id)) throw resourceMissing('customer', id);
  if (bool(body, 'clear') === true) state.finalizationFailures.delete(id);
  else
    state.finalizationFailures.set(id, {
      code: str(body, 'code') ?? 'customer_tax_location_invalid',
      message:
        str(body, 'message') ??
        "The customer's location isn't recognized. Automatic tax requires a valid address.",
    });
  return { customer: id, failing: state.finalizationFailures.get(id) ?? null };
}

function cancel(state: SandboxState, id: string, body: ControlBody) {
  const reason = (str(body, 'reason') ?? 'cancellation_requested') as CancellationReason;
  if (!CANCELLATION_REASONS.includes(reason))
    throw parameterInvalid('reason', `reason must be one of ${CANCELLATION_REASONS.join(', ')}`);
  return cancelSubscription(state, id, {
    atPeriodEnd: bool(body, 'at_period_end') ?? false,
    reason,
    comment: str(body, 'comment') ?? null,
  });
}

function update(state: SandboxState, id: string, body: ControlBody) {
  const changes: { quantity?: number; price?: string; cancelAtPeriodEnd?: boolean } = {};
  const quantity = int(body, 'quantity');
  const price = str(body, 'price');
  const cancelAtPeriodEnd = bool(body, 'cancel_at_period_end');
  if (quantity !== undefined) changes.quantity = quantity;
  if (price !== undefined) changes.price = price;
  if (cancelAtPeriodEnd !== undefined) changes.cancelAtPeriodEnd = cancelAtPeriodEnd;
  return updateSubscription(state, id, changes);
}

/** A flow control's answer, or undefined for a route it does not own. */
export function handleFlowControl(
  state: SandboxState,
  route: string,
  id: string,
  body: ControlBody,
): ControlResult | undefined {
  switch (route) {
    case 'POST checkout/sessions/:id/complete':
      return ok(complete(state, id, body));
    case 'POST checkout/sessions/:id/settle': {
      const outcome = str(body, 'outcome') ?? 'succeeded';
      if (outcome !== 'succeeded' && outcome !== 'failed')
        throw parameterInvalid('outcome', 'outcome must be succeeded or failed');
      return ok(settleDelayedPayment(state, id, outcome === 'succeeded'));
    }
    case 'POST subscriptions/:id/renew': {
      const outcome = str(body, 'outcome') ?? 'paid';
      if (outcome !== 'paid' && outcome !== 'failed')
        throw parameterInvalid('outcome', 'outcome must be paid or failed');
      return ok(renewSubscription(state, id, outcome === 'paid'));
    }
    case 'POST subscriptions/:id/cancel':
      return ok(cancel(state, id, body));
    case 'POST subscriptions/:id/update':
      return ok(update(state, id, body));
    case 'POST subscriptions/:id/expire':
      return ok(expireIncompleteSubscription(state, id));
    case 'POST customers/:id/finalization-failure':
      return ok(finalizationFailure(state, id, body));
    case 'POST billing-settings': {
      const days = int(body, 'upcoming_invoice_days');
      if (days !== undefined) {
        if (days < 1 || days > 45)
          throw parameterInvalid('upcoming_invoice_days', 'upcoming_invoice_days is 1 to 45');
        state.upcomingInvoiceDays = days;
      }
      return ok({ upcoming_invoice_days: state.upcomingInvoiceDays });
    }
    default:
      return undefined;
  }
}
