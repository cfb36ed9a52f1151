import { parameterInvalid } from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import type { Params } from '../http/params';

/**
 * Parameters that Stripe keeps as they are on the object (addresses, shipping, billing
 * details), read and shaped as Stripe shows them: every key present, null when not given.
 */

const ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

export function address(params: Params | undefined): StripeObject | null {
  if (!params) return null;
  return Object.fromEntries(ADDRESS_KEYS.map((key) => [key, params.nullableString(key) ?? null]));
}

/** `shipping` (payment intents, customers): `name` and `address` are required. */
export function shipping(params: Params, name = 'shipping'): StripeObject | null | undefined {
  if (params.raw[name] === '') return null;
  const hash = params.hash(name, ['name', 'address', 'carrier', 'phone', 'tracking_number']);
  if (!hash) return undefined;
  const addressHash = hash.hash('address', ADDRESS_KEYS);
  if (!addressHash)
    throw parameterInvalid(`${name}[address]`, `Missing required param: ${name}[address].`);
  return {
    address: address(addressHash),
    carrier: hash.nullableString('carrier') ?? null,
    name: hash.requiredString('name'),
    phone: hash.nullableString('phone') ?? null,
    tracking_number: hash.nullableString('tracking_number') ?? null,
  };
}

/** A payment method's `billing_details`, with what is not given null (as Stripe shows it). */
export function billingDetails(params: Params | undefined): StripeObject {
  const addressHash = params?.hash('address', ADDRESS_KEYS);
  return {
    address: addressHash ? address(addressHash) : emptyAddress(),
    email: params?.nullableString('email') ?? null,
    name: params?.nullableString('name') ?? null,
    phone: params?.nullableString('phone') ?? null,
    tax_id: params?.nullableString('tax_id') ?? null,
  };
}

export const emptyAddress = (): StripeObject =>
  Object.fromEntries(ADDRESS_KEYS.map((key) => [key, null]));

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
export function customFields(
  params: Params,
  name = 'custom_fields',
): StripeObject[] | null | undefined {
  if (params.raw[name] === '') return null;
  const fields = params.hashes(name, ['name', 'value']);
  return fields?.map((field) => ({
    name: field.requiredString('name'),
    value: field.requiredString('value'),
  }));
}
