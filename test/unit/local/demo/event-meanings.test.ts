import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type Stripe from 'stripe';
import { BILLING_EVENT_TYPES } from '../../../../lambda/shared/billing-events';
import { mapStripeEvent } from '../../../../lambda/stripe-events/billing-event-mapping';
import { DEMO_DIR } from '../../../../local/demo-files';
import {
  checkoutSessionObject,
  CUSTOMER_ID,
  invoiceObject,
  paymentIntentObject,
  stripeEvent,
  subscriptionObject,
  USER_ID,
} from '../../../support/stripe-events';
import { DEFAULT_ACCESS_POLICY } from '../../../../lambda/domain/access';

interface Meaning {
  readonly title: string;
  readonly tone: 'success' | 'failure' | 'warning' | 'info';
  readonly summary: string;
  readonly fields: readonly { key: string; label: string; value: string }[];
}

interface BillingEventMeanings {
  describeBillingEvent(event: unknown): Meaning;
  describedEventTypes(): string[];
  formatMoney(amount: unknown, currency: unknown): string | null;
}

/** The page's script, run as the browser runs it: a classic script on a fresh global. */
function loadMeanings(): BillingEventMeanings {
  const context: { BillingEventMeanings?: BillingEventMeanings } = {};
  vm.runInNewContext(fs.readFileSync(path.join(DEMO_DIR, 'event-meanings.js'), 'utf8'), context);
  if (!context.BillingEventMeanings) throw new Error('event-meanings.js defined nothing');
  return context.BillingEventMeanings;
}

const meanings = loadMeanings();

/**
 * A billing event as the webhook publishes it: the contract's own mapping of a Stripe
 * event (the test fixtures the mapping's tests use), so the page is read against the
 * `data` the service really sends.
 */
function billingEvent(stripeType: string, object: Record<string, unknown>) {
  const event = stripeEvent(stripeType, object);
  const mapped = mapStripeEvent(event as unknown as Stripe.Event, DEFAULT_ACCESS_POLICY);
  if (!mapped) throw new Error(`${stripeType} is not handled`);
  return {
    ...mapped,
    id: `${String(event.id)}:${mapped.type}`,
    stripeEventId: event.id,
    stripeEventType: stripeType,
  };
}

const describe_ = (stripeType: string, object: Record<string, unknown>) => {
  const event = billingEvent(stripeType, object);
  const meaning = meanings.describeBillingEvent(event);
  return {
    type: event.type,
    ...meaning,
    fields: Object.fromEntries(meaning.fields.map((field) => [field.key, field.value])),
    labels: meaning.fields.map((field) => field.label),
  };
};

