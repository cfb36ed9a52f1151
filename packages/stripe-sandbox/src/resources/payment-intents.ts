import {
  assertUsableBy,
  CONFIRMABLE,
  confirmPaymentIntent,
  unexpectedState,
} from '../billing/charges';
import { cardError, parameterInvalid, parameterMissing } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { type ChargeResult, newPaymentIntent } from '../objects/payment-intents';
import { nowSeconds } from '../objects/clock';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { expand } from './listing';
import {
  ACCEPTED,
  chargeOptions,
  CREATE_PARAMS,
  intentFields,
  NOT_MODELLED,
  oneOf,
  PAYMENT_FIELDS,
  paymentMethodParam,
  UPDATABLE,
} from './payment-intent-params';
import { readEndpoints, refuseNotModelled, requireObject, respond } from './shared';

/**
 * `/v1/payment_intents`: create (and `confirm=true`), update, confirm, capture, cancel.
 * Confirming charges the payment method's test card: it succeeds, is declined (Stripe's
 * 402 `card_error`) or waits for 3-D Secure, with Stripe's events.
 */

const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
const CANCELABLE = [...CONFIRMABLE, 'requires_capture', 'processing'];

/** Amounts and payment details can change only before the payment succeeds. */
const CHANGEABLE_ONCE_PAID = ['description', 'metadata', 'receipt_email', 'shipping', 'expand'];

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

const missingPaymentMethod = () =>
  unexpectedState(
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
  );

export const paymentIntents = readEndpoints('payment_intent', '/v1/payment_intents', ['customer']);

export const createPaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  refuseNotModelled(params, NOT_MODELLED);
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

export const updatePaymentIntent: ApiHandler = (context) => {
  const params = new Params(context.raw, UPDATABLE);
  refuseNotModelled(params, NOT_MODELLED);
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
  refuseNotModelled(params, NOT_MODELLED);
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
    metadata: mergeMetadata(intent.metadata as Record<string, string>, params.metadata()),
  });
  context.state.emit('payment_intent.succeeded', intent, context.origin);
  return respond(context, intent, params);
};

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
