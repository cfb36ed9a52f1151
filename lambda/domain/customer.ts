/** The one Stripe customer of an app user (contract: the customers table). */
export interface CustomerMapping {
  readonly userId: string;
  readonly stripeCustomerId: string;
  readonly email?: string;
  readonly role?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CustomerRepository {
  /** A strongly consistent read, so a mapping written a moment ago is seen. */
  get(userId: string): Promise<CustomerMapping | undefined>;
  /** Writes the mapping unless the user has one; false when another request won. */
  createIfAbsent(mapping: CustomerMapping): Promise<boolean>;
  /** Keeps email and role current. */
  updateContact(
    userId: string,
    contact: { email?: string; role?: string },
    now: string,
  ): Promise<void>;
  /** Points the mapping at a new customer, only if it still points at `from`. */
  replaceStripeCustomer(userId: string, from: string, to: string, now: string): Promise<boolean>;
}
