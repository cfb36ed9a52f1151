import { BILLING_EVENT_TYPES } from '../../shared/billing-events';
import { CHARGE, parsePayload } from '../payloads';
import { idOf, isoTime, OBJECT_PATH, type ObjectMapping } from './object-mapping';

/**
 * `charge.refunded`: the payment, how much of it is refunded so far, and whether all of
 * it is. The purchase's local price and user come from the charge's metadata, which Stripe
 * copies from the payment intent the service created.
 */
export function chargeRefunded(object: unknown): ObjectMapping {
  const charge = parsePayload(CHARGE, object, OBJECT_PATH);
  return {
    type: BILLING_EVENT_TYPES.paymentRefunded,
    userId: charge.metadata.userId ?? null,
    stripeCustomerId: idOf(charge.customer),
    data: {
      chargeId: charge.id,
      paymentIntentId: idOf(charge.payment_intent),
      customerId: idOf(charge.customer),
      amount: charge.amount,
      amountRefunded: charge.amount_refunded,
      fullyRefunded: charge.refunded,
      currency: charge.currency,
      priceId: charge.metadata.priceId ?? null,
      createdAt: isoTime(charge.created),
      metadata: charge.metadata,
    },
  };
}
