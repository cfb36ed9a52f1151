import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import {
  applyCharge,
  type ChargeResult,
  invoice,
  newPaymentIntent,
  type PaymentOutcome,
  subscription,
} from '../objects/invoices';
import { applyUpdates, requireObject } from './prices';
import { addCustomer } from './customers';
import {
  parameterInvalid,
  parameterMissing,
  parameterNotModelled,
  resourceMissing,
  StripeApiError,
} from '../http/errors';
import { fixture, fromFixture, type StripeObject } from '../objects/fixtures';
import { nowSeconds, stripeId } from '../objects/ids';
import { expand, LIST_PARAMS, listObject, withFields } from './listing';
import { shipping } from './object-params';
import { chargeEventType, chargeResult } from './payment-intents';
import { cardOf, resolvePaymentMethod } from './payment-methods';
import { mergeMetadata, Params } from '../http/params';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';

const SESSION_LIFETIME_SECONDS = 24 * 3600;

function validUrl(params: Params, name: string): string | null {
  const value = params.string(name);
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw parameterInvalid(name, `Not a valid URL`);
  }
  return value;
}

function requireCustomerParam(context: ApiContext, id: string): StripeObject {
  return requireObject(context, 'customer', id, 'customer', 'customer');
}

export const createCheckoutSession: ApiHandler = (context) => {
  const params = new Params(context.raw, [
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
  ]);
  const mode = params.requiredString('mode');
  if (mode !== 'payment' && mode !== 'subscription') {
    throw parameterInvalid('mode', `Invalid mode: the sandbox supports payment and subscription.`);
  }
  const lines = params.hashes('line_items', ['price', 'quantity']);
  if (!lines || lines.length === 0) throw parameterMissing('line_items');
  const lineItems = lines.map((line, i) => {
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
  const recurring = lineItems.filter((l) => l.price.type === 'recurring');
  if (mode === 'payment' && recurring.length > 0) {
    throw parameterInvalid(
      'line_items',
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
    );
  }
  if (mode === 'subscription' && (recurring.length !== 1 || lineItems.length !== 1)) {
    throw parameterInvalid(
      'line_items',
      'The sandbox supports exactly one recurring price in `subscription` mode.',
    );
  }
  const currencies = new Set(lineItems.map((l) => l.price.currency));
  if (currencies.size > 1)
    throw parameterInvalid('line_items', 'All prices must share one currency.');

  const customerId = params.string('customer');
  const customer = customerId === undefined ? null : requireCustomerParam(context, customerId);
  const subscriptionData = params.hash('subscription_data', ['metadata', 'description']);
  const paymentIntentData = params.hash('payment_intent_data', [
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
  ]);
  const paymentIntentFields = paymentIntentData ? intentDataFields(paymentIntentData) : {};
  if (subscriptionData && mode !== 'subscription')
    throw parameterInvalid('subscription_data', 'subscription_data is only for subscription mode.');
  if (paymentIntentData && mode !== 'payment')
    throw parameterInvalid('payment_intent_data', 'payment_intent_data is only for payment mode.');

  const amount = lineItems.reduce(
    (sum, l) => sum + (l.price.unit_amount as number) * l.quantity,
    0,
  );
  const id = stripeId('cs_test', 58);
  const now = nowSeconds();
  const template = fixture('checkout.session');
  const session = fromFixture('checkout.session', {
    id,
    object: 'checkout.session',
    mode,
    status: 'open',
    payment_status: 'unpaid',
    url: `${context.state.baseUrl}/checkout/${id}`,
    success_url: validUrl(params, 'success_url'),
    cancel_url: validUrl(params, 'cancel_url'),
    customer: customer ? customer.id : null,
    customer_email: params.string('customer_email') ?? null,
    customer_details: null,
    customer_creation: customer ? null : 'if_required',
    client_reference_id: clientReferenceId(params),
    metadata: mergeMetadata({}, params.metadata()),
    amount_subtotal: amount,
    amount_total: amount,
    currency: lineItems[0]?.price.currency,
    created: now,
    expires_at: params.integer('expires_at') ?? now + SESSION_LIFETIME_SECONDS,
    livemode: false,
    locale: params.string('locale') ?? null,
    payment_intent: null,
    subscription: null,
    invoice: null,
    setup_intent: null,
    payment_link: null,
    recovered_from: null,
    after_expiration: null,
    allow_promotion_codes: params.boolean('allow_promotion_codes') ?? null,
    billing_address_collection: params.string('billing_address_collection') ?? null,
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
    invoice_creation:
      mode === 'payment' ? { ...(template.invoice_creation as object), enabled: false } : null,
    payment_method_types: ['card'],
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    client_secret: null,
    ui_mode: 'hosted',
  });
  context.state.store.put('checkout.session', session);
  context.state.sessions.set(id, {
    lineItems: lineItems.map((l) => ({ price: l.price.id as string, quantity: l.quantity })),
    subscriptionMetadata: mergeMetadata({}, subscriptionData?.metadata()),
    paymentIntentMetadata: mergeMetadata({}, paymentIntentData?.metadata()),
    paymentIntentFields,
  });
  return expand(session, params.expand(), context.state.store);
};

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
  for (const name of [
    'description',
    'receipt_email',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'transfer_group',
  ]) {
    const value = data.string(name);
    if (value !== undefined) fields[name] = value;
  }
  const future = data.string('setup_future_usage');
  if (future !== undefined) {
    if (future !== 'on_session' && future !== 'off_session')
      throw parameterInvalid('payment_intent_data[setup_future_usage]', `Invalid value: ${future}`);
    fields.setup_future_usage = future;
  }
  const ship = shipping(data);
  if (ship) fields.shipping = ship;
  return fields;
}

export const retrieveCheckoutSession: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const id = pathParam(context, 'id');
  const session = context.state.store.get('checkout.session', id);
  if (!session) throw resourceMissing('checkout.session', id);
  return expand(session, params.expand(), context.state.store);
};

