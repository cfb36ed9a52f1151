/**
 * The billing event types published to SNS and the Stripe event each comes from
 * (contract section 5). `customer.subscription.deleted` maps to one of two types,
 * decided by the webhook pipeline.
 */
export const BILLING_EVENT_TYPES = {
  paymentSuccessful: 'payment.successful',
  paymentFailed: 'payment.failed',
  paymentActionRequired: 'payment.action_required',
  subscriptionCreated: 'subscription.created',
  subscriptionUpdated: 'subscription.updated',
  subscriptionCanceled: 'subscription.canceled',
  subscriptionExpired: 'subscription.expired',
  checkoutCompleted: 'checkout.completed',
  invoicePaid: 'invoice.paid',
  invoicePaymentFailed: 'invoice.payment_failed',
} as const;

export type BillingEventType = (typeof BILLING_EVENT_TYPES)[keyof typeof BILLING_EVENT_TYPES];

/** The Stripe event types the webhook handles; the endpoint registered in Stripe sends these. */
export const HANDLED_STRIPE_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.requires_action',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'checkout.session.completed',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
] as const;

export type HandledStripeEventType = (typeof HANDLED_STRIPE_EVENT_TYPES)[number];

export const BILLING_EVENT_SCHEMA_VERSION = 1;
export const BILLING_EVENT_SOURCE = 'stripe';
