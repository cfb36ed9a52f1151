import type { CustomerRecord, CustomerRepository } from '../../lambda/domain/customer';
import { userKey } from '../../lambda/domain/stripe-identity';
import type { CatalogPrice, CatalogProduct } from '../../lambda/domain/catalog';
import { priceTerms } from '../../lambda/domain/catalog-sync';
import {
  type CheckoutSessionView,
  type CreatedCheckoutSession,
  type NewCheckoutSession,
  StripeCustomerMissingError,
  type StripeGateway,
  type StripePriceView,
} from '../../lambda/domain/stripe-gateway';

/** An in-memory customers table with the same conditional semantics as the DynamoDB adapter. */
export class InMemoryCustomers implements CustomerRepository {
  readonly rows = new Map<string, CustomerRecord>();
  /** Runs before a conditional write: lets a test slip a concurrent writer in. */
  beforeWrite: (() => void) | undefined;

  /** Seeds the mapping of a user who checked out before. */
  withMapping(userId: string, stripeCustomerId: string): this {
    this.rows.set(userId, { userId, stripeCustomerId, createdAt: 'seeded', updatedAt: 'seeded' });
    return this;
  }

  /** Seeds the reservation of a first checkout that stopped before its mapping was complete. */
  withReservation(userId: string, createdAt: string, email?: string): this {
    this.rows.set(userId, { userId, createdAt, updatedAt: createdAt, ...(email ? { email } : {}) });
    return this;
  }

  get(userId: string): Promise<CustomerRecord | undefined> {
    return Promise.resolve(this.rows.get(userId));
  }

  createIfAbsent(record: CustomerRecord): Promise<boolean> {
    this.beforeWrite?.();
    if (this.rows.has(record.userId)) return Promise.resolve(false);
    this.rows.set(record.userId, record);
    return Promise.resolve(true);
  }

  completeMapping(userId: string, stripeCustomerId: string, now: string): Promise<boolean> {
    this.beforeWrite?.();
    const row = this.rows.get(userId);
    if (!row || row.stripeCustomerId !== undefined) return Promise.resolve(false);
    this.rows.set(userId, { ...row, stripeCustomerId, updatedAt: now });
    return Promise.resolve(true);
  }

  updateContact(
    userId: string,
    contact: { email?: string; role?: string },
    now: string,
  ): Promise<void> {
    const row = this.rows.get(userId);
    // As DynamoDB's condition (attribute_exists) fails the update of a user with no record.
    if (!row) return Promise.reject(new Error(`The conditional request failed: no ${userId}`));
    this.rows.set(userId, { ...row, ...contact, updatedAt: now });
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

/**
 * Stripe for use-case tests: creations with idempotency keys (the same key gives the same
 * object), and a log of every call by kind, so a test can count them.
 */
export class FakeStripe implements StripeGateway {
  readonly calls: { userId: string; email?: string; idempotencyKey: string }[] = [];
  private readonly customersByKey = new Map<string, string>();
  private customersCreated = 0;
  /** Customers Stripe's search finds, by `metadata.userKey`. */
  readonly searchable = new Map<string, string>();
  readonly log: string[] = [];
  private readonly byKey = new Map<string, string>();
  readonly prices = new Map<string, StripePriceView>();
  readonly checkoutSessions: NewCheckoutSession[] = [];

  createCustomer(input: {
    userId: string;
    email?: string;
    idempotencyKey: string;
  }): Promise<string> {
    this.calls.push({
      userId: input.userId,
      ...(input.email !== undefined ? { email: input.email } : {}),
      idempotencyKey: input.idempotencyKey,
    });
    this.log.push('customers.create');
    let id = this.customersByKey.get(input.idempotencyKey);
    if (!id) {
      id = `cus_${String(++this.customersCreated)}`;
      this.customersByKey.set(input.idempotencyKey, id);
    }
    this.searchable.set(userKey(input.userId), id);
    return Promise.resolve(id);
  }

  findCustomerByUser(userId: string): Promise<string | undefined> {
    this.log.push('customers.search');
    return Promise.resolve(this.searchable.get(userKey(userId)));
  }

  /** Stripe forgetting its idempotency keys (it keeps them for 24 hours). */
  expireIdempotencyKeys(): void {
    this.byKey.clear();
    this.customersByKey.clear();
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

  createCheckoutSession(input: NewCheckoutSession): Promise<CreatedCheckoutSession> {
    this.log.push('checkout.sessions.create');
    if (this.deleted.has(input.customerId))
      return Promise.reject(new StripeCustomerMissingError(input.customerId));
    this.checkoutSessions.push(input);
    const id = `cs_test_${String(this.checkoutSessions.length)}`;
    return Promise.resolve({ id, url: `https://checkout.example/${id}`, paymentIntentId: null });
  }

  createProduct(input: { product: CatalogProduct; idempotencyKey: string }): Promise<string> {
    this.log.push('products.create');
    return Promise.resolve(this.idFor('prod', input.idempotencyKey));
  }

  createPrice(input: {
    price: CatalogPrice;
    stripeProductId: string;
    idempotencyKey: string;
  }): Promise<string> {
    this.log.push('prices.create');
    const id = this.idFor('price', input.idempotencyKey);
    if (!this.prices.has(id)) {
      this.prices.set(id, {
        id,
        stripeProductId: input.stripeProductId,
        active: true,
        terms: priceTerms(input.price),
      });
    }
    return Promise.resolve(id);
  }

  findPrice(stripePriceId: string): Promise<StripePriceView | undefined> {
    this.log.push('prices.retrieve');
    return Promise.resolve(this.prices.get(stripePriceId));
  }

  archivePrice(stripePriceId: string): Promise<void> {
    this.log.push('prices.update');
    const price = this.prices.get(stripePriceId);
    if (price) this.prices.set(stripePriceId, { ...price, active: false });
    return Promise.resolve();
  }

  private idFor(prefix: string, idempotencyKey: string): string {
    let id = this.byKey.get(idempotencyKey);
    if (!id) this.byKey.set(idempotencyKey, (id = `${prefix}_${String(this.byKey.size + 1)}`));
    return id;
  }
}
