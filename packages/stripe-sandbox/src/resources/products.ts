import { invalidRequest, parameterInvalid, parameterNotModelled } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { applyUpdates } from '../objects/updates';
import { nowSeconds } from '../objects/clock';
import { type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject } from './listing';
import { requireObject, respond, retrieveLive } from './shared';

/** `/v1/products`: the catalog's products (a product's features are in `entitlements.ts`). */

const PRODUCT_FIELDS = [
  'name',
  'description',
  'active',
  'metadata',
  'images',
  'marketing_features',
  'package_dimensions',
  'shippable',
  'statement_descriptor',
  'tax_code',
  'unit_label',
  'url',
];

const DIMENSIONS = ['height', 'length', 'weight', 'width'];

/** `package_dimensions`: each a positive number; `package_dimensions=` clears them. */
function packageDimensions(params: Params): StripeObject | null | undefined {
  if (params.raw.package_dimensions === '') return null;
  const dimensions = params.hash('package_dimensions', DIMENSIONS);
  if (!dimensions) return undefined;
  return Object.fromEntries(
    DIMENSIONS.map((key) => {
      const value = Number(dimensions.requiredString(key));
      if (!Number.isFinite(value) || value <= 0)
        throw parameterInvalid(`package_dimensions[${key}]`, `Invalid number: ${key}`);
      return [key, value];
    }),
  );
}

/**
 * What a product's parameters set besides its name and state, kept as Stripe keeps them
 * (descriptive: the sandbox ships, taxes and prints nothing).
 */
function productDetails(params: Params): StripeObject {
  const fields: StripeObject = {};
  for (const name of ['statement_descriptor', 'tax_code', 'unit_label', 'url']) {
    const value = params.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  const images = params.raw.images === '' ? [] : params.strings('images');
  if (images !== undefined) fields.images = images;
  const shippable = params.boolean('shippable');
  if (shippable !== undefined) fields.shippable = shippable;
  if (params.raw.marketing_features === '') fields.marketing_features = [];
  else {
    const features = params.hashes('marketing_features', ['name']);
    if (features)
      fields.marketing_features = features.map((f) => ({ name: f.requiredString('name') }));
  }
  const dimensions = packageDimensions(params);
  if (dimensions !== undefined) fields.package_dimensions = dimensions;
  return fields;
}

export const createProduct: ApiHandler = (context) => {
  const params = new Params(context.raw, [...PRODUCT_FIELDS, 'id', 'type', 'default_price_data']);
  if (params.has('default_price_data'))
    throw parameterNotModelled('default_price_data', 'prices created with their product');
  const type = params.string('type') ?? 'service';
  if (type !== 'service' && type !== 'good')
    throw parameterInvalid('type', `Invalid type: ${type}`);
  const now = nowSeconds();
  const id = params.string('id') ?? stripeId('prod', 14);
  if (context.state.store.get('product', id))
    throw invalidRequest(`Product already exists.`, 'resource_already_exists', 'id');
  const product = fromFixture('product', {
    id,
    object: 'product',
    name: params.requiredString('name'),
    description: params.nullableString('description') ?? null,
    active: params.boolean('active') ?? true,
    metadata: mergeMetadata({}, params.metadata()),
    created: now,
    updated: now,
    default_price: null,
    images: [],
    livemode: false,
    marketing_features: [],
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type,
    unit_label: null,
    url: null,
    ...productDetails(params),
  });
  context.state.store.put('product', product);
  context.state.emit('product.created', product, context.origin);
  return respond(context, product, params);
};

export const retrieveProduct = retrieveLive('product');

export const updateProduct: ApiHandler = (context) => {
  const params = new Params(context.raw, PRODUCT_FIELDS);
  const product = requireObject(context, 'product', pathParam(context, 'id'));
  const previous = applyUpdates(product, {
    name: params.string('name'),
    description: params.nullableString('description'),
    active: params.boolean('active'),
    metadata: mergeMetadata(product.metadata as Record<string, string>, params.metadata()),
    ...productDetails(params),
  });
  if (previous) {
    product.updated = nowSeconds();
    context.state.emit('product.updated', product, context.origin, previous);
  }
  return respond(context, product, params);
};

export const listProducts: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'active', 'ids']);
  const active = params.boolean('active');
  const ids = params.strings('ids');
  const items = context.state.store
    .list('product')
    .filter(
      (p) =>
        (active === undefined || p.active === active) &&
        (ids === undefined || ids.includes(p.id as string)),
    );
  return respond(context, listObject('/v1/products', items, params), params);
};
