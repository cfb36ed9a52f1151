import { createHash } from 'node:crypto';

/**
 * Stripe's test cards, by the name Stripe gives them: `pm_card_<name>` (a test
 * PaymentMethod), `tok_<name>` (a test token) and the card number itself all name one
 * card. What a card does when charged is Stripe's documented behaviour of that card.
 */

/** Why a charge on a card fails, as Stripe's card error says it. */
export interface CardDecline {
  readonly code: string;
  readonly declineCode: string;
  readonly message: string;
}

type CardBehaviour =
  /** Every charge succeeds. */
  | { readonly kind: 'succeeds' }
  /**
   * Every charge is declined. `attachable`: attaching the card to a customer still
   * succeeds (Stripe's `chargeCustomerFail`); other declining cards are declined on attach.
   */
  | { readonly kind: 'declines'; readonly decline: CardDecline; readonly attachable: boolean }
  /** Every payment needs 3-D Secure authentication (declined off-session). */
  | { readonly kind: 'requires_authentication' };

/**
 * The dispute a card's successful payment is followed by (Stripe's dispute test cards):
 * its reason, and whether it is an inquiry (a retrieval request, `warning_needs_response`)
 * rather than a chargeback (`needs_response`).
 */
export interface CardDispute {
  readonly reason: 'fraudulent' | 'product_not_received' | 'general';
  readonly inquiry: boolean;
}

export interface TestCard {
  readonly name: string;
  readonly number: string;
  readonly brand: string;
  readonly funding: 'credit' | 'debit' | 'prepaid';
  readonly country: string;
  readonly behaviour: CardBehaviour;
  /** The payment succeeds, then the cardholder disputes it. */
  readonly dispute?: CardDispute;
}

export const GENERIC_DECLINE: CardDecline = {
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};

/** Where Stripe documents a decline's code (`doc_url` of its card errors). */
export const declineDocUrl = (decline: CardDecline): string =>
  `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`;

/** Declined off-session because the bank wants the cardholder to authenticate. */
export const AUTHENTICATION_REQUIRED: CardDecline = {
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

const succeeds = { kind: 'succeeds' } as const;
const declines = (decline: CardDecline, attachable = false): CardBehaviour => ({
  kind: 'declines',
  decline,
  attachable,
});
const authenticates = { kind: 'requires_authentication' } as const;

const card = (
  name: string,
  number: string,
  brand: string,
  behaviour: CardBehaviour = succeeds,
  funding: TestCard['funding'] = 'credit',
): TestCard => ({ name, number, brand, funding, country: 'US', behaviour });

/** A card whose payments succeed and are then disputed. */
const disputed = (name: string, number: string, dispute: CardDispute): TestCard => ({
  ...card(name, number, 'visa'),
  dispute,
});

const TEST_CARDS: readonly TestCard[] = [
  card('visa', '4242424242424242', 'visa'),
  card('visa_debit', '4000056655665556', 'visa', succeeds, 'debit'),
  card('mastercard', '5555555555554444', 'mastercard'),
  card('mastercard_debit', '5200828282828210', 'mastercard', succeeds, 'debit'),
  card('mastercard_prepaid', '5105105105105100', 'mastercard', succeeds, 'prepaid'),
  card('amex', '378282246310005', 'amex'),
  card('discover', '6011111111111117', 'discover'),
  card('diners', '3056930009020004', 'diners'),
  card('jcb', '3566002020360505', 'jcb'),
  card('unionpay', '6200000000000005', 'unionpay'),
  card('chargeDeclined', '4000000000000002', 'visa', declines(GENERIC_DECLINE)),
  card(
    'chargeDeclinedInsufficientFunds',
    '4000000000009995',
    'visa',
    declines({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    }),
  ),
  card(
    'chargeDeclinedLostCard',
    '4000000000009987',
    'visa',
    declines({ ...GENERIC_DECLINE, declineCode: 'lost_card' }),
  ),
  card(
    'chargeDeclinedStolenCard',
    '4000000000009979',
    'visa',
    declines({ ...GENERIC_DECLINE, declineCode: 'stolen_card' }),
  ),
  card(
    'chargeDeclinedExpiredCard',
    '4000000000000069',
    'visa',
    declines({
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
    }),
  ),
  card(
    'chargeDeclinedIncorrectCvc',
    '4000000000000127',
    'visa',
    declines({
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
    }),
  ),
  card(
    'chargeDeclinedProcessingError',
    '4000000000000119',
    'visa',
    declines({
      code: 'processing_error',
      declineCode: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    }),
  ),
  card('chargeCustomerFail', '4000000000000341', 'visa', declines(GENERIC_DECLINE, true)),
  card('authenticationRequired', '4000002760003184', 'visa', authenticates),
  card('threeDSecureRequired', '4000000000003063', 'visa', authenticates),
  card('threeDSecure2Required', '4000000000003220', 'visa', authenticates),
  disputed('createDispute', '4000000000000259', { reason: 'fraudulent', inquiry: false }),
  disputed('createDisputeProductNotReceived', '4000000000002685', {
    reason: 'product_not_received',
    inquiry: false,
  }),
  disputed('createDisputeInquiry', '4000000000001976', { reason: 'general', inquiry: true }),
];

const BY_NAME = new Map(TEST_CARDS.map((c) => [c.name, c]));
const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));

/** The card Stripe names so (`visa`, `chargeDeclined`, ...). */
export const testCardNamed = (name: string): TestCard | undefined => BY_NAME.get(name);

/** The card `<prefix><name>` names, if it is one. */
const namedAfter = (prefix: string, id: string): TestCard | undefined =>
  id.startsWith(prefix) ? BY_NAME.get(id.slice(prefix.length)) : undefined;

/** The card a test PaymentMethod id (`pm_card_visa`) names, if it is one. */
export const testCardOfPaymentMethod = (id: string): TestCard | undefined =>
  namedAfter('pm_card_', id);

/** The card a test token (`tok_visa`) names, if it is one. */
export const testCardOfToken = (token: string): TestCard | undefined => namedAfter('tok_', token);

export const testCardOfNumber = (number: string): TestCard | undefined =>
  BY_NUMBER.get(number.replace(/[\s-]/g, ''));

/** A card's fingerprint: the same number always has the same one, as at Stripe. */
export const cardFingerprint = (number: string): string =>
  createHash('sha256')
    .update(`stripe-sandbox:${number}`)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16);
