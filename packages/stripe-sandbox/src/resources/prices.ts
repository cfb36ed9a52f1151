import type { ApiContext, ApiHandler } from './api-context';
import { pathParam } from './api-context';
import {
  parameterInvalid,
  parameterNotModelled,
  resourceMissing,
  StripeApiError,
} from '../http/errors';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { nowSeconds, stripeId } from '../objects/ids';
import { expand, LIST_PARAMS, listObject, withFields } from './listing';
import { mergeMetadata, Params } from '../http/params';
import type { ObjectKind } from '../state/store';

/** Retrieves a live object or answers Stripe's 404. */
export function requireObject(
  context: ApiContext,
  kind: ObjectKind,
  id: string,
  label: string = kind,
  param = 'id',
): StripeObject {
  const object = context.state.store.get(kind, id);
  if (!object || object.deleted === true) throw resourceMissing(label, id, param);
  return object;
}

/** The customer a request's required `customer` parameter names (a 400 when it is gone). */
export const requiredCustomer = (context: ApiContext, params: Params): StripeObject =>
  requireObject(context, 'customer', params.requiredString('customer'), 'customer', 'customer');

const respond = (context: ApiContext, object: StripeObject, params: Params): StripeObject =>
  expand(object, params.expand(), context.state.store);

// ---- products ----------------------------------------------------------------------

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
  if (params.raw.package_dimensions === '') fields.package_dimensions = null;
  else {
    const dimensions = params.hash('package_dimensions', ['height', 'length', 'weight', 'width']);
    if (dimensions) {
      fields.package_dimensions = Object.fromEntries(
        ['height', 'length', 'weight', 'width'].map((key) => {
          const value = Number(dimensions.requiredString(key));
          if (!Number.isFinite(value) || value <= 0)
            throw parameterInvalid(`package_dimensions[${key}]`, `Invalid number: ${key}`);
          return [key, value];
        }),
      );
    }
  }
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
  if (context.state.store.get('product', id)) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `Product already exists.`,
      'resource_already_exists',
      'id',
    );
  }
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

export const retrieveProduct: ApiHandler = (context) =>
  respond(
    context,
    requireObject(context, 'product', pathParam(context, 'id')),
    new Params(context.raw, []),
  );

export const updateProduct: ApiHandler = (context) => {
  const params = new Params(context.raw, PRODUCT_FIELDS);
  const product = requireObject(context, 'product', pathParam(context, 'id'));
  const previous = applyUpdates(product, {
    name: params.string('name'),
    description: params.nullableString('description'),
    active: params.boolean('active'),
    metadata: params.has('metadata')
      ? mergeMetadata(product.metadata as Record<string, string>, params.metadata())
      : undefined,
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

// ---- prices ------------------------------------------------------------------------

const INTERVALS = ['day', 'week', 'month', 'year'];

export const createPrice: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'product',
    'currency',
    'unit_amount',
    'recurring',
    'lookup_key',
    'transfer_lookup_key',
    'metadata',
    'nickname',
    'active',
    'tax_behavior',
    'unit_amount_decimal',
    'billing_scheme',
    ...Object.keys(PRICE_NOT_MODELLED),
  ]);
  refusePriceNotModelled(params);
  if (params.has('billing_scheme') && params.string('billing_scheme') !== 'per_unit')
    throw parameterNotModelled('billing_scheme', 'tiered prices');
  const productId = params.requiredString('product');
  requireObject(context, 'product', productId, 'product', 'product');
  const currency = params.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw parameterInvalid('currency', `Invalid currency: ${currency}`);
  const unitAmount =
    params.integer('unit_amount', { min: 0, max: 99_999_999 }) ??
    params.integer('unit_amount_decimal', { min: 0, max: 99_999_999 });
  if (unitAmount === undefined)
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'Missing required param: unit_amount.',
      'parameter_missing',
      'unit_amount',
    );
  const recurringParams = params.hash('recurring', ['interval', 'interval_count', 'usage_type']);
  let recurring: StripeObject | null = null;
  if (recurringParams) {
    const interval = recurringParams.requiredString('interval');
    if (!INTERVALS.includes(interval))
      throw parameterInvalid('recurring[interval]', `Invalid recurring[interval]: ${interval}`);
    recurring = {
      interval,
      interval_count: recurringParams.integer('interval_count', { min: 1, max: 365 }) ?? 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    };
  }
  const lookupKey = params.nullableString('lookup_key') ?? null;
  if (lookupKey !== null)
    claimLookupKey(context, lookupKey, params.boolean('transfer_lookup_key') ?? false);
  const price = fromFixture('price', {
    id: stripeId('price'),
    object: 'price',
    active: params.boolean('active') ?? true,
    billing_scheme: 'per_unit',
    created: nowSeconds(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: mergeMetadata({}, params.metadata()),
    nickname: params.nullableString('nickname') ?? null,
    product: productId,
    recurring,
    tax_behavior: taxBehavior(params) ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  });
  context.state.store.put('price', price);
  context.state.emit('price.created', price, context.origin);
  return respond(context, price, params);
};