/** `POST /v1/checkout/sessions/:id/expire`: an open session expires (`checkout.session.expired`). */
export const expireCheckoutSession: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const session = requireObject(context, 'checkout.session', pathParam(context, 'id'));
  if (session.status !== 'open') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `Only Checkout Sessions with a status of open can be expired; this one is ${String(session.status)}.`,
      'checkout_session_not_open',
    );
  }
  session.status = 'expired';
  context.state.emit('checkout.session.expired', session, context.origin);
  return expand(session, params.expand(), context.state.store);
};

export const listCheckoutSessions: ApiHandler = (context) => {
  const params = new Params(context.raw, [
    ...LIST_PARAMS,
    'customer',
    'payment_intent',
    'subscription',
    'status',
  ]);
  const filters = ['customer', 'payment_intent', 'subscription', 'status'].map(
    (f) => [f, params.string(f)] as const,
  );
  const items = context.state.store
    .list('checkout.session')
    .filter(withFields(Object.fromEntries(filters)));
  return expand(
    listObject('/v1/checkout/sessions', items, params),
    params.expand(),
    context.state.store,
  );
};

export const createPortalSession: ApiHandler = (context) => {
  const params = new Params(context.raw, ['customer', 'return_url', 'configuration', 'locale']);
  const customer = requireCustomerParam(context, params.requiredString('customer'));
  const id = stripeId('bps');
  const session = fromFixture('billing_portal.session', {
    id,
    object: 'billing_portal.session',
    configuration: stripeId('bpc'),
    created: nowSeconds(),
    customer: customer.id,
    flow: null,
    livemode: false,
    locale: params.string('locale') ?? null,
    on_behalf_of: null,
    return_url: validUrl(params, 'return_url'),
    url: `${context.state.baseUrl}/portal/${id}`,
    customer_account: null,
  });
  context.state.store.put('billing_portal.session', session);
  return session;
};

/** The test card each outcome of the hosted page and the complete control pays with. */
const OUTCOME_CARDS: Readonly<Record<PaymentOutcome, string>> = {
  succeeded: 'pm_card_visa',
  failed: 'pm_card_chargeDeclined',
  requires_action: 'pm_card_authenticationRequired',
};

/**
 * Completes an open session as the buyer's card decides: a payment method (the payment
 * page's confirm), or an outcome (the hosted page's buttons, the complete control), which
 * pays with the test card of that outcome. A paid session completes (and starts the
 * subscription in subscription mode); a declined card leaves it open; a card that needs
 * 3-D Secure leaves the payment waiting. Returns the session and the charge's result.
 */
