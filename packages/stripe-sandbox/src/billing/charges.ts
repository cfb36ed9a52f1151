import { invalidRequest } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import {
  applyCharge,
  type ChargeOptions,
  chargeEventType,
  type ChargeResult,
  chargeResult,
} from '../objects/payment-intents';
import type { RequestOrigin, SandboxState } from '../state/state';
import { attachPaymentMethod, cardOf } from './payment-methods';

/** Charging a payment intent: confirming it with a card, as the card decides. */

/** The statuses in which a payment intent may be confirmed (and still changed). */
export const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/** Stripe's 400 for an action the payment intent's status does not allow. */
export const unexpectedState = (message: string) =>
  invalidRequest(message, 'payment_intent_unexpected_state');

/** A card attached to another customer than the payment's cannot pay it. */
export function assertUsableBy(pm: StripeObject, customer: unknown): void {
  if (typeof pm.customer === 'string' && pm.customer !== customer) {
    throw invalidRequest(
      `The provided PaymentMethod belongs to the customer ${pm.customer}. Please include the customer in the \`customer\` parameter on the PaymentIntent.`,
      null,
      'payment_method',
    );
  }
}

/**
 * Confirms a payment intent with `pm`: charges its card, records the result and emits its
 * event (after `payment_method.attached` when `setup_future_usage` saves the card for the
 * customer). Returns the result; the caller decides whether a decline is an error.
 */
export function confirmPaymentIntent(
  state: SandboxState,
  intent: StripeObject,
  pm: StripeObject,
  options: ChargeOptions,
  origin: RequestOrigin,
): ChargeResult {
  if (!CONFIRMABLE.includes(intent.status as string)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  assertUsableBy(pm, intent.customer);
  const result = chargeResult(cardOf(state, pm), options);
  applyCharge(intent, result, pm, { manualCapture: intent.capture_method === 'manual' });
  const customer =
    typeof intent.customer === 'string' ? state.store.get('customer', intent.customer) : undefined;
  if (result.outcome === 'succeeded' && intent.setup_future_usage !== null && customer)
    attachPaymentMethod(state, pm, customer, origin);
  state.emit(chargeEventType(intent), intent, origin);
  return result;
}