/** A lookup key names one price; `transfer_lookup_key` moves it from its current owner. */
function claimLookupKey(
  context: ApiContext,
  lookupKey: string,
  transfer: boolean,
  forPrice?: string,
): void {
  const owner = context.state.store
    .list('price')
    .find((p) => p.lookup_key === lookupKey && p.id !== forPrice);
  if (!owner) return;
  if (!transfer) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `A price (\`${String(owner.id)}\`) already uses that lookup key.`,
      'lookup_key_already_exists',
      'lookup_key',
    );
  }
  owner.lookup_key = null;
  context.state.emit('price.updated', owner, context.origin, { lookup_key: lookupKey });
}

/** Price features whose behaviour the sandbox does not model, refused by name. */
const PRICE_NOT_MODELLED: Readonly<Record<string, string>> = {
  currency_options: 'prices in several currencies',
  custom_unit_amount: 'customer-chosen amounts',
  product_data: 'products created with their price',
  tiers: 'tiered prices',
  tiers_mode: 'tiered prices',
  transform_quantity: 'quantity transforms',
};

function refusePriceNotModelled(params: Params): void {
  for (const [name, what] of Object.entries(PRICE_NOT_MODELLED))
    if (params.has(name)) throw parameterNotModelled(name, what);
}

const TAX_BEHAVIOURS = ['inclusive', 'exclusive', 'unspecified'];

function taxBehavior(params: Params): string | undefined {
  const value = params.string('tax_behavior');
  if (value !== undefined && !TAX_BEHAVIOURS.includes(value))
    throw parameterInvalid('tax_behavior', `Invalid tax_behavior: ${value}`);
  return value;
}

export const retrievePrice: ApiHandler = (context) =>
  respond(
    context,
    requireObject(context, 'price', pathParam(context, 'id')),
    new Params(context.raw, []),
  );

export const updatePrice: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'active',
    'lookup_key',
    'transfer_lookup_key',
    'metadata',
    'nickname',
    'tax_behavior',
    'currency_options',
  ]);
  refusePriceNotModelled(params);
  const price = requireObject(context, 'price', pathParam(context, 'id'));
  const lookupKey = params.nullableString('lookup_key');
  if (lookupKey !== undefined && lookupKey !== null && lookupKey !== price.lookup_key) {
    claimLookupKey(
      context,
      lookupKey,
      params.boolean('transfer_lookup_key') ?? false,
      price.id as string,
    );
  }
  const previous = applyUpdates(price, {
    active: params.boolean('active'),
    lookup_key: lookupKey,
    nickname: params.nullableString('nickname'),
    tax_behavior: taxBehavior(params),
    metadata: params.has('metadata')
      ? mergeMetadata(price.metadata as Record<string, string>, params.metadata())
      : undefined,
  });
  if (previous) context.state.emit('price.updated', price, context.origin, previous);
  return respond(context, price, params);
};

export const listPrices: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...LIST_PARAMS,
    'active',
    'product',
    'type',
    'currency',
    'lookup_keys',
  ]);
  const lookupKeys = params.strings('lookup_keys');
  const fields = withFields({
    active: params.boolean('active'),
    product: params.string('product'),
    type: params.string('type'),
    currency: params.string('currency'),
  });
  const items = context.state.store
    .list('price')
    .filter(
      (p) => fields(p) && (lookupKeys === undefined || lookupKeys.includes(p.lookup_key as string)),
    );
  return respond(context, listObject('/v1/prices', items, params), params);
};

/** Sets the given fields; returns their previous values (Stripe's `previous_attributes`), or null if nothing changed. */
export function applyUpdates(
  object: StripeObject,
  updates: Record<string, unknown>,
): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(updates)) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(object[field])) continue;
    previous[field] = object[field];
    object[field] = value;
  }
  return Object.keys(previous).length > 0 ? previous : null;
}
