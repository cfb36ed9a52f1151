import { type AccessPolicy, paymentAccess, subscriptionAccess } from '../../domain/access';
import type { BillingEventData } from '../../domain/billing-event';
import { BILLING_EVENT_TYPES } from '../../shared/billing-events';
import type { ObjectMapping } from './object-mapping';

/** Checkout's payment statuses that mean the money is in (or none was due). */
const SETTLED_CHECKOUT: readonly unknown[] = ['paid', 'no_payment_required'];

/**
 * The mapping with `data.access` (contract section 5) on every `subscription.*`,
 * `payment.*` and `checkout.*` billing event, decided from the normalised data by the one
 * rule (`lambda/domain/access.ts`) at the Stripe event's time `at`.
 */
export function withAccess(mapped: ObjectMapping, policy: AccessPolicy, at: Date): ObjectMapping {
  const { type, data } = mapped;
  if (type.startsWith('subscription.')) {
    const access = subscriptionAccess(
      {
        status: text(data, 'status'),
        currentPeriodStart: text(data, 'currentPeriodStart'),
        currentPeriodEnd: text(data, 'currentPeriodEnd'),
        cancelAtPeriodEnd: data.cancelAtPeriodEnd === true,
        cancelAt: typeof data.cancelAt === 'string' ? data.cancelAt : null,
      },
      policy,
      at,
    );
    return { ...mapped, data: { ...data, access } };
  }
  if (type === BILLING_EVENT_TYPES.paymentRefunded) {
    // A partial refund keeps the purchase (a goodwill refund); a full one takes it back.
    const access = paymentAccess(data.fullyRefunded !== true);
    return { ...mapped, data: { ...data, access } };
  }
  if (type.startsWith('payment.')) {
    return { ...mapped, data: { ...data, access: paymentAccess(data.status === 'succeeded') } };
  }
  if (type.startsWith('checkout.')) {
    const settled = SETTLED_CHECKOUT.includes(data.paymentStatus);
    return { ...mapped, data: { ...data, access: paymentAccess(settled) } };
  }
  return mapped;
}

/** A field the mapping always writes as a string (validated before). */
function text(data: BillingEventData, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') throw new Error(`data.${field} is not a string`);
  return value;
}
