/** What the service asks of Stripe; the adapter speaks the stripe SDK. */
export interface StripeGateway {
  createCustomer(input: {
    readonly userId: string;
    readonly email?: string;
    readonly idempotencyKey: string;
  }): Promise<string>;
}

/** Stripe no longer has a customer the service mapped (deleted in the Dashboard, say). */
export class StripeCustomerMissingError extends Error {
  override readonly name = 'StripeCustomerMissingError';

  constructor(readonly stripeCustomerId: string) {
    super(`Stripe has no customer ${stripeCustomerId}.`);
  }
}
