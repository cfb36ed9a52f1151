/**
 * A user's row in the customers table (contract section 2). It is written before the
 * Stripe customer is created (a reservation, without `stripeCustomerId`) and completed with
 * the customer's id after, so a retry of an interrupted first checkout, however much later,
 * knows a customer may already exist at Stripe.
 */
export interface CustomerRecord {
  readonly userId: string;
  readonly stripeCustomerId?: string;
  readonly email?: string;
  readonly role?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The one Stripe customer of an app user: a completed record. */
export interface CustomerMapping extends CustomerRecord {
  readonly stripeCustomerId: string;
}

export const isMapped = (record: CustomerRecord | undefined): record is CustomerMapping =>
  typeof record?.stripeCustomerId === 'string';

export interface CustomerRepository {
  /** A strongly consistent read, so a record written a moment ago is seen. */
  get(userId: string): Promise<CustomerRecord | undefined>;
  /** Writes the record unless the user has one; false when another request won. */
  createIfAbsent(record: CustomerRecord): Promise<boolean>;
  /** Completes a reservation with its Stripe customer; false when it was already complete. */
  completeMapping(userId: string, stripeCustomerId: string, now: string): Promise<boolean>;
  /** Keeps email and role current. */
  updateContact(
    userId: string,
    contact: { email?: string; role?: string },
    now: string,
  ): Promise<void>;
  /** Points the mapping at a new customer, only if it still points at `from`. */
  replaceStripeCustomer(userId: string, from: string, to: string, now: string): Promise<boolean>;
}
