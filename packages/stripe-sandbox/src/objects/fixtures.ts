import stripeObjects from '../../fixtures/stripe-objects.json';

export type StripeObject = Record<string, unknown>;

/**
 * Stripe's own published example of each object (from Stripe's OpenAPI repository, MIT,
 * see fixtures/LICENSE-stripe-openapi at the package root). Every object the sandbox
 * returns starts as a copy of its fixture, so it carries every key Stripe's object has,
 * with Stripe's types; the sandbox then sets what it models and clears what would be
 * misleading. Imported, not read from disk, so a bundle (esbuild) carries it along.
 */
const FIXTURES = stripeObjects as unknown as Record<string, StripeObject>;

type FixtureName =
  | 'customer'
  | 'deleted_customer'
  | 'product'
  | 'price'
  | 'checkout.session'
  | 'billing_portal.session'
  | 'payment_intent'
  | 'subscription'
  | 'subscription_item'
  | 'invoice'
  | 'invoiceitem'
  | 'payment_method'
  | 'event'
  | 'charge'
  | 'refund'
  | 'dispute';

export function fixture(name: FixtureName): StripeObject {
  const value = FIXTURES[name];
  if (!value) throw new Error(`No fixture for ${name}`);
  return structuredClone(value);
}

/** The fixture with `overrides` applied on top (top-level keys only). */
export const fromFixture = (name: FixtureName, overrides: StripeObject): StripeObject => ({
  ...fixture(name),
  ...overrides,
});
