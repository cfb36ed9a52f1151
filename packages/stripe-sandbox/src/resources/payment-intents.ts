import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { applyCharge, type ChargeResult, newPaymentIntent } from '../objects/invoices';
import { requireObject } from './prices';
import {
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
  StripeApiError,
} from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { nowSeconds } from '../objects/ids';
import { expand } from './listing';
import { shipping } from './object-params';
import { mergeMetadata, Params } from '../http/params';
import {
  attachPaymentMethod,
  cardError,
  cardOf,
  PAYMENT_METHOD_PARAMS,
  paymentMethodFromParams,
  resolvePaymentMethod,
} from './payment-methods';
import type { RequestOrigin, SandboxState } from '../state/state';
import { AUTHENTICATION_REQUIRED, type TestCard } from '../objects/test-cards';

/**
 * Payment intents through the API: create (and `confirm=true`), update, confirm, capture,
 * cancel. Confirming charges the payment method's test card: it succeeds, is declined
 * (Stripe's 402 `card_error`) or waits for 3-D Secure, with Stripe's events.
 */

export interface ChargeOptions {
  /** The customer is not present: a card that needs authentication is declined. */
  readonly offSession: boolean;
  /** Fail instead of waiting for authentication (`error_on_requires_action`). */
  readonly errorOnRequiresAction?: boolean;
}

/** What charging `card` does, as Stripe's test cards behave. */
export function chargeResult(card: TestCard, options: ChargeOptions): ChargeResult {
  const behaviour = card.behaviour;
  if (behaviour.kind === 'succeeds') return { outcome: 'succeeded' };
  if (behaviour.kind === 'declines') return { outcome: 'failed', decline: behaviour.decline };
  return options.offSession || options.errorOnRequiresAction === true
    ? { outcome: 'failed', decline: AUTHENTICATION_REQUIRED }
    : { outcome: 'requires_action' };
}

/** The event a payment intent's state after a charge attempt is announced with. */
export function chargeEventType(intent: StripeObject): string {
  switch (intent.status) {
    case 'succeeded':
      return 'payment_intent.succeeded';
    case 'requires_capture':
      return 'payment_intent.amount_capturable_updated';
    case 'requires_action':
      return 'payment_intent.requires_action';
    default:
      return 'payment_intent.payment_failed';
  }
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

function unexpectedState(message: string): StripeApiError {
  return new StripeApiError(
    400,
    'invalid_request_error',
    message,
    'payment_intent_unexpected_state',
  );
}

/** A card attached to another customer than the payment's cannot pay it. */
function assertUsableBy(pm: StripeObject, customer: unknown): void {
  if (typeof pm.customer === 'string' && pm.customer !== customer) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `The provided PaymentMethod belongs to the customer ${pm.customer}. Please include the customer in the \`customer\` parameter on the PaymentIntent.`,
      null,
      'payment_method',
    );
  }
}

/**
 * Confirms a payment intent with `pm`: charges its card, records the result and emits its
 * event (after `payment_method.attached` when `setup_future_usage` saves the card for the
 * customer). Returns the result; the caller decides whether a decline is an error.
 */
