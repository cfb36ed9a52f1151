import { invalidRequest, resourceMissing } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { subscriptionInvoice } from '../objects/invoices';
import {
  applyCharge,
  chargeEventType,
  type ChargeResult,
  chargeResult,
  newPaymentIntent,
  type PaymentOutcome,
} from '../objects/payment-intents';
import { newSubscription } from '../objects/subscriptions';
import { applyUpdates } from '../objects/updates';
import {
  NO_REQUEST,
  type RequestOrigin,
  type SandboxState,
  type SessionDetails,
} from '../state/state';
import { addCustomer } from './customers';
import { cardOf, resolvePaymentMethod } from './payment-methods';

/**
 * Paying a Checkout Session: what the hosted page's buttons, the payment page's confirm
 * and the complete control do. A paid session completes (and starts the subscription in
 * subscription mode); a declined card leaves it open; a card that needs 3-D Secure leaves
 * the payment waiting.
 */

/** The test card each outcome of the hosted page and the complete control pays with. */
const OUTCOME_CARDS: Readonly<Record<PaymentOutcome, string>> = {
  succeeded: 'pm_card_visa',
  failed: 'pm_card_chargeDeclined',
  requires_action: 'pm_card_authenticationRequired',
};

/** A session being paid: what each step of its completion works with. */
interface SessionPayment {
  readonly state: SandboxState;
  readonly session: StripeObject;
  readonly details: SessionDetails;
  /** The card paying, and what charging it does. */
  readonly pm: StripeObject;
  readonly result: ChargeResult;
  readonly customerId: string;
  readonly email: string | null;
  readonly origin: RequestOrigin;
}

/**
 * Completes an open session as the buyer's card decides: a payment method (the payment
 * page's confirm), or an outcome (the hosted page's buttons, the complete control), which
 * pays with the test card of that outcome. Returns the session and the charge's result.
 */
export function completeCheckoutSession(
  state: SandboxState,
  sessionId: string,
  payment: PaymentOutcome | StripeObject,
  origin: RequestOrigin = NO_REQUEST,
): { session: StripeObject; result: ChargeResult } {
  const { session, details } = openSession(state, sessionId);
  const pm =
    typeof payment === 'string'
      ? resolvePaymentMethod(state, OUTCOME_CARDS[payment], 'payment_method')
      : payment;
  const result = chargeResult(cardOf(state, pm), { offSession: false });
  const billing = pm.billing_details as StripeObject | null;
  const customerId = ensureCustomer(
    state,
    session,
    (billing?.email as string | null) ?? null,
    origin,
  );
  const customer = state.store.get('customer', customerId);
  const email =
    (customer?.email as string | null | undefined) ?? (session.customer_email as string | null);
  const paying: SessionPayment = { state, session, details, pm, result, customerId, email, origin };
  if (session.mode === 'payment') payForPayment(paying);
  else startSessionSubscription(paying);
  return { session, result };
}

export function openSession(
  state: SandboxState,
  sessionId: string,
): { session: StripeObject; details: SessionDetails } {
  const session = state.store.get('checkout.session', sessionId);
  const details = state.sessions.get(sessionId);
  if (!session || !details) throw resourceMissing('checkout.session', sessionId);
  if (session.status !== 'open') {
    throw invalidRequest(
      `This Checkout Session is ${String(session.status)}.`,
      'checkout_session_not_open',
    );
  }
  return { session, details };
}

/** Checkout creates a customer when the session was not given one. */
export function ensureCustomer(
  state: SandboxState,
  session: StripeObject,
  billingEmail: string | null,
  origin: RequestOrigin,
): string {
  if (typeof session.customer === 'string') return session.customer;
  const customer = addCustomer(
    state,
    {
      email: (session.customer_email as string | null | undefined) ?? billingEmail,
      metadata: {},
    },
    origin,
  );
  session.customer = customer.id;
  return customer.id as string;
}

/** The payment intent of the session's charge, as the card left it (stored, no event yet). */
function chargedIntent(paying: SessionPayment, fields: StripeObject): StripeObject {
  const { session, customerId } = paying;
  const intent = newPaymentIntent({
    amount: session.amount_total as number,
    currency: session.currency as string,
    customer: customerId,
    ...fields,
  });
  applyCharge(intent, paying.result, paying.pm);
  paying.state.store.put('payment_intent', intent);
  return intent;
}

/** The session is paid: `complete`, with what the buyer gave (`checkout.session.completed`). */
function complete(paying: SessionPayment): void {
  const { session } = paying;
  applyUpdates(session, {
    status: 'complete',
    payment_status: 'paid',
    customer_details: customerDetails(
      paying.email,
      paying.pm.billing_details as StripeObject | null,
    ),
  });
  paying.state.emit('checkout.session.completed', session, paying.origin);
}

/** Payment mode: the payment intent's event, then the session completed when it succeeded. */
function payForPayment(paying: SessionPayment): void {
  const { details } = paying;
  const intent = chargedIntent(paying, {
    metadata: { ...details.paymentIntentMetadata },
    ...details.paymentIntentFields,
  });
  paying.session.payment_intent = intent.id;
  paying.state.emit(chargeEventType(intent), intent, paying.origin);
  if (paying.result.outcome === 'succeeded') complete(paying);
}

/**
 * Subscription mode: the subscription and its first invoice (`customer.subscription.created`,
 * `invoice.payment_succeeded`, the session completed), or, waiting for 3-D Secure, an
 * incomplete one (`payment_intent.requires_action`). A declined card creates no
 * subscription (`payment_intent.payment_failed`); the buyer may retry.
 */
function startSessionSubscription(paying: SessionPayment): void {
  const { state, session, details, origin } = paying;
  const line = details.lineItems[0];
  const price = line ? state.store.get('price', line.price) : undefined;
  if (!line || !price) throw new Error(`Session ${String(session.id)} has no recurring price`);
  if (paying.result.outcome === 'failed') {
    const intent = chargedIntent(paying, { metadata: { ...details.subscriptionMetadata } });
    state.emit('payment_intent.payment_failed', intent, origin);
    return;
  }
  const paid = paying.result.outcome === 'succeeded';
  const sub = newSubscription({
    customer: paying.customerId,
    price,
    quantity: line.quantity,
    metadata: details.subscriptionMetadata,
    status: paid ? 'active' : 'incomplete',
  });
  const intent = chargedIntent(paying, { metadata: {}, description: 'Subscription creation' });
  const firstInvoice = subscriptionInvoice({
    subscription: sub,
    billingReason: 'subscription_create',
    paid,
    customerEmail: paying.email,
  });
  sub.latest_invoice = firstInvoice.id;
  state.store.put('subscription', sub);
  state.store.put('invoice', firstInvoice);
  state.emit('customer.subscription.created', sub, origin);
  if (paid) {
    state.emit('invoice.payment_succeeded', firstInvoice, origin);
    session.subscription = sub.id;
    session.invoice = firstInvoice.id;
    complete(paying);
  } else {
    session.subscription = sub.id;
    state.emit('payment_intent.requires_action', intent, origin);
  }
}

/** What the buyer gave: the email, and the card's billing name and address. */
export function customerDetails(email: string | null, billing: StripeObject | null): StripeObject {
  const address = billing?.address as StripeObject | null | undefined;
  return {
    address: address && Object.values(address).some((v) => v !== null) ? address : null,
    email,
    name: billing?.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
    business_name: null,
    individual_name: null,
  };
}
