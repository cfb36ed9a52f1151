import type { AuthenticatedUser } from '../../core/auth';
import { notFound } from '../../core/errors';
import type { CatalogRepository } from '../../domain/catalog-repository';
import {
  type CreatedCheckoutSession,
  StripeCustomerMissingError,
  type StripeGateway,
} from '../../domain/stripe-gateway';
import {
  type CustomerDependencies,
  replaceMissingCustomer,
  stripeCustomerFrom,
} from './ensure-stripe-customer';
import { type PriceSyncDependencies, syncedStripePrice } from './sync-price';

export interface CheckoutDependencies extends CustomerDependencies, PriceSyncDependencies {
  readonly catalog: PriceSyncDependencies['catalog'] & Pick<CatalogRepository, 'getPrice'>;
  readonly stripe: PriceSyncDependencies['stripe'] &
    CustomerDependencies['stripe'] &
    Pick<StripeGateway, 'createCheckoutSession'>;
}

export interface CheckoutRequest {
  readonly priceId: string;
  /** Already checked against the redirect policy. */
  readonly successUrl: string;
  readonly cancelUrl: string;
  readonly quantity: number;
}

export interface CheckoutResult {
  readonly checkoutUrl: string;
  readonly checkoutSessionId: string;
  readonly paymentIntentId: string | null;
  readonly customerId: string;
}

/**
 * A Checkout Session for one catalog price. The three reads it needs (the customer
 * mapping, the price, its sync record) go out together; when the customer and the price
 * are already in Stripe, the session is the only Stripe call.
 */
export async function createCheckoutSession(
  deps: CheckoutDependencies,
  user: AuthenticatedUser,
  request: CheckoutRequest,
): Promise<CheckoutResult> {
  const [mapping, price, synced] = await Promise.all([
    deps.customers.get(user.userId),
    deps.catalog.getPrice(request.priceId),
    deps.catalogSync.get(request.priceId),
  ]);
  if (price?.active !== true) {
    throw notFound(`There is no active price ${request.priceId}.`, 'price_not_found');
  }
  const [customerId, stripePriceId] = await Promise.all([
    stripeCustomerFrom(deps, user, mapping),
    syncedStripePrice(deps, price, synced),
  ]);

  const open = (customer: string): Promise<CreatedCheckoutSession> =>
    deps.stripe.createCheckoutSession({
      mode: price.type === 'recurring' ? 'subscription' : 'payment',
      customerId: customer,
      userId: user.userId,
      priceId: price.priceId,
      stripePriceId,
      quantity: request.quantity,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
    });
  let customer = customerId;
  let session: CreatedCheckoutSession;
  try {
    session = await open(customer);
  } catch (error) {
    if (!(error instanceof StripeCustomerMissingError)) throw error;
    // The mapped customer was deleted at Stripe: heal the mapping, then try once more.
    customer = await replaceMissingCustomer(deps, user, error.stripeCustomerId);
    session = await open(customer);
  }
  return {
    checkoutUrl: session.url,
    checkoutSessionId: session.id,
    paymentIntentId: session.paymentIntentId,
    customerId: customer,
  };
}
