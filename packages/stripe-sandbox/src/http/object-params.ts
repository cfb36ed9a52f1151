import type { StripeObject } from '../objects/fixtures';
import { parameterInvalid } from './errors';
import type { Params } from './params';

/**
 * Parameters that Stripe keeps as they are on the object (addresses, shipping, billing
 * details), read and shaped as Stripe shows them: every key present, null when not given.
 */

const ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

const addressHash = (params: Params): Params | undefined => params.hash('address', ADDRESS_KEYS);

function address(params: Params | undefined): StripeObject | null {
  if (!params) return null;
  return Object.fromEntries(ADDRESS_KEYS.map((key) => [key, params.nullableString(key) ?? null]));
}

const emptyAddress = (): StripeObject => Object.fromEntries(ADDRESS_KEYS.map((key) => [key, null]));

/** `address` (customers): `address=` clears it. */
export function addressParam(params: Params): StripeObject | null | undefined {
  if (params.raw.address === '') return null;
  return params.has('address') ? address(addressHash(params)) : undefined;
}

/** `shipping` (payment intents, customers): `name` and `address` are required. */
export function shipping(params: Params): StripeObject | null | undefined {
  if (params.raw.shipping === '') return null;
  const hash = params.hash('shipping', ['name', 'address', 'carrier', 'phone', 'tracking_number']);
  if (!hash) return undefined;
  const given = addressHash(hash);
  if (!given)
    throw parameterInvalid('shipping[address]', 'Missing required param: shipping[address].');
  return {
    address: address(given),
    carrier: hash.nullableString('carrier') ?? null,
    name: hash.requiredString('name'),
    phone: hash.nullableString('phone') ?? null,
    tracking_number: hash.nullableString('tracking_number') ?? null,
  };
}

/** `shipping_details` (invoices): `name` is required, the address as given. */
export function shippingDetails(params: Params): StripeObject | null | undefined {
  if (params.raw.shipping_details === '') return null;
  const hash = params.hash('shipping_details', ['name', 'address', 'phone']);
  if (!hash) return undefined;
  return {
    address: address(addressHash(hash)),
    name: hash.requiredString('name'),
    phone: hash.nullableString('phone') ?? null,
  };
}

/** A payment method's `billing_details`, with what is not given null (as Stripe shows it). */
export function billingDetails(params: Params | undefined): StripeObject {
  const given = params ? addressHash(params) : undefined;
  return {
    address: given ? address(given) : emptyAddress(),
    email: params?.nullableString('email') ?? null,
    name: params?.nullableString('name') ?? null,
    phone: params?.nullableString('phone') ?? null,
    tax_id: params?.nullableString('tax_id') ?? null,
  };
}

/**
 * `collection_method` and `days_until_due` (invoices, subscriptions): how Stripe collects
 * the payment, and in how many days a sent invoice is due.
 */
export function collectionParams(params: Params): {
  method: string | undefined;
  daysUntilDue: number | undefined;
} {
  const method = params.string('collection_method');
  if (method !== undefined && method !== 'charge_automatically' && method !== 'send_invoice')
    throw parameterInvalid('collection_method', `Invalid collection_method: ${method}`);
  return { method, daysUntilDue: params.integer('days_until_due', { min: 0, max: 3650 }) };
}

/** `custom_fields[0][name]=...&custom_fields[0][value]=...` (invoices, invoice settings). */
export function customFields(params: Params): StripeObject[] | null | undefined {
  if (params.raw.custom_fields === '') return null;
  const fields = params.hashes('custom_fields', ['name', 'value']);
  return fields?.map((field) => ({
    name: field.requiredString('name'),
    value: field.requiredString('value'),
  }));
}
