import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import type { RequestOrigin, SandboxState } from '../state/state';

/**
 * Stripe Entitlements in the sandbox: features (`feat_`), attached to products as product
 * features (`prodft_`), become a customer's active entitlements (`ent_`) while one of the
 * customer's subscriptions to such a product grants access. Whenever a customer's set
 * changes, the sandbox emits `entitlements.active_entitlement_summary.updated`, as Stripe
 * does, and the summary is delivered like every other event.
 *
 * Two fields are the sandbox's own and never shown: the product of a product feature and
 * the customer of an active entitlement (Stripe's objects do not carry them; `shown*`
 * strips them). Both are kept on the stored objects so a data directory keeps them too.
 */

/**
 * The subscription statuses that grant their products' features: Stripe keeps a
 * customer's entitlements while the subscription is live (trialing, active, and past due
 * while it retries the payment) and removes them when it ends (canceled, unpaid,
 * incomplete_expired) or never started (incomplete).
 */
const GRANTING_STATUSES: readonly string[] = ['active', 'trialing', 'past_due'];

/** What a summary embeds of the list: one page, as Stripe embeds lists in objects. */
const SUMMARY_PAGE_SIZE = 10;

export const ACTIVE_ENTITLEMENTS_URL = '/v1/entitlements/active_entitlements';

const PRODUCT = '_product';
const CUSTOMER = '_customer';

/** A product feature as Stripe shows it: the feature as it is now, embedded. */
export function shownProductFeature(state: SandboxState, stored: StripeObject): StripeObject {
  const feature = state.store.get('entitlements.feature', stored.entitlement_feature as string);
  return {
    id: stored.id,
    object: 'product_feature',
    entitlement_feature: structuredClone(feature),
    livemode: false,
  };
}

/** An active entitlement as Stripe shows it (without the customer it belongs to). */
export const shownEntitlement = (stored: StripeObject): StripeObject => ({
  id: stored.id,
  object: 'entitlements.active_entitlement',
  feature: stored.feature,
  livemode: false,
  lookup_key: stored.lookup_key,
});

export function newProductFeature(productId: string, featureId: string): StripeObject {
  return {
    id: stripeId('prodft', 24),
    object: 'product_feature',
    entitlement_feature: featureId,
    livemode: false,
    [PRODUCT]: productId,
  };
}

/** The product features of a product, oldest first. */
export const productFeaturesOf = (state: SandboxState, productId: string): StripeObject[] =>
  state.store
    .list('product_feature')
    .filter((pf) => pf[PRODUCT] === productId)
    .reverse();

export const isProductFeatureOf = (productFeature: StripeObject, productId: string): boolean =>
  productFeature[PRODUCT] === productId;

/** A customer's active entitlements, newest first (Stripe's list order). */
export const storedEntitlementsOf = (state: SandboxState, customerId: string): StripeObject[] =>
  state.store.list('entitlements.active_entitlement').filter((e) => e[CUSTOMER] === customerId);

const customerOf = (object: StripeObject): string | undefined => {
  const customer = object.customer;
  if (typeof customer === 'string') return customer;
  if (typeof customer === 'object' && customer !== null) return (customer as { id?: string }).id;
  return undefined;
};

const productsOfSubscription = (sub: StripeObject): string[] => {
  const items = (sub.items as { data?: StripeObject[] } | undefined)?.data ?? [];
  return items.flatMap((item) => {
    const product = (item.price as StripeObject | undefined)?.product;
    if (typeof product === 'string') return [product];
    if (typeof product === 'object' && product !== null) return [(product as { id: string }).id];
    return [];
  });
};

/** The features a customer's granting subscriptions give, each once, in a stable order. */
function grantedFeatures(state: SandboxState, customerId: string): StripeObject[] {
  const products = state.store
    .list('subscription')
    .reverse()
    .filter(
      (sub) => customerOf(sub) === customerId && GRANTING_STATUSES.includes(sub.status as string),
    )
    .flatMap(productsOfSubscription);
  const features = new Map<string, StripeObject>();
  for (const product of new Set(products)) {
    for (const pf of productFeaturesOf(state, product)) {
      const feature = state.store.get('entitlements.feature', pf.entitlement_feature as string);
      if (feature) features.set(feature.id as string, feature);
    }
  }
  return [...features.values()];
}

/** One page of entitlements as a list object, as a summary embeds it. */
const entitlementList = (entitlements: StripeObject[]): StripeObject => ({
  object: 'list',
  data: entitlements.slice(0, SUMMARY_PAGE_SIZE).map(shownEntitlement),
  has_more: entitlements.length > SUMMARY_PAGE_SIZE,
  url: ACTIVE_ENTITLEMENTS_URL,
});

/**
 * Recomputes a customer's active entitlements; when the set of features changed, stores
 * the new set (an entitlement that continues keeps its id) and emits
 * `entitlements.active_entitlement_summary.updated`, with the old list as
 * `previous_attributes.entitlements`.
 */
function refreshEntitlements(state: SandboxState, customerId: string, origin: RequestOrigin): void {
  const previous = storedEntitlementsOf(state, customerId);
  const byFeature = new Map(previous.map((e) => [e.feature as string, e]));
  const granted = grantedFeatures(state, customerId);
  const unchanged =
    granted.length === previous.length && granted.every((f) => byFeature.has(f.id as string));
  if (unchanged) return;
  const kept = new Set<string>();
  for (const feature of granted) {
    const existing = byFeature.get(feature.id as string);
    if (existing) {
      kept.add(existing.id as string);
      continue;
    }
    state.store.put('entitlements.active_entitlement', {
      id: stripeId('ent', 24),
      object: 'entitlements.active_entitlement',
      feature: feature.id,
      livemode: false,
      lookup_key: feature.lookup_key,
      [CUSTOMER]: customerId,
    });
  }
  for (const entitlement of previous) {
    if (!kept.has(entitlement.id as string))
      state.store.delete('entitlements.active_entitlement', entitlement.id as string);
  }
  const summary: StripeObject = {
    object: 'entitlements.active_entitlement_summary',
    customer: customerId,
    entitlements: entitlementList(storedEntitlementsOf(state, customerId)),
    livemode: false,
  };
  state.emit('entitlements.active_entitlement_summary.updated', summary, origin, {
    entitlements: entitlementList(previous),
  });
}

/** After any `customer.subscription.*` event: its customer's entitlements may have changed. */
export function refreshAfterSubscriptionEvent(
  state: SandboxState,
  type: string,
  object: StripeObject,
  origin: RequestOrigin,
): void {
  if (!type.startsWith('customer.subscription.')) return;
  const customerId = customerOf(object);
  if (customerId !== undefined) refreshEntitlements(state, customerId, origin);
}

/** After a product's features changed: every customer subscribed to it. */
export function refreshProductCustomers(
  state: SandboxState,
  productId: string,
  origin: RequestOrigin,
): void {
  const customers = state.store
    .list('subscription')
    .filter((sub) => productsOfSubscription(sub).includes(productId))
    .map(customerOf)
    .filter((id): id is string => id !== undefined);
  for (const customerId of new Set(customers)) refreshEntitlements(state, customerId, origin);
}
