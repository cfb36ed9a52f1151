import {
  addCardPaymentMethod,
  attachPaymentMethod,
  type NewCard,
  resolvePaymentMethod,
} from '../billing/payment-methods';
import {
  cardError,
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  resourceMissing,
} from '../http/errors';
import { billingDetails } from '../http/object-params';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { testCardOfNumber, testCardOfToken } from '../objects/test-cards';
import type { SandboxState } from '../state/state';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject, withFields } from './listing';
import { requiredCustomer, requireObject, respond } from './shared';

/**
 * `/v1/payment_methods` (and a customer's, `/v1/customers/:id/payment_methods`): card
 * payment methods from Stripe's test cards, attached and detached.
 */

const BILLING_DETAILS_KEYS = ['address', 'email', 'name', 'phone', 'tax_id'];
const ALLOW_REDISPLAY = ['always', 'limited', 'unspecified'];

/** What creates a payment method: `POST /v1/payment_methods`, or `payment_method_data`. */
export const PAYMENT_METHOD_PARAMS = [
  'type',
  'card',
  'billing_details',
  'metadata',
  'allow_redisplay',
  'radar_options',
];

function allowRedisplay(params: Params): string | undefined {
  const value = params.string('allow_redisplay');
  if (value !== undefined && !ALLOW_REDISPLAY.includes(value))
    throw parameterInvalid('allow_redisplay', `Invalid allow_redisplay: ${value}`);
  return value;
}

/** A card from `card[token]`, or from `card[number]` (a test card number). */
function cardFromParams(card: Params): NewCard {
  const token = card.string('token');
  if (token !== undefined) {
    const found = testCardOfToken(token);
    if (!found) throw resourceMissing('token', token, 'card[token]');
    return { card: found };
  }
  const number = card.string('number');
  if (number === undefined) throw parameterMissing('card[number]');
  const found = testCardOfNumber(number);
  if (!found) {
    throw cardError(
      {
        code: 'incorrect_number',
        declineCode: 'incorrect_number',
        message: 'Your card number is incorrect.',
      },
      { param: 'number' },
    );
  }
  const expMonth = card.integer('exp_month', { min: 1, max: 12 });
  const expYear = card.integer('exp_year', { min: 0, max: 9999 });
  if (expMonth === undefined) throw parameterMissing('card[exp_month]');
  if (expYear === undefined) throw parameterMissing('card[exp_year]');
  return { card: found, expMonth, expYear: expYear < 100 ? 2000 + expYear : expYear };
}

/** `type=card` with `card[...]`, `billing_details`, `metadata`, `allow_redisplay`. */
export function paymentMethodFromParams(state: SandboxState, params: Params): StripeObject {
  const type = params.requiredString('type');
  if (type !== 'card') {
    throw parameterInvalid(
      'type',
      `The sandbox models card payment methods only (type=card), not ${type}.`,
    );
  }
  const cardParams = params.hash('card', [
    'token',
    'number',
    'exp_month',
    'exp_year',
    'cvc',
    'networks',
  ]);
  if (!cardParams) throw parameterMissing('card');
  const redisplay = allowRedisplay(params);
  return addCardPaymentMethod(state, {
    ...cardFromParams(cardParams),
    billingDetails: billingDetails(params.hash('billing_details', BILLING_DETAILS_KEYS)),
    metadata: mergeMetadata({}, params.metadata()),
    ...(redisplay !== undefined ? { allowRedisplay: redisplay } : {}),
  });
}

export const createPaymentMethod: ApiHandler = (context) => {
  const params = new Params(context.raw, PAYMENT_METHOD_PARAMS);
  return respond(context, paymentMethodFromParams(context.state, params), params);
};

export const retrievePaymentMethod: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  return respond(
    context,
    resolvePaymentMethod(context.state, pathParam(context, 'id'), 'id'),
    params,
  );
};