describe('the demo page: what each billing event means', () => {
  it('describes every billing event type the service publishes, and no other', () => {
    expect(meanings.describedEventTypes().sort()).toEqual(
      Object.values(BILLING_EVENT_TYPES).sort(),
    );
  });

  it('a payment: amount and currency, status, the user, the price', () => {
    expect(describe_('payment_intent.succeeded', paymentIntentObject('succeeded'))).toMatchObject({
      type: 'payment.successful',
      title: 'Payment succeeded',
      tone: 'success',
      summary: '$49.00 USD was charged.',
      fields: {
        amount: '$49.00 USD',
        status: 'succeeded',
        user: USER_ID,
        price: 'price-pro-monthly',
        object: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
        stripeEvent: 'payment_intent.succeeded',
      },
    });
  });

  it('a failed payment: how much, why, and that nothing was taken', () => {
    const failed = describe_(
      'payment_intent.payment_failed',
      paymentIntentObject('requires_payment_method'),
    );
    expect(failed).toMatchObject({
      type: 'payment.failed',
      title: 'Payment failed',
      tone: 'failure',
      summary:
        '$49.00 USD could not be charged: Your card was declined. (card_declined) Nothing was taken.',
      fields: { amount: '$49.00 USD', status: 'requires_payment_method', user: USER_ID },
    });
  });

  it('a payment waiting for the buyer (3-D Secure)', () => {
    expect(
      describe_('payment_intent.requires_action', paymentIntentObject('requires_action')),
    ).toMatchObject({
      type: 'payment.action_required',
      title: 'Payment waiting for the buyer',
      tone: 'warning',
      summary: '$49.00 USD needs the buyer to confirm it (use_stripe_sdk) before it is charged.',
    });
  });

  it('a completed checkout: what was bought, for how much', () => {
    expect(describe_('checkout.session.completed', checkoutSessionObject())).toMatchObject({
      type: 'checkout.completed',
      title: 'Checkout completed',
      tone: 'success',
      summary: 'The buyer finished checkout for a subscription of $19.99 USD; payment paid.',
      fields: { amount: '$19.99 USD', status: 'complete, paid', user: USER_ID },
    });
  });

  it.each(['legacy', 'current'] as const)(
    'invoices (%s payload shape): amount, period, and a failure at risk',
    (shape) => {
      expect(describe_('invoice.payment_succeeded', invoiceObject(shape, 'paid'))).toMatchObject({
        type: 'invoice.paid',
        title: 'Invoice paid',
        tone: 'success',
        summary: '$10.00 USD paid for a renewal (Nov 23, 2025 – Dec 23, 2025).',
        fields: { amount: '$10.00 USD', status: 'paid', period: 'Nov 23, 2025 – Dec 23, 2025' },
      });
      const failed = describe_('invoice.payment_failed', invoiceObject(shape, 'open'));
      expect(failed).toMatchObject({
        type: 'invoice.payment_failed',
        title: 'Invoice payment failed',
        tone: 'failure',
        fields: { status: 'open', period: 'Nov 23, 2025 – Dec 23, 2025', user: USER_ID },
      });
      expect(failed.summary).toMatch(/could not be collected \(attempt 1\)/);
    },
  );

  it.each(['legacy', 'current'] as const)(
    'subscriptions (%s payload shape): status, period, cancel at period end',
    (shape) => {
      const created = describe_('customer.subscription.created', subscriptionObject(shape));
      expect(created).toMatchObject({
        type: 'subscription.created',
        title: 'Subscription started',
        tone: 'success',
        summary:
          'Status active, current period Nov 23, 2025 – Dec 23, 2025; it renews at period end.',
        fields: {
          status: 'active',
          period: 'Nov 23, 2025 – Dec 23, 2025',
          cancelAtPeriodEnd: 'no',
          user: USER_ID,
          price: 'price-pro-monthly',
        },
      });
      expect(created.labels).toEqual([
        'Currency',
        'Status',
        'Period',
        'Cancel at period end',
        'User',
        'Price',
        'Subscription',
        'Stripe event',
      ]);

      const ending = describe_(
        'customer.subscription.updated',
        subscriptionObject(shape, { cancel_at_period_end: true }),
      );
      expect(ending).toMatchObject({
        type: 'subscription.updated',
        title: 'Subscription set to cancel',
        tone: 'warning',
        summary: 'It stays active until Dec 23, 2025, then ends; no further renewal.',
        fields: { cancelAtPeriodEnd: 'yes' },
      });
      expect(describe_('customer.subscription.updated', subscriptionObject(shape))).toMatchObject({
        title: 'Subscription updated',
        tone: 'info',
      });
    },
  );

  it('a cancellation and an expiry: when, and why', () => {
    const ended = 1_766_448_000; // 2025-12-23
    expect(
      describe_(
        'customer.subscription.deleted',
        subscriptionObject('current', {
          status: 'canceled',
          ended_at: ended,
          canceled_at: ended,
          cancellation_details: { comment: null, feedback: null, reason: 'cancellation_requested' },
        }),
      ),
    ).toMatchObject({
      type: 'subscription.canceled',
      title: 'Subscription canceled',
      tone: 'failure',
      summary: 'Ended Dec 23, 2025 because the customer asked; no further charges.',
      fields: { status: 'canceled' },
    });
    expect(
      describe_(
        'customer.subscription.deleted',
        subscriptionObject('current', {
          status: 'canceled',
          ended_at: ended,
          cancellation_details: { comment: null, feedback: null, reason: 'payment_failed' },
        }),
      ),
    ).toMatchObject({
      type: 'subscription.expired',
      title: 'Subscription expired',
      summary: 'Stripe ended it because its payments failed; no further charges.',
    });
    expect(
      describe_(
        'customer.subscription.deleted',
        subscriptionObject('current', { status: 'incomplete_expired' }),
      ),
    ).toMatchObject({
      type: 'subscription.expired',
      summary: 'Its first payment was never completed, so it never started.',
    });
  });

  it('entitlements: every active feature, or that none is left', () => {
    const summary = (lookupKeys: string[]) => ({
      object: 'entitlements.active_entitlement_summary',
      customer: CUSTOMER_ID,
      entitlements: {
        object: 'list',
        data: lookupKeys.map((key, i) => ({
          id: `ent_test${i}`,
          object: 'entitlements.active_entitlement',
          feature: `feat_test${i}`,
          livemode: false,
          lookup_key: key,
        })),
        has_more: false,
        url: '/v1/entitlements/active_entitlements',
      },
      livemode: false,
    });
    const type = 'entitlements.active_entitlement_summary.updated';
    const granted = describe_(type, summary(['pro-exports', 'api-access']));
    expect(granted).toMatchObject({
      type: 'entitlements.updated',
      title: 'Entitlements updated',
      tone: 'success',
      summary: 'The customer now has 2 features: api-access, pro-exports.',
      fields: { features: 'api-access, pro-exports', object: CUSTOMER_ID, stripeEvent: type },
    });
    expect(granted.labels).toEqual(['Features', 'User', 'Customer', 'Stripe event']);
    expect(describe_(type, summary(['pro-exports']))).toMatchObject({
      summary: 'The customer now has 1 feature: pro-exports.',
    });
    expect(describe_(type, summary([]))).toMatchObject({
      title: 'Entitlements revoked',
      tone: 'warning',
      summary: 'The customer has no active features any more.',
      fields: { features: 'none' },
    });
  });

  it('shows an event type it does not know as itself, and never throws on odd data', () => {
    expect(
      meanings.describeBillingEvent({ type: 'refund.created', userId: null, data: null }),
    ).toEqual({
      title: 'refund.created',
      tone: 'info',
      summary: 'A billing event.',
      fields: [{ key: 'user', label: 'User', value: 'unknown' }],
    });
    for (const type of Object.values(BILLING_EVENT_TYPES)) {
      expect(() => meanings.describeBillingEvent({ type, data: {} })).not.toThrow();
    }
  });

  it.each([
    [4900, 'usd', '$49.00 USD'],
    [4900, 'eur', '€49.00 EUR'],
    [500, 'jpy', '¥500 JPY'],
    [1050, 'kwd', 'KWD\u00a01.050'],
    [0, 'usd', '$0.00 USD'],
  ])('formats %d %s in its minor unit as %s', (amount, currency, text) => {
    expect(meanings.formatMoney(amount, currency)).toBe(text);
  });

  it('has no amount to format without a number and a currency', () => {
    expect(meanings.formatMoney(null, 'usd')).toBeNull();
    expect(meanings.formatMoney(100, null)).toBeNull();
    expect(meanings.formatMoney(100, '')).toBeNull();
  });
});
