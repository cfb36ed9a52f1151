import type Stripe from 'stripe';
import type { Harness } from './harness';

/** A recurring price whose product grants `lookupKeys`; the features by lookup key. */
export async function planWithFeatures(harness: Harness, lookupKeys: string[]) {
  const product = await harness.stripe.products.create({ name: 'Pro plan' });
  const price = await harness.stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1999,
    recurring: { interval: 'month' },
  });
  const features: Stripe.Entitlements.Feature[] = [];
  for (const key of lookupKeys) {
    const feature = await harness.stripe.entitlements.features.create({
      name: `Feature ${key}`,
      lookup_key: key,
    });
    await harness.stripe.products.createFeature(product.id, { entitlement_feature: feature.id });
    features.push(feature);
  }
  return { product, price, features };
}
