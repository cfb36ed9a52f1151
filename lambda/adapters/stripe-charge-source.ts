import type Stripe from 'stripe';
import type { ChargeStateSource } from '../domain/subscription-order';
import { isStripeError, type StripeClientProvider } from './stripe-client-provider';

/**
 * A charge as Stripe has it now, through the stripe SDK (loaded on first use: the pipeline
 * asks only to settle a same-second tie between a charge's refunds). A failure is a
 * transient one, named in the log as Stripe's.
 */
export class StripeChargeSource implements ChargeStateSource {
  constructor(private readonly clients: StripeClientProvider) {}

  async current(chargeId: string): Promise<Stripe.Charge | undefined> {
    const stripe = await this.clients.client();
    try {
      return await stripe.charges.retrieve(chargeId);
    } catch (error) {
      if (isStripeError(error) && error.code === 'resource_missing') return undefined;
      throw Object.assign(error as Error, { dependency: 'Stripe', operation: 'charges.retrieve' });
    }
  }
}
