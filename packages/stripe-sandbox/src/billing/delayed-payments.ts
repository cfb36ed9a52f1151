import { invalidRequest } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { newPaymentIntent } from '../objects/payment-intents';
import { applyUpdates } from '../objects/updates';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';
import { customerDetails, ensureCustomer, openSession } from './checkout-completion';

/**
 * Delayed payment methods in Checkout (a bank debit that settles days later): the buyer
 * completes the session, whose payment is still `processing`
 * (`checkout.session.completed` with `payment_status: unpaid`); when the payment settles,
 * `checkout.session.async_payment_succeeded` (`paid`) or `…_failed` follows.
 */

/** The delayed method the sandbox stands for: a US bank account debit. */
const DELAYED_METHOD = 'us_bank_account';

/** Completes an open payment-mode session with a delayed payment, still processing. */
export function completeWithDelayedPayment(
  state: SandboxState,
  sessionId: string,
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const { session, details } = openSession(state, sessionId);
  if (session.mode !== 'payment') {
    throw invalidRequest(
      'The sandbox models delayed payment methods in payment mode only.',
      null,
      'outcome',
    );
  }
  const customerId = ensureCustomer(state, session, null, origin);
  const customer = state.store.get('customer', customerId);
  const intent = newPaymentIntent({
    amount: session.amount_total as number,
    currency: session.currency as string,
    customer: customerId,
    metadata: { ...details.paymentIntentMetadata },
    ...details.paymentIntentFields,
    payment_method_types: [DELAYED_METHOD],
    payment_method: stripeId('pm'),
    status: 'processing',
    processing: null,
  });
  state.store.put('payment_intent', intent);
  session.payment_intent = intent.id;
  state.emit('payment_intent.processing', intent, origin);
  const email =
    (customer?.email as string | null | undefined) ?? (session.customer_email as string | null);
  applyUpdates(session, {
    status: 'complete',
    payment_status: 'unpaid',
    payment_method_types: [DELAYED_METHOD],
    customer_details: customerDetails(email, null),
  });
  state.emit('checkout.session.completed', session, origin);
  return session;
}

/** The completed session whose delayed payment is still processing, and that payment. */
function processingPayment(state: SandboxState, sessionId: string) {
  const session = state.store.get('checkout.session', sessionId);
  const intentId = session?.payment_intent;
  const intent =
    typeof intentId === 'string' ? state.store.get('payment_intent', intentId) : undefined;
  if (!session || !intent || session.status !== 'complete' || intent.status !== 'processing') {
    throw invalidRequest(
      `Checkout Session ${sessionId} has no delayed payment still processing.`,
      'checkout_session_not_processing',
    );
  }
  return { session, intent };
}

/**
 * Settles a session's delayed payment: succeeded (`payment_intent.succeeded`, the session
 * `paid`, `checkout.session.async_payment_succeeded`) or failed
 * (`payment_intent.payment_failed`, `checkout.session.async_payment_failed`).
 */
export function settleDelayedPayment(
  state: SandboxState,
  sessionId: string,
  succeeded: boolean,
  origin: RequestOrigin = NO_REQUEST,
): StripeObject {
  const { session, intent } = processingPayment(state, sessionId);
  if (succeeded) {
    Object.assign(intent, {
      status: 'succeeded',
      amount_received: intent.amount,
      latest_charge: stripeId('ch'),
    });
    state.emit('payment_intent.succeeded', intent, origin);
    applyUpdates(session, { payment_status: 'paid' });
    state.emit('checkout.session.async_payment_succeeded', session, origin);
    return session;
  }
  Object.assign(intent, {
    status: 'requires_payment_method',
    payment_method: null,
    last_payment_error: {
      type: 'invalid_request_error',
      code: 'payment_method_provider_decline',
      message: 'The bank debit failed: the account has insufficient funds.',
      payment_method_type: DELAYED_METHOD,
    },
  });
  state.emit('payment_intent.payment_failed', intent, origin);
  state.emit('checkout.session.async_payment_failed', session, origin);
  return session;
}
