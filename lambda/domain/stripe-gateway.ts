import type { CatalogPrice, CatalogProduct } from './catalog';

/** What the service asks of Stripe; the adapter speaks the stripe SDK. */
export interface StripeGateway {
  createCustomer(input: {
    readonly userId: string;
    readonly email?: string;
    readonly idempotencyKey: string;
  }): Promise<string>;
  /**
   * The user's customer, found by `metadata.userKey` through Stripe's search (eventually
   * consistent: only for a customer created long enough ago); undefined when there is none.
   */
  findCustomerByUser(userId: string): Promise<string | undefined>;
  /** A billing portal session's URL; throws StripeCustomerMissingError for a deleted customer. */
  createPortalSession(input: {
    readonly customerId: string;
    readonly returnUrl: string;
  }): Promise<string>;
  /** A Checkout Session, or undefined when Stripe has none with that id. */
  findCheckoutSession(id: string): Promise<CheckoutSessionView | undefined>;
  /** Creates a Checkout Session; throws StripeCustomerMissingError for a deleted customer. */
  createCheckoutSession(input: NewCheckoutSession): Promise<CreatedCheckoutSession>;
  /** A Stripe product for a catalog product, `metadata.productId` linking back. */
  createProduct(input: {
    readonly product: CatalogProduct;
    readonly idempotencyKey: string;
  }): Promise<string>;
  /**
   * A Stripe price for a catalog price, `metadata` linking back to the local ids, the local
   * price id as `lookup_key` (moved from any older price that had it).
   */
  createPrice(input: {
    readonly price: CatalogPrice;
    readonly stripeProductId: string;
    readonly idempotencyKey: string;
  }): Promise<string>;
  /** A Stripe price's terms (see `priceTerms`), or undefined when Stripe has no such price. */
  findPrice(stripePriceId: string): Promise<StripePriceView | undefined>;
  /** Archives a price: it stays valid for existing subscriptions but cannot be bought. */
  archivePrice(stripePriceId: string): Promise<void>;
}

export interface NewCheckoutSession {
  readonly mode: 'payment' | 'subscription';
  readonly customerId: string;
  readonly userId: string;
  /** The local price id, for metadata. */
  readonly priceId: string;
  readonly stripePriceId: string;
  readonly quantity: number;
  readonly successUrl: string;
  readonly cancelUrl: string;
}

export interface CreatedCheckoutSession {
  readonly id: string;
  readonly url: string;
  readonly paymentIntentId: string | null;
}

export interface StripePriceView {
  readonly id: string;
  readonly stripeProductId: string;
  readonly active: boolean;
  readonly terms: string;
}

/** What the service reads of a Checkout Session. */
export interface CheckoutSessionView {
  readonly id: string;
  readonly status: string | null;
  readonly paymentStatus: string;
  readonly mode: string;
  readonly clientReferenceId: string | null;
  readonly metadataUserId: string | undefined;
  readonly metadataUserKey: string | undefined;
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
