import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../../lambda/shared/stripe-api-version';
import { SANDBOX_API_VERSION } from '../../../local/stripe-sandbox/server';

describe('the pinned Stripe API version', () => {
  it('is the version the pinned stripe package was built for', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });

  it('is what the sandbox answers in by default', () => {
    expect(SANDBOX_API_VERSION).toBe(STRIPE_API_VERSION);
  });
});
