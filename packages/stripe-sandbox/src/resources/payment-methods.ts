import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { requiredCustomer, requireObject } from './prices';
import {
  parameterInvalid,
  parameterMissing,
  resourceMissing,
  StripeApiError,
} from '../http/errors';
import { fromFixture, type StripeObject } from '../objects/fixtures';
import { nowSeconds, stripeId } from '../objects/ids';
import { expand, LIST_PARAMS, listObject, withFields } from './listing';
import { billingDetails } from './object-params';
import { mergeMetadata, Params } from '../http/params';
import type { RequestOrigin, SandboxState } from '../state/state';
import {
  cardFingerprint,
  type CardDecline,
  type TestCard,
  testCardOfNumber,
  testCardOfPaymentMethod,
  testCardOfToken,
} from '../objects/test-cards';

/**
 * Card payment methods, from Stripe's test cards: `pm_card_visa` and the other test ids
 * (each use makes a new `pm_...`, as at Stripe), `card[token]=tok_visa`, or a test card
 * number. The card decides what a charge on it does (`test-cards.ts`).
 */

const BILLING_DETAILS_KEYS = ['address', 'email', 'name', 'phone', 'tax_id'];
const ALLOW_REDISPLAY = ['always', 'limited', 'unspecified'];

export interface NewCard {
  readonly card: TestCard;
  readonly expMonth?: number;
  readonly expYear?: number;
  readonly billingDetails?: StripeObject;
  readonly metadata?: Record<string, string>;
  readonly allowRedisplay?: string;
}

/** A stored card payment method (not attached to a customer). */
export function addCardPaymentMethod(state: SandboxState, input: NewCard): StripeObject {
  const now = new Date(nowSeconds() * 1000);
  const { card } = input;
  const pm = fromFixture('payment_method', {
    id: stripeId('pm'),
    object: 'payment_method',
    allow_redisplay: input.allowRedisplay ?? 'unspecified',
    billing_details: input.billingDetails ?? billingDetails(undefined),
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
      country: card.country,
      display_brand: card.brand,
      // Stripe's test cards expire a year from now unless told otherwise.
      exp_month: input.expMonth ?? now.getUTCMonth() + 1,
      exp_year: input.expYear ?? now.getUTCFullYear() + 1,
      fingerprint: cardFingerprint(card.number),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: nowSeconds(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: input.metadata ?? {},
    type: 'card',
  });
  state.store.put('payment_method', pm);
  state.cards.set(pm.id as string, card);
  return pm;
}

/**
 * The payment method a parameter names: a stored `pm_...`, or a test id (`pm_card_visa`),
 * which becomes a new payment method each time it is used, as at Stripe.
 */
export function resolvePaymentMethod(state: SandboxState, id: string, param: string): StripeObject {
  const card = testCardOfPaymentMethod(id);
  if (card) return addCardPaymentMethod(state, { card });
  const pm = state.store.get('payment_method', id);
  if (!pm) throw resourceMissing('payment_method', id, param);
  return pm;
}

/** The test card behind a payment method. */
export function cardOf(state: SandboxState, pm: StripeObject): TestCard {
  const card = state.cards.get(pm.id as string);
  if (!card) throw new Error(`No card behind ${String(pm.id)}`);
  return card;
}

/** Stripe's 402 for a declined card. */
export function cardError(decline: CardDecline, details: Record<string, unknown> = {}) {
  return new StripeApiError(402, 'card_error', decline.message, decline.code, null, {
    decline_code: decline.declineCode,
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
    ...details,
  });
}

/**
 * Attaches a payment method to a customer (`payment_method.attached`). A card that is
 * always declined is declined on attach too (Stripe checks it), except
 * `chargeCustomerFail`, which attaches and fails when charged.
 */
export function attachPaymentMethod(
  state: SandboxState,
  pm: StripeObject,
  customer: StripeObject,
  origin: RequestOrigin,
): StripeObject {
  if (pm.customer === customer.id) return pm;
  assertAttachable(state, pm);
  pm.customer = customer.id;
  state.emit('payment_method.attached', pm, origin);
  return pm;
}

/** Throws what attaching `pm` to a customer would: already attached, or declined. */
export function assertAttachable(state: SandboxState, pm: StripeObject): void {
  if (pm.customer !== null) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'The payment method you provided has already been attached to a customer.',
      'payment_method_unexpected_state',
    );
  }
  const behaviour = cardOf(state, pm).behaviour;
  if (behaviour.kind === 'declines' && !behaviour.attachable) throw cardError(behaviour.decline);
}

/** A payment method that must belong to `customer` (`default_payment_method` and the like). */
export function customerPaymentMethod(
  state: SandboxState,
  customerId: string,
  id: string,
  param: string,
): StripeObject {
  const pm = state.store.get('payment_method', id);
  if (!pm) throw resourceMissing('payment_method', id, param);
  if (pm.customer !== customerId) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      'resource_missing',
      param,
    );
  }
  return pm;
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

/** What creates a payment method: `POST /v1/payment_methods`, or `payment_method_data`. */
export const PAYMENT_METHOD_PARAMS = [
  'type',
  'card',
  'billing_details',
  'metadata',
  'allow_redisplay',
  'radar_options',
];

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
  const allowRedisplay = params.string('allow_redisplay');
  if (allowRedisplay !== undefined && !ALLOW_REDISPLAY.includes(allowRedisplay))
    throw parameterInvalid('allow_redisplay', `Invalid allow_redisplay: ${allowRedisplay}`);
  return addCardPaymentMethod(state, {
    ...cardFromParams(cardParams),
    billingDetails: billingDetails(params.hash('billing_details', BILLING_DETAILS_KEYS)),
    metadata: mergeMetadata({}, params.metadata()),
    ...(allowRedisplay !== undefined ? { allowRedisplay } : {}),
  });
}

const respond = (context: ApiContext, object: StripeObject, params: Params): StripeObject =>
  expand(object, params.expand(), context.state.store);

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
    throw new StripeApiError(
      400,
      'invalid_request_error',
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
  const allowRedisplay = params.string('allow_redisplay');
  if (allowRedisplay !== undefined) {
    if (!ALLOW_REDISPLAY.includes(allowRedisplay))
      throw parameterInvalid('allow_redisplay', `Invalid allow_redisplay: ${allowRedisplay}`);
    previous.allow_redisplay = pm.allow_redisplay;
    pm.allow_redisplay = allowRedisplay;
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
    throw new StripeApiError(
      400,
      'invalid_request_error',
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
