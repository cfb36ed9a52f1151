import {
  ACTIVE_ENTITLEMENTS_URL,
  isProductFeatureOf,
  newProductFeature,
  productFeaturesOf,
  refreshProductCustomers,
  shownEntitlement,
  shownProductFeature,
  storedEntitlementsOf,
} from '../billing/entitlements';
import { invalidRequest, parameterInvalid, resourceMissing } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject } from './listing';
import { requiredCustomer, requireObject, respond, retrieveLive } from './shared';

/**
 * Stripe Entitlements' endpoints: features (`/v1/entitlements/features`), a product's
 * features (`/v1/products/:id/features`) and a customer's active entitlements
 * (`/v1/entitlements/active_entitlements`). What grants an entitlement, and the summary
 * event, are in `billing/entitlements.ts`.
 */

/** Stripe's limit on a feature's `name` and `lookup_key`. */
const MAX_FEATURE_CHARS = 80;

function boundedString(params: Params, name: string, required: boolean): string | undefined {
  const value = required ? params.requiredString(name) : params.string(name);
  if (value !== undefined && value.length > MAX_FEATURE_CHARS)
    throw parameterInvalid(name, `${name} must be at most ${MAX_FEATURE_CHARS} characters.`);
  if (value === '') throw parameterInvalid(name, `${name} must not be empty.`);
  return value;
}

// ---- features ----------------------------------------------------------------------

export const createFeature: ApiHandler = (context) => {
  const params = new Params(context.raw, ['name', 'lookup_key', 'metadata']);
  const name = boundedString(params, 'name', true);
  const lookupKey = boundedString(params, 'lookup_key', true);
  // Unique among active features: an archived feature's key may be used again.
  const taken = context.state.store
    .list('entitlements.feature')
    .some((f) => f.active === true && f.lookup_key === lookupKey);
  if (taken) {
    throw invalidRequest(
      `A feature with lookup_key '${String(lookupKey)}' already exists.`,
      'resource_already_exists',
      'lookup_key',
    );
  }
  const feature: StripeObject = {
    id: stripeId('feat', 24),
    object: 'entitlements.feature',
    active: true,
    livemode: false,
    lookup_key: lookupKey,
    metadata: mergeMetadata({}, params.metadata()),
    name,
  };
  context.state.store.put('entitlements.feature', feature);
  return respond(context, feature, params);
};

export const retrieveFeature = retrieveLive('entitlements.feature', 'feature');

/**
 * Name, metadata and `active` (false archives it: it is no longer listed and cannot be
 * attached to products; existing attachments keep granting). An archived feature cannot
 * be changed any more, nor unarchived. The lookup key never changes.
 */
export const updateFeature: ApiHandler = (context) => {
  const params = new Params(context.raw, ['name', 'metadata', 'active']);
  const feature = requireObject(
    context,
    'entitlements.feature',
    pathParam(context, 'id'),
    'feature',
  );
  if (feature.active !== true) {
    throw invalidRequest(`The feature ${String(feature.id)} is archived and cannot be updated.`);
  }
  const name = boundedString(params, 'name', false);
  if (name !== undefined) feature.name = name;
  feature.metadata = mergeMetadata(feature.metadata as Record<string, string>, params.metadata());
  const active = params.boolean('active');
  if (active !== undefined) feature.active = active;
  return respond(context, feature, params);
};

/** Active features only, unless `archived=true` (then archived ones only). */
export const listFeatures: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'lookup_key', 'archived']);
  const archived = params.boolean('archived') ?? false;
  const lookupKey = params.string('lookup_key');
  const items = context.state.store
    .list('entitlements.feature')
    .filter(
      (f) => f.active === !archived && (lookupKey === undefined || f.lookup_key === lookupKey),
    );
  return respond(context, listObject('/v1/entitlements/features', items, params), params);
};

// ---- product features --------------------------------------------------------------

const productOf = (context: ApiContext): StripeObject =>
  requireObject(context, 'product', pathParam(context, 'id'), 'product');

export const createProductFeature: ApiHandler = (context) => {
  const params = new Params(context.raw, ['entitlement_feature']);
  const product = productOf(context);
  const featureId = params.requiredString('entitlement_feature');
  const feature = requireObject(
    context,
    'entitlements.feature',
    featureId,
    'feature',
    'entitlement_feature',
  );
  if (feature.active !== true) {
    throw parameterInvalid(
      'entitlement_feature',
      `The feature ${featureId} is archived and cannot be attached to a product.`,
    );
  }
  const productId = product.id as string;
  if (
    productFeaturesOf(context.state, productId).some((pf) => pf.entitlement_feature === featureId)
  ) {
    throw invalidRequest(
      `The feature ${featureId} is already attached to the product ${productId}.`,
      'resource_already_exists',
      'entitlement_feature',
    );
  }
  const productFeature = newProductFeature(productId, featureId);
  context.state.store.put('product_feature', productFeature);
  refreshProductCustomers(context.state, productId, context.origin);
  return respond(context, shownProductFeature(context.state, productFeature), params);
};

/** The product's own product feature, or Stripe's 404. */
function productFeature(context: ApiContext): StripeObject {
  const product = productOf(context);
  const id = pathParam(context, 'feature_id');
  const found = context.state.store.get('product_feature', id);
  if (!found || !isProductFeatureOf(found, product.id as string))
    throw resourceMissing('product_feature', id);
  return found;
}

export const retrieveProductFeature: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  return respond(context, shownProductFeature(context.state, productFeature(context)), params);
};

export const listProductFeatures: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS]);
  const productId = productOf(context).id as string;
  const items = productFeaturesOf(context.state, productId)
    .reverse()
    .map((pf) => shownProductFeature(context.state, pf));
  return respond(context, listObject(`/v1/products/${productId}/features`, items, params), params);
};

export const deleteProductFeature: ApiHandler = (context) => {
  new Params(context.raw, []);
  const found = productFeature(context);
  const productId = productOf(context).id as string;
  context.state.store.delete('product_feature', found.id as string);
  refreshProductCustomers(context.state, productId, context.origin);
  return { id: found.id, object: 'product_feature', deleted: true };
};

// ---- active entitlements -----------------------------------------------------------

/** `customer` is required: Stripe lists one customer's entitlements at a time. */
export const listActiveEntitlements: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'customer']);
  const customer = requiredCustomer(context, params);
  const items = storedEntitlementsOf(context.state, customer.id as string).map(shownEntitlement);
  return respond(context, listObject(ACTIVE_ENTITLEMENTS_URL, items, params), params);
};

export const retrieveActiveEntitlement: ApiHandler = (context) =>
  respond(
    context,
    shownEntitlement(
      requireObject(
        context,
        'entitlements.active_entitlement',
        pathParam(context, 'id'),
        'active_entitlement',
      ),
    ),
    new Params(context.raw, []),
  );
