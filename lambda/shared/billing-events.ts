/**
 * The billing event types published to SNS (contract section 5). Which Stripe event each
 * comes from is the mapping's table (`lambda/stripe-events/billing-event-mapping.ts`), which
 * also defines the Stripe event types the service handles.
 */
export const BILLING_EVENT_TYPES = {
  paymentSuccessful: 'payment.successful',
  paymentFailed: 'payment.failed',
  paymentActionRequired: 'payment.action_required',
  /** A charge refunded, in part or in full: `amountRefunded` so far, `fullyRefunded`. */
  paymentRefunded: 'payment.refunded',
  subscriptionCreated: 'subscription.created',
  subscriptionUpdated: 'subscription.updated',
  subscriptionCanceled: 'subscription.canceled',
  subscriptionExpired: 'subscription.expired',
  checkoutCompleted: 'checkout.completed',
  /** A Checkout Session expired unpaid: nothing was bought (`data.access` none). */
  checkoutExpired: 'checkout.expired',
  invoicePaid: 'invoice.paid',
  invoicePaymentFailed: 'invoice.payment_failed',
  /** A customer's active entitlements changed: `data.features` holds them all (full state). */
  entitlementsUpdated: 'entitlements.updated',
} as const;

export type BillingEventType = (typeof BILLING_EVENT_TYPES)[keyof typeof BILLING_EVENT_TYPES];

export const BILLING_EVENT_SCHEMA_VERSION = 1;
export const BILLING_EVENT_SOURCE = 'stripe';
