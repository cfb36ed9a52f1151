import * as fs from 'node:fs';
import * as path from 'node:path';
import Stripe from 'stripe';

type StripeObject = Record<string, unknown>;

/**
 * Stripe's published example objects (`../shared/stripe/fixtures3.json`, what the team
 * hands every developer and CI), falling back to the sandbox's vendored copy of the same
 * objects when the checkout stands alone.
 */
const FIXTURES = ((): Record<string, StripeObject> => {
  const shared = path.join(__dirname, '..', '..', '..', 'shared', 'stripe', 'fixtures3.json');
  if (fs.existsSync(shared)) {
    return (
      JSON.parse(fs.readFileSync(shared, 'utf8')) as { resources: Record<string, StripeObject> }
    ).resources;
  }
  const vendored = path.join(
    __dirname,
    '..',
    '..',
    'packages',
    'stripe-sandbox',
    'fixtures',
    'stripe-objects.json',
  );
  return JSON.parse(fs.readFileSync(vendored, 'utf8')) as Record<string, StripeObject>;
})();

export function stripeFixture(name: string): StripeObject {
  const value = FIXTURES[name];
  if (!value) throw new Error(`No Stripe fixture ${name}`);
  return structuredClone(value);
}

/** The payload shapes: before API version 2025-03-31 ("legacy") and from it on ("current"). */
export type PayloadShape = 'legacy' | 'current';

export const USER_ID = 'user-42';
export const CUSTOMER_ID = 'cus_QXg1o8vcGmoR32';
export const SUBSCRIPTION_ID = 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw';
export const PRICE_ID = 'price_1PgafmB7WZ01zgkW6dKueIc5';
export const PERIOD_START = 1_763_856_000; // 2025-11-23T00:00:00Z
export const PERIOD_END = 1_766_448_000; // 2025-12-23T00:00:00Z

const metadata = (withUser: boolean) => ({
  ...(withUser ? { userId: USER_ID } : {}),
  priceId: 'price-pro-monthly',
});

export function paymentIntentObject(status: string, withUser = true): StripeObject {
  return {
    ...stripeFixture('payment_intent'),
    customer: CUSTOMER_ID,
    status,
    amount: 4900,
    amount_received: status === 'succeeded' ? 4900 : 0,
    metadata: metadata(withUser),
    last_payment_error:
      status === 'requires_payment_method'
        ? { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' }
        : null,
    next_action:
      status === 'requires_action' ? { type: 'use_stripe_sdk', use_stripe_sdk: {} } : null,
  };
}

export function subscriptionObject(
  shape: PayloadShape,
  changes: StripeObject = {},
  withUser = true,
): StripeObject {
  const sub = stripeFixture('subscription');
  const items = sub.items as { data: StripeObject[] };
  for (const item of items.data) {
    if (shape === 'current') {
      item.current_period_start = PERIOD_START;
      item.current_period_end = PERIOD_END;
    } else {
      delete item.current_period_start;
      delete item.current_period_end;
    }
  }
  return {
    ...sub,
    ...(shape === 'legacy'
      ? { current_period_start: PERIOD_START, current_period_end: PERIOD_END }
      : {}),
    customer: CUSTOMER_ID,
    status: 'active',
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    cancel_at_period_end: false,
    cancellation_details: { comment: null, feedback: null, reason: null },
    metadata: metadata(withUser),
    ...changes,
  };
}

export function invoiceObject(
  shape: PayloadShape,
  status: 'paid' | 'open',
  withUser = true,
): StripeObject {
  const invoice = stripeFixture('invoice');
  const lines = invoice.lines as { data: StripeObject[] };
  for (const line of lines.data) {
    line.period = { start: PERIOD_START, end: PERIOD_END };
    line.metadata = {};
    if (shape === 'current') {
      line.pricing = {
        type: 'price_details',
        price_details: { price: PRICE_ID, product: 'prod_1' },
        unit_amount_decimal: '1000',
      };
    } else {
      delete line.pricing;
      line.price = { id: PRICE_ID, object: 'price' };
    }
  }
  const subscriptionMetadata = withUser ? { userId: USER_ID } : {};
  return {
    ...invoice,
    customer: CUSTOMER_ID,
    status,
    billing_reason: 'subscription_cycle',
    amount_paid: status === 'paid' ? 1000 : 0,
    amount_remaining: status === 'paid' ? 0 : 1000,
    attempt_count: 1,
    metadata: {},
    ...(shape === 'current'
      ? {
          parent: {
            type: 'subscription_details',
            quote_details: null,
            subscription_details: { metadata: subscriptionMetadata, subscription: SUBSCRIPTION_ID },
          },
        }
      : {
          parent: undefined,
          subscription: SUBSCRIPTION_ID,
          subscription_details: { metadata: subscriptionMetadata },
        }),
  };
}

export function checkoutSessionObject(withUser = true): StripeObject {
  return {
    ...stripeFixture('checkout.session'),
    customer: CUSTOMER_ID,
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    client_reference_id: withUser ? USER_ID : null,
    metadata: metadata(withUser),
    subscription: SUBSCRIPTION_ID,
    payment_intent: null,
    amount_subtotal: 1999,
    amount_total: 1999,
    currency: 'usd',
  };
}

let sequence = 0;

/** A Stripe event around `object`, from Stripe's event fixture. */
export function stripeEvent(
  type: string,
  object: StripeObject,
  options: { id?: string; created?: number; livemode?: boolean } = {},
): StripeObject {
  sequence += 1;
  return {
    ...stripeFixture('event'),
    id: options.id ?? `evt_test_${String(Date.now())}_${String(sequence)}`,
    type,
    created: options.created ?? Math.floor(Date.now() / 1000),
    api_version: Stripe.API_VERSION,
    livemode: options.livemode ?? false,
    data: { object },
  };
}

/** `Stripe-Signature` for `payload`, exactly as Stripe signs (`t=...,v1=...`). */
export const signatureFor = (payload: string, secret: string, timestamp?: number): string =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
