import {
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
} from '../http/errors';
import { shipping } from '../http/object-params';
import { mergeMetadata, Params } from '../http/params';
import { fixture, fromFixture, type StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { INTENT_STRING_FIELDS, SETUP_FUTURE_USAGE } from '../objects/payment-intents';
import { nowSeconds } from '../objects/clock';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { isHttpUrl, optionalCustomer, readEndpoints, requireObject, respond } from './shared';

/**
 * `/v1/checkout/sessions`: sessions in `payment` or `subscription` mode, paid on the
 * hosted page at their `url` (see `billing/checkout-completion.ts`).
 */

const SESSION_LIFETIME_SECONDS = 24 * 3600;

const CREATE_PARAMS = [
  'mode',
  'line_items',
  'success_url',
  'cancel_url',
  'customer',
  'customer_email',
  'client_reference_id',
  'metadata',
  'subscription_data',
  'payment_intent_data',
  'allow_promotion_codes',
  'billing_address_collection',
  'locale',
  'expires_at',
  'payment_method_types',
];

const PAYMENT_INTENT_DATA = [
  'metadata',
  'description',
  'setup_future_usage',
  'shipping',
  'receipt_email',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_group',
  'capture_method',
  'application_fee_amount',
  'on_behalf_of',
  'transfer_data',
];

/** An http(s) URL the buyer is sent to (`success_url`, `return_url`, ...), or null. */
export function redirectUrl(params: Params, name: string): string | null {
  const value = params.string(name);
  if (value === undefined) return null;
  if (!isHttpUrl(value)) throw parameterInvalid(name, `Not a valid URL`);
  return value;
}

/** Stripe caps `client_reference_id` at 200 characters. */
function clientReferenceId(params: Params): string | null {
  const value = params.string('client_reference_id');
  if (value !== undefined && value.length > 200) {
    throw parameterInvalid(
      'client_reference_id',
      'client_reference_id must be at most 200 characters.',
    );
  }
  return value ?? null;
}

function sessionMode(params: Params): 'payment' | 'subscription' {
  const mode = params.requiredString('mode');
  if (mode !== 'payment' && mode !== 'subscription')
    throw parameterInvalid('mode', `Invalid mode: the sandbox supports payment and subscription.`);
  return mode;
}

interface LineItem {
  readonly price: StripeObject;
  readonly quantity: number;
}

/** `line_items`: active prices in one currency; exactly one recurring price in subscription mode. */
function lineItems(context: ApiContext, params: Params, mode: string): LineItem[] {
  const lines = params.hashes('line_items', ['price', 'quantity']);
  if (!lines || lines.length === 0) throw parameterMissing('line_items');
  const items = lines.map((line, i) => {
    const priceId = line.requiredString('price');
    const price = requireObject(context, 'price', priceId, 'price', `line_items[${i}][price]`);
    if (price.active !== true) {
      throw parameterInvalid(
        `line_items[${i}][price]`,
        `The price specified is inactive. This field only accepts active prices.`,
      );
    }
    return { price, quantity: line.integer('quantity', { min: 1, max: 999_999 }) ?? 1 };
  });
  const recurring = items.filter((l) => l.price.type === 'recurring');
  if (mode === 'payment' && recurring.length > 0) {
    throw parameterInvalid(
      'line_items',
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
    );
  }
  if (mode === 'subscription' && (recurring.length !== 1 || items.length !== 1)) {
    throw parameterInvalid(
      'line_items',
      'The sandbox supports exactly one recurring price in `subscription` mode.',
    );
  }
  if (new Set(items.map((l) => l.price.currency)).size > 1)
    throw parameterInvalid('line_items', 'All prices must share one currency.');
  return items;
}

/**
 * What `payment_intent_data` sets on the session's payment intent besides its metadata
 * (`shipping`, `description`, ...). Connect and manual capture are not modelled.
 */
function intentDataFields(data: Params): StripeObject {
  for (const name of ['application_fee_amount', 'on_behalf_of', 'transfer_data'])
    if (data.has(name)) throw parameterNotModelled(`payment_intent_data[${name}]`, 'Connect');
  if (data.string('capture_method') === 'manual')
    throw parameterNotModelled('payment_intent_data[capture_method]', 'manual capture in Checkout');
  const fields: StripeObject = {};
  for (const name of INTENT_STRING_FIELDS) {
    const value = data.string(name);
    if (value !== undefined) fields[name] = value;
  }
  const future = data.string('setup_future_usage');
  if (future !== undefined) {
    if (!SETUP_FUTURE_USAGE.includes(future))
      throw parameterInvalid('payment_intent_data[setup_future_usage]', `Invalid value: ${future}`);
    fields.setup_future_usage = future;
  }
  const ship = shipping(data);
  if (ship) fields.shipping = ship;
  return fields;
}

/** `subscription_data` and `payment_intent_data`, each for its own mode only. */
function modeData(params: Params, mode: string) {
  const subscriptionData = params.hash('subscription_data', ['metadata', 'description']);
  const paymentIntentData = params.hash('payment_intent_data', PAYMENT_INTENT_DATA);
  const paymentIntentFields = paymentIntentData ? intentDataFields(paymentIntentData) : {};
  if (subscriptionData && mode !== 'subscription')
    throw parameterInvalid('subscription_data', 'subscription_data is only for subscription mode.');
  if (paymentIntentData && mode !== 'payment')
    throw parameterInvalid('payment_intent_data', 'payment_intent_data is only for payment mode.');
  return { subscriptionData, paymentIntentData, paymentIntentFields };
}

/** An open session over `items`, its page at the sandbox's `/checkout/<id>`. */
function openSession(
  context: ApiContext,
  params: Params,
  mode: string,
  items: readonly LineItem[],
  customer: StripeObject | undefined,
): StripeObject {
  const amount = items.reduce((sum, l) => sum + (l.price.unit_amount as number) * l.quantity, 0);
  const id = stripeId('cs_test', 58);
  const now = nowSeconds();
  return fromFixture('checkout.session', {
    id,
    object: 'checkout.session',
    mode,
    status: 'open',
    payment_status: 'unpaid',
    url: `${context.state.baseUrl}/checkout/${id}`,
    success_url: redirectUrl(params, 'success_url'),
    cancel_url: redirectUrl(params, 'cancel_url'),
    customer: customer ? customer.id : null,
    customer_email: params.string('customer_email') ?? null,
    customer_details: null,
    customer_creation: customer ? null : 'if_required',
    client_reference_id: clientReferenceId(params),
    metadata: mergeMetadata({}, params.metadata()),
    amount_subtotal: amount,
    amount_total: amount,
    currency: items[0]?.price.currency,
    created: now,
    expires_at: params.integer('expires_at') ?? now + SESSION_LIFETIME_SECONDS,
    locale: params.string('locale') ?? null,
    allow_promotion_codes: params.boolean('allow_promotion_codes') ?? null,
    billing_address_collection: params.string('billing_address_collection') ?? null,
    invoice_creation:
      mode === 'payment'
        ? { ...(fixture('checkout.session').invoice_creation as object), enabled: false }
        : null,
    ...unmodelledSessionFields(),
  });
}

/** What a session has of what the sandbox does not model: none, empty, hosted. */
const unmodelledSessionFields = (): StripeObject => ({
  livemode: false,
  payment_intent: null,
  subscription: null,
  invoice: null,
  setup_intent: null,
  payment_link: null,
  recovered_from: null,
  after_expiration: null,
  consent: null,
  consent_collection: null,
  custom_fields: [],
  custom_text: {
    after_submit: null,
    shipping_address: null,
    submit: null,
    terms_of_service_acceptance: null,
  },
  discounts: [],
  payment_method_types: ['card'],
  shipping_address_collection: null,
  shipping_cost: null,
  shipping_options: [],
  total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
  client_secret: null,
  ui_mode: 'hosted',
});

export const createCheckoutSession: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  const mode = sessionMode(params);
  const items = lineItems(context, params, mode);
  const customer = optionalCustomer(context, params);
  const { subscriptionData, paymentIntentData, paymentIntentFields } = modeData(params, mode);
  const session = openSession(context, params, mode, items, customer);
  context.state.store.put('checkout.session', session);
  context.state.sessions.set(session.id as string, {
    lineItems: items.map((l) => ({ price: l.price.id as string, quantity: l.quantity })),
    subscriptionMetadata: mergeMetadata({}, subscriptionData?.metadata()),
    paymentIntentMetadata: mergeMetadata({}, paymentIntentData?.metadata()),
    paymentIntentFields,
  });
  return respond(context, session, params);
};

export const checkoutSessions = readEndpoints('checkout.session', '/v1/checkout/sessions', [
  'customer',
  'payment_intent',
  'subscription',
  'status',
]);

/** `POST /v1/checkout/sessions/:id/expire`: an open session expires (`checkout.session.expired`). */
export const expireCheckoutSession: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const session = requireObject(context, 'checkout.session', pathParam(context, 'id'));
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status of open can be expired; this one is ${String(session.status)}.`,
      'checkout_session_not_open',
    );
  }
  session.status = 'expired';
  context.state.emit('checkout.session.expired', session, context.origin);
  return respond(context, session, params);
};
