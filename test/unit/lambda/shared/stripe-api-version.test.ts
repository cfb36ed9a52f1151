import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../../../lambda/shared/stripe-api-version';
import { DEFAULT_API_VERSION as SANDBOX_API_VERSION } from 'stripe-sandbox';

describe('the pinned Stripe API version', () => {
  it('is the version the pinned stripe package was built for', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });

  it('is what the sandbox answers in by default', () => {
    expect(SANDBOX_API_VERSION).toBe(STRIPE_API_VERSION);
  });
});
