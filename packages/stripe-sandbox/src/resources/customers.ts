import { addCustomer } from '../billing/customers';
import {
  assertAttachable,
  attachPaymentMethod,
  customerPaymentMethod,
  resolvePaymentMethod,
} from '../billing/payment-methods';
import { requireTestClock } from '../billing/test-clocks';
import { parameterInvalid, resourceMissing } from '../http/errors';
import { addressParam, customFields, shipping } from '../http/object-params';
import { mergeMetadata, Params } from '../http/params';
import { runAtTestClockTime } from '../objects/clock';
import { fixture, fromFixture, type StripeObject } from '../objects/fixtures';
import { applyUpdates } from '../objects/updates';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject } from './listing';
import { refuseNotModelled, requireObject, respond } from './shared';

/** `/v1/customers`: create (with a payment method), retrieve, update, delete, list, search. */

const CUSTOMER_FIELDS = ['email', 'name', 'description', 'phone', 'metadata'];

/** What Stripe takes on a customer besides its identity, kept as Stripe keeps it. */
const CUSTOMER_SETTINGS = [
  'address',
  'balance',
  'business_name',
  'individual_name',
  'invoice_prefix',
  'invoice_settings',
  'next_invoice_sequence',
  'preferred_locales',
  'shipping',
  'tax_exempt',
];

/** Accepted, with no effect the sandbox models (tax location checks, cash balances). */
const CUSTOMER_ACCEPTED = ['tax', 'validate', 'cash_balance'];

const NOT_MODELLED: Readonly<Record<string, string>> = {
  source: 'sources (use payment methods)',
  default_source: 'sources (use payment methods)',
  tax_id_data: 'tax ids',
};

const TAX_EXEMPT = ['none', 'exempt', 'reverse'];

/** The payment method a create request attaches: `given` (`pm_card_visa`, say) became `pm`. */
interface Attached {
  readonly given: string;
  readonly pm: StripeObject;
}

/**
 * `invoice_settings`, on the customer's current ones. `default_payment_method` must name
 * one of the customer's payment methods (or the one this request attaches, under the id
 * it was given).
 */
function invoiceSettings(
  context: ApiContext,
  invoice: Params,
  customer: StripeObject | undefined,
  attached: Attached | undefined,
): StripeObject {
  const settings = structuredClone(
    (customer?.invoice_settings ?? fixture('customer').invoice_settings) as StripeObject,
  );
  const custom = customFields(invoice);
  if (custom !== undefined) settings.custom_fields = custom;
  const footer = invoice.nullableString('footer');
  if (footer !== undefined) settings.footer = footer;
  const pmId = invoice.nullableString('default_payment_method');
  if (pmId === null) settings.default_payment_method = null;
  else if (pmId !== undefined) {
    settings.default_payment_method =
      attached?.given === pmId
        ? attached.pm.id
        : customerPaymentMethod(
            context.state,
            (customer?.id as string | undefined) ?? '',
            pmId,
            'invoice_settings[default_payment_method]',
          ).id;
  }
  return settings;
}

