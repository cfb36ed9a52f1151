/** What the service asks of Stripe; the adapter speaks the stripe SDK. */
export interface StripeGateway {
  createCustomer(input: {
    readonly userId: string;
    readonly email?: string;
    readonly idempotencyKey: string;
  }): Promise<string>;
  /** A billing portal session's URL; throws StripeCustomerMissingError for a deleted customer. */
  createPortalSession(input: {
    readonly customerId: string;
    readonly returnUrl: string;
  }): Promise<string>;
  /** A Checkout Session, or undefined when Stripe has none with that id. */
  findCheckoutSession(id: string): Promise<CheckoutSessionView | undefined>;
}

/** What the service reads of a Checkout Session. */
export interface CheckoutSessionView {
  readonly id: string;
  readonly status: string | null;
  readonly paymentStatus: string;
  readonly mode: string;
  readonly clientReferenceId: string | null;
  readonly metadataUserId: string | undefined;
  readonly subscriptionId: string | null;
  readonly paymentIntentId: string | null;
}

/** Stripe no longer has a customer the service mapped (deleted in the Dashboard, say). */
export class StripeCustomerMissingError extends Error {
  override readonly name = 'StripeCustomerMissingError';

  constructor(readonly stripeCustomerId: string) {
    super(`Stripe has no customer ${stripeCustomerId}.`);
  }
}
