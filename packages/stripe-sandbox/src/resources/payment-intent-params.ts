import { resolvePaymentMethod } from '../billing/payment-methods';
import { parameterInvalid } from '../http/errors';
import { shipping } from '../http/object-params';
import { mergeMetadata, type Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import {
  type ChargeOptions,
  INTENT_STRING_FIELDS,
  SETUP_FUTURE_USAGE,
} from '../objects/payment-intents';
import type { SandboxState } from '../state/state';
import type { ApiContext } from './api-context';
import { PAYMENT_METHOD_PARAMS, paymentMethodFromParams } from './payment-methods';
import { optionalCustomer } from './shared';

/** What the payment intent endpoints take, and how each parameter is read. */

const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'];

/** Stripe Connect and confirmation tokens: refused by name (not modelled). */
export const NOT_MODELLED: Readonly<Record<string, string>> = {
  application_fee_amount: 'Connect',
  on_behalf_of: 'Connect',
  transfer_data: 'Connect',
  confirmation_token: 'confirmation tokens',
};

/**
 * Accepted, with no effect the sandbox models: payment method options and configuration,
 * mandates, Radar, return URLs (there is no 3-D Secure page to return from), hooks.
 */
export const ACCEPTED = [
  'payment_method_options',
  'payment_method_configuration',
  'mandate',
  'mandate_data',
  'radar_options',
  'return_url',
  'use_stripe_sdk',
  'amount_details',
  'payment_details',
  'hooks',
];

/** What a confirmation may still set (`/confirm`), and an update too. */
export const PAYMENT_FIELDS = [
  'payment_method',
  'payment_method_data',
  'payment_method_types',
  'allowed_payment_method_types',
  'excluded_payment_method_types',
  'capture_method',
  'receipt_email',
  'setup_future_usage',
  'shipping',
];

export const UPDATABLE = [
  'amount',
  'currency',
  'customer',
  'description',
  'metadata',
  ...PAYMENT_FIELDS,
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_group',
  ...Object.keys(NOT_MODELLED),
  ...ACCEPTED,
];

export const CREATE_PARAMS = [
  ...UPDATABLE,
  'confirm',
  'confirmation_method',
  'automatic_payment_methods',
  'off_session',
  'error_on_requires_action',
  'customer_account',
];

/** `payment_method` (an id or a test id) or `payment_method_data` (a new card). */
export function paymentMethodParam(state: SandboxState, params: Params): StripeObject | undefined {
  const id = params.string('payment_method');
  const data = params.hash('payment_method_data', PAYMENT_METHOD_PARAMS);
  if (id !== undefined && data)
    throw parameterInvalid(
      'payment_method_data',
      'Pass payment_method or payment_method_data, not both.',
    );
  if (data) return paymentMethodFromParams(state, data);
  return id === undefined || id === ''
    ? undefined
    : resolvePaymentMethod(state, id, 'payment_method');
}

/** `off_session`: a boolean, or `one_off` / `recurring` (both off-session). */
function offSession(params: Params): boolean {
  const value = params.string('off_session');
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === 'one_off' || value === 'recurring') return true;
  throw parameterInvalid('off_session', `Invalid off_session: ${value}`);
}

/** How a confirmation charges: off-session, or failing rather than waiting for 3-D Secure. */
export const chargeOptions = (params: Params): ChargeOptions => ({
  offSession: offSession(params),
  errorOnRequiresAction: params.boolean('error_on_requires_action') ?? false,
});

export function oneOf(params: Params, name: string, values: readonly string[]): string | undefined {
  const value = params.string(name);
  if (value !== undefined && !values.includes(value))
    throw parameterInvalid(name, `Invalid ${name}: must be one of ${values.join(', ')}`);
  return value;
}

/** `amount`, `currency` and `customer`, as given. */
function chargeFields(context: ApiContext, params: Params, fields: StripeObject): void {
  const amount = params.integer('amount', { min: 1, max: 99_999_999 });
  if (amount !== undefined) fields.amount = amount;
  const currency = params.string('currency');
  if (currency !== undefined) {
    if (!/^[a-zA-Z]{3}$/.test(currency))
      throw parameterInvalid('currency', `Invalid currency: ${currency}`);
    fields.currency = currency.toLowerCase();
  }
  const customer = optionalCustomer(context, params);
  if (customer !== undefined) fields.customer = customer.id;
}

/** `payment_method_types` (before API version 2026-09-30) or `allowed_payment_method_types` (after). */
function methodTypeFields(params: Params, fields: StripeObject): void {
  const types =
    params.strings('allowed_payment_method_types') ?? params.strings('payment_method_types');
  if (types !== undefined) {
    fields.payment_method_types = types;
    fields.allowed_payment_method_types = types;
    fields.automatic_payment_methods = null;
  }
  const excluded = params.strings('excluded_payment_method_types');
  if (excluded !== undefined) fields.excluded_payment_method_types = excluded;
}

/** The fields the parameters set, as Stripe keeps them on the intent. */
export function intentFields(
  context: ApiContext,
  params: Params,
  intent?: StripeObject,
): StripeObject {
  const fields: StripeObject = {};
  chargeFields(context, params, fields);
  for (const name of INTENT_STRING_FIELDS) {
    const value = params.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  fields.metadata = mergeMetadata(
    (intent?.metadata ?? {}) as Record<string, string>,
    params.metadata(),
  );
  const ship = shipping(params);
  if (ship !== undefined) fields.shipping = ship;
  const capture = oneOf(params, 'capture_method', CAPTURE_METHODS);
  if (capture !== undefined) fields.capture_method = capture;
  const future = params.nullableString('setup_future_usage');
  if (future !== undefined) {
    if (future !== null && !SETUP_FUTURE_USAGE.includes(future))
      throw parameterInvalid('setup_future_usage', `Invalid setup_future_usage: ${future}`);
    fields.setup_future_usage = future;
  }
  methodTypeFields(params, fields);
  return fields;
}
