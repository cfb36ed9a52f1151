import type { CustomerMapping, CustomerRepository } from '../../lambda/domain/customer';
import {
  type CheckoutSessionView,
  StripeCustomerMissingError,
  type StripeGateway,
} from '../../lambda/domain/stripe-gateway';

/** An in-memory customers table with the same conditional semantics as the DynamoDB adapter. */
export class InMemoryCustomers implements CustomerRepository {
  readonly rows = new Map<string, CustomerMapping>();
  /** Runs before a conditional write: lets a test slip a concurrent writer in. */
  beforeWrite: (() => void) | undefined;

  /** Seeds the mapping of a user who checked out before. */
  withMapping(userId: string, stripeCustomerId: string): this {
    this.rows.set(userId, { userId, stripeCustomerId, createdAt: 'seeded', updatedAt: 'seeded' });
    return this;
  }

  get(userId: string): Promise<CustomerMapping | undefined> {
    return Promise.resolve(this.rows.get(userId));
  }

  createIfAbsent(mapping: CustomerMapping): Promise<boolean> {
    this.beforeWrite?.();
    if (this.rows.has(mapping.userId)) return Promise.resolve(false);
    this.rows.set(mapping.userId, mapping);
    return Promise.resolve(true);
  }

  updateContact(
    userId: string,
    contact: { email?: string; role?: string },
    now: string,
  ): Promise<void> {
    const row = this.rows.get(userId);
    if (row) this.rows.set(userId, { ...row, ...contact, updatedAt: now });
    return Promise.resolve();
  }

  replaceStripeCustomer(userId: string, from: string, to: string, now: string): Promise<boolean> {
    this.beforeWrite?.();
    const row = this.rows.get(userId);
    if (row?.stripeCustomerId !== from) return Promise.resolve(false);
    this.rows.set(userId, { ...row, stripeCustomerId: to, updatedAt: now });
    return Promise.resolve(true);
  }
}

/** Stripe's customer creation with idempotency keys: the same key gives the same customer. */
export class FakeStripe implements StripeGateway {
  readonly calls: { userId: string; idempotencyKey: string }[] = [];
  private readonly byKey = new Map<string, string>();

  createCustomer(input: {
    userId: string;
    email?: string;
    idempotencyKey: string;
  }): Promise<string> {
    this.calls.push({ userId: input.userId, idempotencyKey: input.idempotencyKey });
    let id = this.byKey.get(input.idempotencyKey);
    if (!id) this.byKey.set(input.idempotencyKey, (id = `cus_${this.byKey.size + 1}`));
    return Promise.resolve(id);
  }

  /** Customers Stripe has deleted. */
  readonly deleted = new Set<string>();
  readonly sessions = new Map<string, CheckoutSessionView>();

  createPortalSession(input: { customerId: string; returnUrl: string }): Promise<string> {
    if (this.deleted.has(input.customerId))
      return Promise.reject(new StripeCustomerMissingError(input.customerId));
    return Promise.resolve(
      `https://billing.example/p/${input.customerId}?return=${encodeURIComponent(input.returnUrl)}`,
    );
  }

  findCheckoutSession(id: string): Promise<CheckoutSessionView | undefined> {
    return Promise.resolve(this.sessions.get(id));
  }
}