/** Only a payment method attached to a customer can be updated, as at Stripe. */
export const updatePaymentMethod: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    'billing_details',
    'metadata',
    'allow_redisplay',
    'card',
  ]);
  const pm = requireObject(context, 'payment_method', pathParam(context, 'id'));
  if (pm.customer === null) {
    throw invalidRequest(
      'You must save this PaymentMethod to a customer before you can update it.',
      'payment_method_unexpected_state',
    );
  }
  const previous: Record<string, unknown> = {};
  const details = params.hash('billing_details', BILLING_DETAILS_KEYS);
  if (details) {
    previous.billing_details = structuredClone(pm.billing_details);
    const current = pm.billing_details as StripeObject;
    const given = billingDetails(details);
    for (const key of BILLING_DETAILS_KEYS) if (details.has(key)) current[key] = given[key];
  }
  if (params.has('metadata')) {
    previous.metadata = pm.metadata;
    pm.metadata = mergeMetadata(pm.metadata as Record<string, string>, params.metadata());
  }
  const redisplay = allowRedisplay(params);
  if (redisplay !== undefined) {
    previous.allow_redisplay = pm.allow_redisplay;
    pm.allow_redisplay = redisplay;
  }
  const card = params.hash('card', ['exp_month', 'exp_year', 'networks']);
  if (card) {
    const current = pm.card as StripeObject;
    previous.card = structuredClone(current);
    current.exp_month = card.integer('exp_month', { min: 1, max: 12 }) ?? current.exp_month;
    current.exp_year = card.integer('exp_year', { min: 2000, max: 9999 }) ?? current.exp_year;
  }
  if (Object.keys(previous).length > 0)
    context.state.emit('payment_method.updated', pm, context.origin, previous);
  return respond(context, pm, params);
};

function paymentMethodList(
  context: ApiContext,
  params: Params,
  customer: string | undefined,
  url: string,
): StripeObject {
  const items = context.state.store.list('payment_method').filter(
    withFields({
      customer,
      type: params.string('type'),
      allow_redisplay: params.string('allow_redisplay'),
    }),
  );
  return listObject(url, items, params);
}

export const listPaymentMethods: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'customer', 'type', 'allow_redisplay']);
  const customer = params.string('customer');
  return respond(
    context,
    paymentMethodList(context, params, customer, '/v1/payment_methods'),
    params,
  );
};

export const listCustomerPaymentMethods: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, 'type', 'allow_redisplay']);
  const customer = requireObject(context, 'customer', pathParam(context, 'id'));
  const url = `/v1/customers/${customer.id as string}/payment_methods`;
  return respond(context, paymentMethodList(context, params, customer.id as string, url), params);
};

export const retrieveCustomerPaymentMethod: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const customer = requireObject(context, 'customer', pathParam(context, 'id'));
  const id = pathParam(context, 'pm');
  const pm = context.state.store.get('payment_method', id);
  if (!pm || pm.customer !== customer.id) throw resourceMissing('payment_method', id);
  return respond(context, pm, params);
};

export const attachPaymentMethodEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['customer', 'customer_account']);
  const customer = requiredCustomer(context, params);
  const pm = resolvePaymentMethod(context.state, pathParam(context, 'id'), 'id');
  return respond(context, attachPaymentMethod(context.state, pm, customer, context.origin), params);
};

/**
 * Detaches a payment method (`payment_method.detached`, whose object still names the
 * customer in `previous_attributes`); a customer whose invoice default it was loses it.
 */
export const detachPaymentMethod: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const pm = requireObject(context, 'payment_method', pathParam(context, 'id'));
  const customerId = pm.customer;
  if (typeof customerId !== 'string') {
    throw invalidRequest(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
      'payment_method_unexpected_state',
    );
  }
  pm.customer = null;
  context.state.emit('payment_method.detached', pm, context.origin, { customer: customerId });
  const customer = context.state.store.get('customer', customerId);
  const settings = customer?.invoice_settings as StripeObject | undefined;
  if (customer && settings && settings.default_payment_method === pm.id) {
    const previous = { invoice_settings: structuredClone(settings) };
    settings.default_payment_method = null;
    context.state.emit('customer.updated', customer, context.origin, previous);
  }
  return respond(context, pm, params);
};
