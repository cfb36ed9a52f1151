import {
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
} from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { applyUpdates } from '../objects/updates';
import { nowSeconds } from '../objects/clock';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject, withFields } from './listing';
import { refuseNotModelled, requireObject, respond, retrieveLive } from './shared';

/** `/v1/prices`: per-unit prices, one-time or recurring, found by lookup key. */

const INTERVALS = ['day', 'week', 'month', 'year'];
const TAX_BEHAVIOURS = ['inclusive', 'exclusive', 'unspecified'];

/** Price features whose behaviour the sandbox does not model, refused by name. */
const PRICE_NOT_MODELLED: Readonly<Record<string, string>> = {
  currency_options: 'prices in several currencies',
  custom_unit_amount: 'customer-chosen amounts',
  product_data: 'products created with their price',
  tiers: 'tiered prices',
  tiers_mode: 'tiered prices',
  transform_quantity: 'quantity transforms',
};

const CREATE_PARAMS = [
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
];

function taxBehavior(params: Params): string | undefined {
  const value = params.string('tax_behavior');
  if (value !== undefined && !TAX_BEHAVIOURS.includes(value))
    throw parameterInvalid('tax_behavior', `Invalid tax_behavior: ${value}`);
  return value;
}

/** `unit_amount`, or a whole `unit_amount_decimal`, in minor units. */
function unitAmount(params: Params): number {
  const amount =
    params.integer('unit_amount', { min: 0, max: 99_999_999 }) ??
    params.integer('unit_amount_decimal', { min: 0, max: 99_999_999 });
  if (amount === undefined) throw parameterMissing('unit_amount');
  return amount;
}

/** `recurring[interval]` and `[interval_count]`: a licensed price billed each period. */
function recurring(params: Params): StripeObject | null {
  const given = params.hash('recurring', ['interval', 'interval_count', 'usage_type']);
  if (!given) return null;
  const interval = given.requiredString('interval');
  if (!INTERVALS.includes(interval))
    throw parameterInvalid('recurring[interval]', `Invalid recurring[interval]: ${interval}`);
  return {
    interval,
    interval_count: given.integer('interval_count', { min: 1, max: 365 }) ?? 1,
    meter: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

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
    throw invalidRequest(
      `A price (\`${String(owner.id)}\`) already uses that lookup key.`,
      'lookup_key_already_exists',
      'lookup_key',
    );
  }
  owner.lookup_key = null;
  context.state.emit('price.updated', owner, context.origin, { lookup_key: lookupKey });
}

export const createPrice: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  refuseNotModelled(params, PRICE_NOT_MODELLED);
  if (params.has('billing_scheme') && params.string('billing_scheme') !== 'per_unit')
    throw parameterNotModelled('billing_scheme', 'tiered prices');
  const productId = params.requiredString('product');
  requireObject(context, 'product', productId, 'product', 'product');
  const currency = params.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw parameterInvalid('currency', `Invalid currency: ${currency}`);
  const amount = unitAmount(params);
  const interval = recurring(params);
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
    recurring: interval,
    tax_behavior: taxBehavior(params) ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: interval ? 'recurring' : 'one_time',
    unit_amount: amount,
    unit_amount_decimal: String(amount),
  });
  context.state.store.put('price', price);
  context.state.emit('price.created', price, context.origin);
  return respond(context, price, params);
};

export const retrievePrice = retrieveLive('price');

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
  refuseNotModelled(params, PRICE_NOT_MODELLED);
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
    metadata: mergeMetadata(price.metadata as Record<string, string>, params.metadata()),
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