export function completeCheckoutSession(
  state: SandboxState,
  sessionId: string,
  payment: PaymentOutcome | StripeObject,
  origin: RequestOrigin = NO_REQUEST,
): { session: StripeObject; result: ChargeResult } {
  const session = state.store.get('checkout.session', sessionId);
  const details = state.sessions.get(sessionId);
  if (!session || !details) throw resourceMissing('checkout.session', sessionId);
  if (session.status !== 'open') {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `This Checkout Session is ${String(session.status)}.`,
      'checkout_session_not_open',
    );
  }
  const pm =
    typeof payment === 'string'
      ? resolvePaymentMethod(state, OUTCOME_CARDS[payment], 'payment_method')
      : payment;
  const result = chargeResult(cardOf(state, pm), { offSession: false });
  const billing = pm.billing_details as StripeObject | null;
  const customerId = ensureCustomer(
    state,
    session,
    (billing?.email as string | null) ?? null,
    origin,
  );
  const customer = state.store.get('customer', customerId);
  const email =
    (customer?.email as string | null | undefined) ?? (session.customer_email as string | null);
  const amount = session.amount_total as number;
  const currency = session.currency as string;
  const charged = (fields: StripeObject): StripeObject => {
    const intent = newPaymentIntent({ amount, currency, customer: customerId, ...fields });
    applyCharge(intent, result, pm);
    state.store.put('payment_intent', intent);
    return intent;
  };
  const completed = () =>
    applyUpdates(session, {
      status: 'complete',
      payment_status: 'paid',
      customer_details: customerDetails(email, billing),
    });

  if (session.mode === 'payment') {
    const intent = charged({
      metadata: { ...details.paymentIntentMetadata },
      ...details.paymentIntentFields,
    });
    session.payment_intent = intent.id;
    state.emit(chargeEventType(intent), intent, origin);
    if (result.outcome === 'succeeded') {
      completed();
      state.emit('checkout.session.completed', session, origin);
    }
    return { session, result };
  }

  const line = details.lineItems[0];
  const price = line ? state.store.get('price', line.price) : undefined;
  if (!line || !price) throw new Error(`Session ${sessionId} has no recurring price`);
  if (result.outcome === 'failed') {
    // A declined card in subscription mode creates no subscription; the buyer may retry.
    const intent = charged({ metadata: { ...details.subscriptionMetadata } });
    state.emit('payment_intent.payment_failed', intent, origin);
    return { session, result };
  }
  const paid = result.outcome === 'succeeded';
  const sub = subscription({
    customer: customerId,
    price,
    quantity: line.quantity,
    metadata: details.subscriptionMetadata,
    status: paid ? 'active' : 'incomplete',
  });
  const intent = charged({ metadata: {}, description: 'Subscription creation' });
  const firstInvoice = invoice(
    { subscription: sub, billingReason: 'subscription_create', paid, customerEmail: email },
    invoiceLineTemplate(),
  );
  sub.latest_invoice = firstInvoice.id;
  state.store.put('subscription', sub);
  state.store.put('invoice', firstInvoice);
  state.emit('customer.subscription.created', sub, origin);
  if (paid) {
    state.emit('invoice.payment_succeeded', firstInvoice, origin);
    session.subscription = sub.id;
    session.invoice = firstInvoice.id;
    completed();
    state.emit('checkout.session.completed', session, origin);
  } else {
    session.subscription = sub.id;
    state.emit('payment_intent.requires_action', intent, origin);
  }
  return { session, result };
}

/** Checkout creates a customer when the session was not given one. */
function ensureCustomer(
  state: SandboxState,
  session: StripeObject,
  billingEmail: string | null,
  origin: RequestOrigin,
): string {
  if (typeof session.customer === 'string') return session.customer;
  const customer = addCustomer(
    state,
    {
      email: (session.customer_email as string | null | undefined) ?? billingEmail,
      metadata: {},
    },
    origin,
  );
  session.customer = customer.id;
  return customer.id as string;
}

/** What the buyer gave: the email, and the card's billing name and address. */
function customerDetails(email: string | null, billing: StripeObject | null): StripeObject {
  const address = billing?.address as StripeObject | null | undefined;
  return {
    address: address && Object.values(address).some((v) => v !== null) ? address : null,
    email,
    name: billing?.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
    business_name: null,
    individual_name: null,
  };
}

export function invoiceLineTemplate(): StripeObject {
  const lines = fixture('invoice').lines as { data: StripeObject[] };
  const line = lines.data[0];
  if (!line) throw new Error('The invoice fixture has no line');
  return line;
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