export function confirmPaymentIntent(
  state: SandboxState,
  intent: StripeObject,
  pm: StripeObject,
  options: ChargeOptions,
  origin: RequestOrigin,
): ChargeResult {
  if (!CONFIRMABLE.includes(intent.status as string)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  assertUsableBy(pm, intent.customer);
  const result = chargeResult(cardOf(state, pm), options);
  applyCharge(intent, result, pm, { manualCapture: intent.capture_method === 'manual' });
  const customer =
    typeof intent.customer === 'string' ? state.store.get('customer', intent.customer) : undefined;
  if (result.outcome === 'succeeded' && intent.setup_future_usage !== null && customer)
    attachPaymentMethod(state, pm, customer, origin);
  state.emit(chargeEventType(intent), intent, origin);
  return result;
}

/** Stripe's 402 for a declined confirmation: the error names the intent and the card. */
function declined(
  context: ApiContext,
  intent: StripeObject,
  pm: StripeObject,
  result: ChargeResult,
) {
  if (result.outcome !== 'failed') return;
  throw cardError(result.decline, {
    payment_intent: expand(intent, [], context.state.store),
    payment_method: structuredClone(pm),
  });
}

const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'];
const SETUP_FUTURE_USAGE = ['on_session', 'off_session'];

/** Stripe Connect and confirmation tokens: refused by name (not modelled). */
const NOT_MODELLED: Readonly<Record<string, string>> = {
  application_fee_amount: 'Connect',
  on_behalf_of: 'Connect',
  transfer_data: 'Connect',
  confirmation_token: 'confirmation tokens',
};

/** Parameters taken and kept as given, where Stripe keeps them. */
const KEPT_STRINGS = [
  'description',
  'receipt_email',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_group',
];

/**
 * Accepted, with no effect the sandbox models: payment method options and configuration,
 * mandates, Radar, return URLs (there is no 3-D Secure page to return from), hooks.
 */
const ACCEPTED = [
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
const PAYMENT_FIELDS = [
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

const UPDATABLE = [
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

const CREATE_PARAMS = [
  ...UPDATABLE,
  'confirm',
  'confirmation_method',
  'automatic_payment_methods',
  'off_session',
  'error_on_requires_action',
  'customer_account',
];

function refuseNotModelled(params: Params): void {
  for (const [name, what] of Object.entries(NOT_MODELLED))
    if (params.has(name)) throw parameterNotModelled(name, what);
}

/** `payment_method` (an id or a test id) or `payment_method_data` (a new card). */
function paymentMethodParam(state: SandboxState, params: Params): StripeObject | undefined {
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

function oneOf(params: Params, name: string, values: readonly string[]): string | undefined {
  const value = params.string(name);
  if (value !== undefined && !values.includes(value))
    throw parameterInvalid(name, `Invalid ${name}: must be one of ${values.join(', ')}`);
  return value;
}

/** The fields the parameters set, as Stripe keeps them on the intent. */
function intentFields(context: ApiContext, params: Params, intent?: StripeObject): StripeObject {
  const fields: StripeObject = {};
  const amount = params.integer('amount', { min: 1, max: 99_999_999 });
  if (amount !== undefined) fields.amount = amount;
  const currency = params.string('currency');
  if (currency !== undefined) {
    if (!/^[a-zA-Z]{3}$/.test(currency))
      throw parameterInvalid('currency', `Invalid currency: ${currency}`);
    fields.currency = currency.toLowerCase();
  }
  const customer = params.string('customer');
  if (customer !== undefined)
    fields.customer = requireObject(context, 'customer', customer, 'customer', 'customer').id;
  for (const name of KEPT_STRINGS) {
    const value = params.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  if (params.has('metadata'))
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
  // `payment_method_types` before API version 2026-09-30, `allowed_payment_method_types` after.
  const types =
    params.strings('allowed_payment_method_types') ?? params.strings('payment_method_types');
  if (types !== undefined) {
    fields.payment_method_types = types;
    fields.allowed_payment_method_types = types;
    fields.automatic_payment_methods = null;
  }
  const excluded = params.strings('excluded_payment_method_types');
  if (excluded !== undefined) fields.excluded_payment_method_types = excluded;
  return fields;
}

const respond = (context: ApiContext, intent: StripeObject, params: Params): StripeObject =>
  expand(intent, params.expand(), context.state.store);

export const createPaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  refuseNotModelled(params);
  if (!params.has('amount')) throw parameterMissing('amount');
  if (!params.has('currency')) throw parameterMissing('currency');
  const fields = intentFields(context, params) as StripeObject & {
    amount: number;
    currency: string;
  };
  const confirmationMethod = oneOf(params, 'confirmation_method', ['automatic', 'manual']);
  const automatic = params.hash('automatic_payment_methods', ['enabled', 'allow_redirects']);
  const confirm = params.boolean('confirm') === true;
  const options = chargeOptions(params);
  if (!confirm && (params.has('off_session') || params.has('error_on_requires_action'))) {
    throw parameterInvalid(
      params.has('off_session') ? 'off_session' : 'error_on_requires_action',
      'off_session and error_on_requires_action can only be used with confirm=true.',
    );
  }
  const pm = paymentMethodParam(context.state, params);
  if (confirm && !pm) throw missingPaymentMethod();
  const intent = newPaymentIntent({
    capture_method: 'automatic_async',
    confirmation_method: confirmationMethod ?? 'automatic',
    // Without payment method types, Stripe picks them (automatic payment methods).
    automatic_payment_methods:
      fields.payment_method_types === undefined
        ? {
            allow_redirects: automatic?.string('allow_redirects') ?? 'always',
            enabled: automatic?.boolean('enabled') ?? true,
          }
        : null,
    ...fields,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    payment_method: pm ? pm.id : null,
  });
  if (pm) assertUsableBy(pm, intent.customer);
  context.state.store.put('payment_intent', intent);
  context.state.emit('payment_intent.created', intent, context.origin);
  if (confirm && pm) {
    const result = confirmPaymentIntent(context.state, intent, pm, options, context.origin);
    declined(context, intent, pm, result);
  }
  return respond(context, intent, params);
};

const chargeOptions = (params: Params): ChargeOptions => ({
  offSession: offSession(params),
  errorOnRequiresAction: params.boolean('error_on_requires_action') ?? false,
});

const missingPaymentMethod = () =>
  unexpectedState(
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
  );

export const confirmPaymentIntentEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...PAYMENT_FIELDS,
    'off_session',
    'error_on_requires_action',
    'amount_to_confirm',
    ...ACCEPTED,
  ]);
  const intent = requireObject(context, 'payment_intent', pathParam(context, 'id'));
  const given = paymentMethodParam(context.state, params);
  Object.assign(intent, intentFields(context, params, intent));
  const current =
    typeof intent.payment_method === 'string'
      ? context.state.store.get('payment_method', intent.payment_method)
      : undefined;
  const pm = given ?? current;
  if (!pm) throw missingPaymentMethod();
  const result = confirmPaymentIntent(
    context.state,
    intent,
    pm,
    chargeOptions(params),
    context.origin,
  );
  declined(context, intent, pm, result);
  return respond(context, intent, params);
};

/** Amounts and payment details can change only before the payment succeeds. */
const CHANGEABLE_ONCE_PAID = ['description', 'metadata', 'receipt_email', 'shipping', 'expand'];

export const updatePaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, UPDATABLE);
  refuseNotModelled(params);
  const intent = requireObject(context, 'payment_intent', pathParam(context, 'id'));
  if (!CONFIRMABLE.includes(intent.status as string)) {
    const fixed = Object.keys(params.raw).find((name) => !CHANGEABLE_ONCE_PAID.includes(name));
    if (fixed !== undefined) {
      throw unexpectedState(
        `You cannot update ${fixed} on a PaymentIntent with a status of ${String(intent.status)}.`,
      );
    }
  }
  const pm = paymentMethodParam(context.state, params);
  Object.assign(intent, intentFields(context, params, intent));
  if (pm) {
    assertUsableBy(pm, intent.customer);
    Object.assign(intent, { payment_method: pm.id, status: 'requires_confirmation' });
  }
  return respond(context, intent, params);
};

