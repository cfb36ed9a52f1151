import type { ActiveEntitlementRef, ActiveEntitlementSource } from '../domain/active-entitlements';
import type { StripeClientProvider } from './stripe-client-provider';

/**
 * A customer's active entitlements through the stripe SDK
 * (`entitlements.activeEntitlements.list`, auto-paginated, 100 a page). A failure is a
 * transient one, named in the log as Stripe's: the delivery is retried.
 */
export class StripeActiveEntitlementSource implements ActiveEntitlementSource {
  constructor(private readonly clients: StripeClientProvider) {}

  async current(stripeCustomerId: string, atMost: number): Promise<ActiveEntitlementRef[]> {
    const stripe = await this.clients.client();
    try {
      const entitlements = await stripe.entitlements.activeEntitlements
        .list({ customer: stripeCustomerId, limit: 100 })
        .autoPagingToArray({ limit: atMost });
      return entitlements.map((entitlement) => ({
        feature:
          typeof entitlement.feature === 'string' ? entitlement.feature : entitlement.feature.id,
        lookupKey: entitlement.lookup_key,
      }));
    } catch (error) {
      throw Object.assign(error as Error, {
        dependency: 'Stripe',
        operation: 'entitlements.activeEntitlements.list',
      });
    }
  }
}
