import type { BillingEventType } from '../../shared/billing-events';
import { PAYMENT_INTENT, parsePayload } from '../payloads';
import { idOf, isoTime, OBJECT_PATH, type ObjectMapping } from './object-mapping';

/** `payment_intent.*`: the payment, its amounts and, when it failed, why. */
export function paymentIntent(type: BillingEventType, object: unknown): ObjectMapping {
  const pi = parsePayload(PAYMENT_INTENT, object, OBJECT_PATH);
  return {
    type,
    userId: pi.metadata.userId ?? null,
    stripeCustomerId: idOf(pi.customer),
    data: {
      paymentIntentId: pi.id,
      status: pi.status,
      amount: pi.amount,
      amountReceived: pi.amount_received,
      currency: pi.currency,
      customerId: idOf(pi.customer),
      priceId: pi.metadata.priceId ?? null,
      latestChargeId: idOf(pi.latest_charge),
      failureCode: pi.last_payment_error?.code ?? null,
      failureMessage: pi.last_payment_error?.message ?? null,
      nextActionType: pi.next_action?.type ?? null,
      createdAt: isoTime(pi.created),
      metadata: pi.metadata,
    },
  };
}
