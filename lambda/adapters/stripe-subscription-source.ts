import type Stripe from 'stripe';
import type { SubscriptionStateSource } from '../domain/subscription-order';
import { isStripeError, type StripeClientProvider } from './stripe-client-provider';

/**
 * A subscription as Stripe has it now, through the stripe SDK (loaded on first use: the
 * pipeline asks only to settle a same-second ordering tie). A failure is a transient one,
 * named in the log as Stripe's.
 */
export class StripeSubscriptionSource implements SubscriptionStateSource {
  constructor(private readonly clients: StripeClientProvider) {}

  async current(subscriptionId: string): Promise<Stripe.Subscription | undefined> {
    const stripe = await this.clients.client();
    try {
      return await stripe.subscriptions.retrieve(subscriptionId);
    } catch (error) {
      if (isStripeError(error) && error.code === 'resource_missing') return undefined;
      throw Object.assign(error as Error, {
        dependency: 'Stripe',
        operation: 'subscriptions.retrieve',
      });
    }
  }
}
