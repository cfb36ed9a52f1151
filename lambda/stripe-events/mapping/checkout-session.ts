import { BILLING_EVENT_TYPES, type BillingEventType } from '../../shared/billing-events';
import { CHECKOUT_SESSION, parsePayload } from '../payloads';
import { idOf, isoTime, OBJECT_PATH, type ObjectMapping } from './object-mapping';

/**
 * `checkout.session.*`: the session, and what it created (subscription, payment); whether
 * its payment is settled is `paymentStatus` (and `data.access`).
 */
export function checkoutSession(
  object: unknown,
  type: BillingEventType = BILLING_EVENT_TYPES.checkoutCompleted,
): ObjectMapping {
  const session = parsePayload(CHECKOUT_SESSION, object, OBJECT_PATH);
  const metadata = session.metadata ?? {};
  return {
    type,
    userId: metadata.userId ?? session.client_reference_id ?? null,
    stripeCustomerId: idOf(session.customer),
    data: {
      checkoutSessionId: session.id,
      mode: session.mode,
      status: session.status,
      paymentStatus: session.payment_status,
      customerId: idOf(session.customer),
      clientReferenceId: session.client_reference_id,
      priceId: metadata.priceId ?? null,
      subscriptionId: idOf(session.subscription),
      paymentIntentId: idOf(session.payment_intent),
      invoiceId: idOf(session.invoice),
      amountSubtotal: session.amount_subtotal,
      amountTotal: session.amount_total,
      currency: session.currency,
      createdAt: isoTime(session.created),
      metadata,
    },
  };
}
