import type { AuthenticatedUser } from '../../core/auth';
import { notFound } from '../../core/errors';
import { type CustomerRepository, isMapped } from '../../domain/customer';
import { type StripeGateway, StripeCustomerMissingError } from '../../domain/stripe-gateway';

export interface PortalDependencies {
  readonly customers: CustomerRepository;
  readonly stripe: Pick<StripeGateway, 'createPortalSession'>;
}

const NO_CUSTOMER = 'You have no billing account yet: check out first.';

/**
 * A billing portal session for the user's Stripe customer. A user who never checked out
 * has no customer (404 `no_customer`); the portal never creates one.
 */
export async function createPortalSession(
  deps: PortalDependencies,
  user: AuthenticatedUser,
  returnUrl: string,
): Promise<{ url: string }> {
  const mapping = await deps.customers.get(user.userId);
  // A reservation without a customer yet is a checkout still under way: nothing to manage.
  if (!isMapped(mapping)) throw notFound(NO_CUSTOMER, 'no_customer');
  try {
    return {
      url: await deps.stripe.createPortalSession({
        customerId: mapping.stripeCustomerId,
        returnUrl,
      }),
    };
  } catch (error) {
    // A customer deleted at Stripe has no billing history left to manage.
    if (error instanceof StripeCustomerMissingError) throw notFound(NO_CUSTOMER, 'no_customer');
    throw error;
  }
}
