import { nowSeconds } from './clock';
import { fromFixture, type StripeObject } from './fixtures';
import { stripeId } from './ids';

/**
 * Charges and refunds: the charge a payment intent's successful payment made (its
 * `latest_charge`), and the refunds that give some or all of it back.
 */

/** The card details a charge shows of the payment method it was paid with. */
function cardPaymentDetails(pm: StripeObject | undefined): StripeObject {
  const card = (pm?.card ?? {}) as StripeObject;
  return {
    type: 'card',
    card: {
      amount_authorized: null,
      authorization_code: null,
      brand: card.brand ?? 'visa',
      checks: card.checks ?? null,
      country: card.country ?? 'US',
      exp_month: card.exp_month ?? null,
      exp_year: card.exp_year ?? null,
      extended_authorization: { status: 'disabled' },
      fingerprint: card.fingerprint ?? null,
      funding: card.funding ?? 'credit',
      incremental_authorization: { status: 'unavailable' },
      installments: null,
      last4: card.last4 ?? null,
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: card.brand ?? 'visa',
      network_token: { used: false },
      network_transaction_id: null,
      overcapture: { maximum_amount_capturable: 0, status: 'unavailable' },
      regulated_status: card.regulated_status ?? 'unregulated',
      three_d_secure: null,
      wallet: null,
    },
  };
}

/** What the card network said of a charge it approved. */
const AUTHORIZED = {
  advice_code: null,
  network_advice_code: null,
  network_decline_code: null,
  network_status: 'approved_by_network',
  reason: null,
  risk_level: 'normal',
  seller_message: 'Payment complete.',
  type: 'authorized',
};

/** The charge behind a paid payment intent, with the id its `latest_charge` names. */
export function chargeOf(intent: StripeObject, pm: StripeObject | undefined): StripeObject {
  const id = intent.latest_charge as string;
  return fromFixture('charge', {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: intent.amount_received,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    // The sandbox keeps no balance: no balance transactions.
    balance_transaction: null,
    billing_details: pm?.billing_details ?? null,
    calculated_statement_descriptor: 'SANDBOX',
    captured: true,
    created: nowSeconds(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: { ...(intent.metadata as Record<string, string>) },
    on_behalf_of: null,
    outcome: { ...AUTHORIZED },
    paid: true,
    payment_intent: intent.id,
    payment_method: intent.payment_method,
    payment_method_details: cardPaymentDetails(pm),
    receipt_email: intent.receipt_email ?? null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: {
      object: 'list',
      data: [],
      has_more: false,
      total_count: 0,
      url: `/v1/charges/${id}/refunds`,
    },
    review: null,
    shipping: intent.shipping ?? null,
    source: null,
    source_transfer: null,
    statement_descriptor: intent.statement_descriptor ?? null,
    statement_descriptor_suffix: intent.statement_descriptor_suffix ?? null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: intent.transfer_group ?? null,
  });
}

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

/** A card refund of `amount` of `charge`: it succeeds at once, as test-mode card refunds do. */
export function newRefund(
  charge: StripeObject,
  amount: number,
  fields: { readonly reason: string | null; readonly metadata: Record<string, string> },
): StripeObject {
  return fromFixture('refund', {
    id: stripeId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    customer: charge.customer ?? null,
    customer_account: null,
    destination_details: {
      card: {
        reference_status: 'pending',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    metadata: fields.metadata,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method ?? null,
    reason: fields.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  });
}

/** A refund recorded on its charge: `amount_refunded`, `refunded` when all of it is back, `refunds`. */
export function recordRefund(charge: StripeObject, refund: StripeObject): void {
  const refunded = (charge.amount_refunded as number) + (refund.amount as number);
  const list = charge.refunds as { data: StripeObject[]; total_count?: number };
  list.data.unshift(structuredClone(refund));
  list.total_count = list.data.length;
  Object.assign(charge, {
    amount_refunded: refunded,
    refunded: refunded >= (charge.amount as number),
  });
}