export const capturePaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'amount_to_capture',
    'final_capture',
    'metadata',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'amount_details',
    'payment_details',
    'hooks',
    'application_fee_amount',
    'transfer_data',
  ]);
  refuseNotModelled(params);
  const intent = requireObject(context, 'payment_intent', pathParam(context, 'id'));
  if (intent.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const capturable = intent.amount_capturable as number;
  const amount = params.integer('amount_to_capture', { min: 1, max: capturable }) ?? capturable;
  Object.assign(intent, {
    status: 'succeeded',
    amount_received: amount,
    amount_capturable: 0,
    ...(params.has('metadata')
      ? { metadata: mergeMetadata(intent.metadata as Record<string, string>, params.metadata()) }
      : {}),
  });
  context.state.emit('payment_intent.succeeded', intent, context.origin);
  return respond(context, intent, params);
};

const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
const CANCELABLE = [...CONFIRMABLE, 'requires_capture', 'processing'];

export const cancelPaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, ['cancellation_reason']);
  const intent = requireObject(context, 'payment_intent', pathParam(context, 'id'));
  if (!CANCELABLE.includes(intent.status as string)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  }
  Object.assign(intent, {
    status: 'canceled',
    canceled_at: nowSeconds(),
    cancellation_reason: oneOf(params, 'cancellation_reason', CANCELLATION_REASONS) ?? null,
    amount_capturable: 0,
    next_action: null,
  });
  context.state.emit('payment_intent.canceled', intent, context.origin);
  return respond(context, intent, params);
};