/** The settings the parameters give a customer (only those given). */
function customerSettings(
  context: ApiContext,
  params: Params,
  customer: StripeObject | undefined,
  attached?: Attached,
): StripeObject {
  const fields: StripeObject = {};
  for (const name of ['business_name', 'individual_name', 'invoice_prefix']) {
    const value = params.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  const balance = params.integer('balance');
  if (balance !== undefined) fields.balance = balance;
  const sequence = params.integer('next_invoice_sequence', { min: 1 });
  if (sequence !== undefined) fields.next_invoice_sequence = sequence;
  const address = addressParam(params);
  if (address !== undefined) fields.address = address;
  const ship = shipping(params);
  if (ship !== undefined) fields.shipping = ship;
  const locales = params.strings('preferred_locales');
  if (locales !== undefined) fields.preferred_locales = locales;
  const taxExempt = params.string('tax_exempt');
  if (taxExempt !== undefined) {
    if (!TAX_EXEMPT.includes(taxExempt))
      throw parameterInvalid('tax_exempt', `Invalid tax_exempt: ${taxExempt}`);
    fields.tax_exempt = taxExempt;
  }
  const invoice = params.hash('invoice_settings', [
    'custom_fields',
    'default_payment_method',
    'footer',
    'rendering_options',
  ]);
  if (invoice) fields.invoice_settings = invoiceSettings(context, invoice, customer, attached);
  return fields;
}

/**
 * `POST /v1/customers`. `test_clock` puts it on a test clock (its objects live on the
 * clock's time). `payment_method` attaches a payment method (a test id such as
 * `pm_card_visa` becomes a new `pm_...`): `customer.created`, then
 * `payment_method.attached`.
 */
export const createCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...CUSTOMER_FIELDS,
    ...CUSTOMER_SETTINGS,
    ...CUSTOMER_ACCEPTED,
    ...Object.keys(NOT_MODELLED),
    'payment_method',
    'test_clock',
  ]);
  refuseNotModelled(params, NOT_MODELLED, { emptyAllowed: true });
  const given = params.string('payment_method');
  const pm =
    given === undefined ? undefined : resolvePaymentMethod(context.state, given, 'payment_method');
  if (pm) assertAttachable(context.state, pm);
  const settings = customerSettings(
    context,
    params,
    undefined,
    pm && given ? { given, pm } : undefined,
  );
  const clockId = params.string('test_clock');
  const clock =
    clockId === undefined ? undefined : requireTestClock(context.state, clockId, 'test_clock');
  const add = () =>
    addCustomer(
      context.state,
      {
        email: params.nullableString('email') ?? null,
        name: params.nullableString('name') ?? null,
        description: params.nullableString('description') ?? null,
        phone: params.nullableString('phone') ?? null,
        metadata: mergeMetadata({}, params.metadata()),
        settings: { ...settings, ...(clock ? { test_clock: clock.id } : {}) },
      },
      context.origin,
    );
  // A customer on a test clock is created at the clock's frozen time.
  const customer = clock ? runAtTestClockTime(clock.frozen_time as number, add) : add();
  if (pm) attachPaymentMethod(context.state, pm, customer, context.origin);
  return respond(context, customer, params);
};

/** A deleted customer too: Stripe answers its `deleted: true` stub. */
export const retrieveCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const id = pathParam(context, 'id');
  const customer = context.state.store.get('customer', id);
  if (!customer) throw resourceMissing('customer', id);
  return respond(context, customer, params);
};

/** Nested settings (`invoice_settings`) report only their changed keys as previous. */
function changedKeys(before: unknown, after: unknown): unknown {
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null)
    return before;
  const old = before as StripeObject;
  const now = after as StripeObject;
  return Object.fromEntries(
    Object.keys(now)
      .filter((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]))
      .map((key) => [key, old[key] ?? null]),
  );
}

export const updateCustomer: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...CUSTOMER_FIELDS,
    ...CUSTOMER_SETTINGS,
    ...CUSTOMER_ACCEPTED,
    'source',
    'default_source',
  ]);
  refuseNotModelled(params, NOT_MODELLED, { emptyAllowed: true });
  const customer = requireObject(context, 'customer', pathParam(context, 'id'));
  const identity = applyUpdates(customer, {
    email: params.nullableString('email'),
    name: params.nullableString('name'),
    description: params.nullableString('description'),
    phone: params.nullableString('phone'),
    metadata: mergeMetadata(customer.metadata as Record<string, string>, params.metadata()),
  });
  const before = customer.invoice_settings;
  const settings = applyUpdates(customer, customerSettings(context, params, customer));
  if (settings?.invoice_settings !== undefined)
    settings.invoice_settings = changedKeys(before, customer.invoice_settings);
  const previous = { ...identity, ...settings };
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
