import { nowSeconds } from './clock';
import { fromFixture, type StripeObject } from './fixtures';
import { stripeId } from './ids';
import {
  AUTHENTICATION_REQUIRED,
  type CardDecline,
  declineDocUrl,
  GENERIC_DECLINE,
  type TestCard,
} from './test-cards';

/** What a payment intent's charges do: its object, and how a charge attempt leaves it. */

export type PaymentOutcome = 'succeeded' | 'failed' | 'requires_action';

/** What Stripe keeps on a payment intent as it was given (`payment_intent_data` too). */
export const INTENT_STRING_FIELDS = [
  'description',
  'receipt_email',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_group',
];

/** `setup_future_usage`: the card is saved for payments with or without the customer. */
export const SETUP_FUTURE_USAGE = ['on_session', 'off_session'];

/** What one attempt to charge a card did. */
export type ChargeResult =
  | { readonly outcome: 'succeeded' }
  | { readonly outcome: 'failed'; readonly decline: CardDecline }
  | { readonly outcome: 'requires_action' };

/** The result a flow control's outcome stands for (a declined card: Stripe's generic decline). */
const chargeResultOf = (outcome: PaymentOutcome): ChargeResult =>
  outcome === 'failed' ? { outcome, decline: GENERIC_DECLINE } : { outcome };

export interface ChargeOptions {
  /** The customer is not present: a card that needs authentication is declined. */
  readonly offSession: boolean;
  /** Fail instead of waiting for authentication (`error_on_requires_action`). */
  readonly errorOnRequiresAction?: boolean;
}

/** What charging `card` does, as Stripe's test cards behave. */
export function chargeResult(card: TestCard, options: ChargeOptions): ChargeResult {
  const behaviour = card.behaviour;
  if (behaviour.kind === 'succeeds') return { outcome: 'succeeded' };
  if (behaviour.kind === 'declines') return { outcome: 'failed', decline: behaviour.decline };
  return options.offSession || options.errorOnRequiresAction === true
    ? { outcome: 'failed', decline: AUTHENTICATION_REQUIRED }
    : { outcome: 'requires_action' };
}

/** The event a payment intent's state after a charge attempt is announced with. */
export function chargeEventType(intent: StripeObject): string {
  switch (intent.status) {
    case 'succeeded':
      return 'payment_intent.succeeded';
    case 'requires_capture':
      return 'payment_intent.amount_capturable_updated';
    case 'requires_action':
      return 'payment_intent.requires_action';
    default:
      return 'payment_intent.payment_failed';
  }
}

interface PaymentIntentInput {
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly metadata: Record<string, string>;
  readonly outcome: PaymentOutcome;
  readonly description?: string | null;
}

/** A payment intent that has not been confirmed yet (`requires_payment_method`). */
export function newPaymentIntent(fields: StripeObject & { amount: number; currency: string }) {
  const id = stripeId('pi');
  return fromFixture('payment_intent', {
    id,
    object: 'payment_intent',
    amount_capturable: 0,
    amount_received: 0,
    customer: null,
    description: null,
    metadata: {},
    status: 'requires_payment_method',
    last_payment_error: null,
    next_action: null,
    latest_charge: null,
    payment_method: null,
    payment_method_types: ['card'],
    allowed_payment_method_types: null,
    client_secret: `${id}_secret_${stripeId('s').slice(2)}`,
    created: nowSeconds(),
    canceled_at: null,
    cancellation_reason: null,
    livemode: false,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    payment_method_configuration_details: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    transfer_data: null,
    transfer_group: null,
    on_behalf_of: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    excluded_payment_method_types: null,
    customer_account: null,
    ...fields,
  });
}

/**
 * What a confirmation attempt leaves on a payment intent: paid (or, with manual capture,
 * authorized), declined (`requires_payment_method`, the card in `last_payment_error`, no
 * payment method kept), or waiting for 3-D Secure (`requires_action`).
 */
export function applyCharge(
  intent: StripeObject,
  result: ChargeResult,
  paymentMethod: StripeObject | undefined,
  options: { readonly manualCapture?: boolean } = {},
): void {
  const amount = intent.amount as number;
  const pmId = (paymentMethod?.id as string | undefined) ?? stripeId('pm');
  if (result.outcome === 'succeeded') {
    const manual = options.manualCapture === true;
    Object.assign(intent, {
      status: manual ? 'requires_capture' : 'succeeded',
      amount_received: manual ? 0 : amount,
      amount_capturable: manual ? amount : 0,
      latest_charge: stripeId('ch'),
      payment_method: pmId,
      last_payment_error: null,
      next_action: null,
    });
  } else if (result.outcome === 'failed') {
    const { decline } = result;
    Object.assign(intent, {
      status: 'requires_payment_method',
      amount_received: 0,
      amount_capturable: 0,
      payment_method: null,
      next_action: null,
      last_payment_error: {
        type: 'card_error',
        code: decline.code,
        decline_code: decline.declineCode,
        message: decline.message,
        doc_url: declineDocUrl(decline),
        param: null,
        payment_method: paymentMethod ? structuredClone(paymentMethod) : null,
        payment_method_type: 'card',
      },
    });
  } else {
    Object.assign(intent, {
      status: 'requires_action',
      payment_method: pmId,
      last_payment_error: null,
      next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
    });
  }
}

/** A payment intent as a flow leaves it: created and confirmed with `outcome` (an id stands for the card). */
export function paymentIntent(input: PaymentIntentInput): StripeObject {
  const intent = newPaymentIntent({
    amount: input.amount,
    currency: input.currency,
    customer: input.customer,
    description: input.description ?? null,
    metadata: { ...input.metadata },
  });
  applyCharge(intent, chargeResultOf(input.outcome), undefined);
  return intent;
}
