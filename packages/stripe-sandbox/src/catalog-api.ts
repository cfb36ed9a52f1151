import type { ApiContext, ApiHandler } from './api-context';
import { pathParam } from './api-context';
import { parameterInvalid, resourceMissing, StripeApiError } from './errors';
import { fromFixture, type StripeObject } from './fixtures';
import { nowSeconds, stripeId } from './ids';
import { expand, LIST_PARAMS, listObject } from './listing';
import { mergeMetadata, Params } from './params';
import type { RequestOrigin, SandboxState } from './state';
import type { ObjectKind } from './store';

const CUSTOMER_FIELDS = ['email', 'name', 'description', 'phone', 'metadata'];

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

const respond = (context: ApiContext, object: StripeObject, params: Params): StripeObject =>
  expand(object, params.expand(), context.state.store);

// ---- customers ---------------------------------------------------------------------

export interface NewCustomer {
  readonly email: string | null;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly phone?: string | null;
  readonly metadata: Record<string, string>;
}

/** Creates a customer (the API, or Checkout for a session without one) and its event. */
export function addCustomer(
  state: SandboxState,
  fields: NewCustomer,
  origin: RequestOrigin,
): StripeObject {
  const customer = fromFixture('customer', {
    id: stripeId('cus', 14),
    object: 'customer',
    created: nowSeconds(),
    email: fields.email,
    name: fields.name ?? null,
    description: fields.description ?? null,
    phone: fields.phone ?? null,
    metadata: fields.metadata,
    address: null,
    balance: 0,
    currency: null,
    default_source: null,
    delinquent: false,
    discount: null,
    invoice_prefix: stripeId('x', 8).slice(2).toUpperCase(),
    livemode: false,
    next_invoice_sequence: 1,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
    customer_account: null,
  });
  state.store.put('customer', customer);
  state.emit('customer.created', customer, origin);
  return customer;
}

export const createCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, CUSTOMER_FIELDS);
  const customer = addCustomer(
    context.state,
    {
      email: params.nullableString('email') ?? null,
      name: params.nullableString('name') ?? null,
      description: params.nullableString('description') ?? null,
      phone: params.nullableString('phone') ?? null,
      metadata: mergeMetadata({}, params.metadata()),
    },
    context.origin,
  );
  return respond(context, customer, params);
};

export const retrieveCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const id = pathParam(context, 'id');
  const customer = context.state.store.get('customer', id);
  if (!customer) throw resourceMissing('customer', id);
  return respond(context, customer, params);
};

export const updateCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, CUSTOMER_FIELDS);
  const customer = requireObject(context, 'customer', pathParam(context, 'id'));
  const previous: Record<string, unknown> = {};
  for (const field of ['email', 'name', 'description', 'phone']) {
    const value = params.nullableString(field);
    if (value !== undefined && value !== customer[field]) {
      previous[field] = customer[field];
      customer[field] = value;
    }
  }
  const metadata = mergeMetadata(customer.metadata as Record<string, string>, params.metadata());
  if (JSON.stringify(metadata) !== JSON.stringify(customer.metadata)) {
    previous.metadata = customer.metadata;
    customer.metadata = metadata;
  }
  if (Object.keys(previous).length > 0)
    context.state.emit('customer.updated', customer, context.origin, previous);
  return respond(context, customer, params);
};

export const deleteCustomer: ApiHandler = (context) => {
  new Params(context.raw, []);
  const customer = requireObject(context, 'customer', pathParam(context, 'id'));
  const deleted = fromFixture('deleted_customer', {
    id: customer.id,
    object: 'customer',
    deleted: true,
  });
  context.state.store.put('customer', deleted);
  context.state.emit('customer.deleted', customer, context.origin);
  return deleted;
};

export const listCustomers: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'email']);
  const email = params.string('email');
  const items = context.state.store
    .list('customer')
    .filter((c) => c.deleted !== true && (email === undefined || c.email === email));
  return respond(context, listObject('/v1/customers', items, params), params);
};

/**
 * `GET /v1/customers/search`: the part of Stripe's search query language the service uses,
 * one or more `field:'value'` clauses joined by AND, over `email` and `metadata['key']`.
 * (Stripe's index lags writes by up to a minute; the sandbox's does not.)
 */
export const searchCustomers: ApiHandler = (context) => {
  const params = new Params(context.raw, ['query', 'limit', 'page', 'expand']);
  const query = params.string('query');
  if (query === undefined) throw parameterInvalid('query', 'Missing required param: query.');
  const clauses = query.split(/\s+AND\s+/).map((clause) => {
    const match = /^(email|metadata\['([^']+)'\]):'((?:[^'\\]|\\.)*)'$/.exec(clause.trim());
    if (!match)
      throw parameterInvalid('query', `The sandbox cannot parse the query clause: ${clause}`);
    const value = (match[3] ?? '').replace(/\\(.)/g, '$1');
    const metadataKey = match[2];
    return (customer: StripeObject) =>
      metadataKey === undefined
        ? customer.email === value
        : (customer.metadata as Record<string, string> | undefined)?.[metadataKey] === value;
  });
  const limit = params.integer('limit', { min: 1, max: 100 }) ?? 10;
  const found = context.state.store
    .list('customer')
    .filter((c) => c.deleted !== true && clauses.every((matches) => matches(c)));
  return {
    object: 'search_result',
    data: found.slice(0, limit).map((customer) => respond(context, customer, params)),
    has_more: found.length > limit,
    next_page: null,
    url: '/v1/customers/search',
  };
};

// ---- products ----------------------------------------------------------------------

const PRODUCT_FIELDS = ['name', 'description', 'active', 'metadata'];

export const createProduct: ApiHandler = (context) => {
  const params = new Params(context.raw, [...PRODUCT_FIELDS, 'id']);
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
    type: 'service',
    unit_label: null,
    url: null,
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
  ]);
  const productId = params.requiredString('product');
  requireObject(context, 'product', productId, 'product', 'product');
  const currency = params.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw parameterInvalid('currency', `Invalid currency: ${currency}`);
  const unitAmount = params.integer('unit_amount', { min: 0, max: 99_999_999 });
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
    tax_behavior: 'unspecified',
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
  ]);
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
  const active = params.boolean('active');
  const product = params.string('product');
  const type = params.string('type');
  const currency = params.string('currency');
  const lookupKeys = params.strings('lookup_keys');
  const items = context.state.store
    .list('price')
    .filter(
      (p) =>
        (active === undefined || p.active === active) &&
        (product === undefined || p.product === product) &&
        (type === undefined || p.type === type) &&
        (currency === undefined || p.currency === currency) &&
        (lookupKeys === undefined || lookupKeys.includes(p.lookup_key as string)),
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
