import { fixture, fromFixture, type StripeObject } from './fixtures';
import { nowSeconds } from './clock';
import { stripeId } from './ids';
import type { CardDispute } from './test-cards';

/** Disputes: a cardholder questioning a charge with their bank, as Stripe shows it. */

/** How long the seller has to answer (Stripe's test disputes give about three weeks). */
const RESPONSE_WINDOW_SECONDS = 21 * 24 * 3600;

/** The card network's reason code of each reason the test cards give (Visa's). */
const NETWORK_REASON_CODES: Record<CardDispute['reason'], string> = {
  fraudulent: '10.4',
  product_not_received: '13.1',
  general: '10.4',
};

/** The evidence fields Stripe takes (`evidence[...]`), all text or file ids here. */
export const EVIDENCE_FIELDS = Object.keys(fixture('dispute').evidence as StripeObject).filter(
  (name) => name !== 'enhanced_evidence',
);

/** A new dispute of `charge`, waiting for the seller's answer. */
export function newDispute(charge: StripeObject, dispute: CardDispute): StripeObject {
  const now = nowSeconds();
  const details = charge.payment_method_details as { card?: StripeObject } | null;
  const evidence = Object.fromEntries(EVIDENCE_FIELDS.map((name) => [name, null]));
  return fromFixture('dispute', {
    id: stripeId('dp'),
    object: 'dispute',
    amount: charge.amount,
    // The sandbox keeps no balance: no balance transactions.
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...evidence, enhanced_evidence: {} },
    evidence_details: {
      due_by: now + RESPONSE_WINDOW_SECONDS,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    // An inquiry can still be refunded; a chargeback has already taken the money back.
    is_charge_refundable: dispute.inquiry,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      type: 'card',
      card: {
        brand: details?.card?.brand ?? 'visa',
        case_type: dispute.inquiry ? 'inquiry' : 'chargeback',
        network_reason_code: NETWORK_REASON_CODES[dispute.reason],
      },
    },
    reason: dispute.reason,
    status: dispute.inquiry ? 'warning_needs_response' : 'needs_response',
  });
}

/** An inquiry (`warning_...` statuses) rather than a chargeback. */
export const isInquiry = (dispute: StripeObject): boolean =>
  String(dispute.status).startsWith('warning_');

/** The statuses in which a dispute still takes evidence. */
export const OPEN_DISPUTE_STATUSES = [
  'needs_response',
  'warning_needs_response',
  'under_review',
  'warning_under_review',
];
