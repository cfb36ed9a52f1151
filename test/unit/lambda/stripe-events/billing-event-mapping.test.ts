import type Stripe from 'stripe';
import { mapStripeEvent } from '../../../../lambda/stripe-events/billing-event-mapping';
import {
  checkoutSessionObject,
  CUSTOMER_ID,
  invoiceObject,
  type PayloadShape,
  paymentIntentObject,
  PRICE_ID,
  stripeEvent,
  subscriptionObject,
  SUBSCRIPTION_ID,
  USER_ID,
} from '../../../support/stripe-events';
import { UnmappableEventError } from '../../../../lambda/stripe-events/payloads';
import { DEFAULT_ACCESS_POLICY } from '../../../../lambda/domain/access';

const map = (type: string, object: Record<string, unknown>) =>
  mapStripeEvent(stripeEvent(type, object) as unknown as Stripe.Event, DEFAULT_ACCESS_POLICY);

const PERIOD = {
  start: '2025-11-23T00:00:00.000Z',
  end: '2025-12-23T00:00:00.000Z',
};

describe('mapStripeEvent: payment intents', () => {
  it.each([
    ['payment_intent.succeeded', 'succeeded', 'payment.successful'],
    ['payment_intent.payment_failed', 'requires_payment_method', 'payment.failed'],
    ['payment_intent.requires_action', 'requires_action', 'payment.action_required'],
  ])('%s is %s', (stripeType, status, billingType) => {
    const mapped = map(stripeType, paymentIntentObject(status));
    expect(mapped).toMatchObject({
      type: billingType,
      userId: USER_ID,
      stripeCustomerId: CUSTOMER_ID,
      data: {
        paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
        status,
        amount: 4900,
        currency: 'usd',
        customerId: CUSTOMER_ID,
        priceId: 'price-pro-monthly',
      },
    });
  });

  it('carries the failure and the required action', () => {
    expect(
      map('payment_intent.payment_failed', paymentIntentObject('requires_payment_method'))?.data,
    ).toMatchObject({
      failureCode: 'card_declined',
      failureMessage: 'Your card was declined.',
    });
    expect(
      map('payment_intent.requires_action', paymentIntentObject('requires_action'))?.data,
    ).toMatchObject({
      nextActionType: 'use_stripe_sdk',
    });
  });

  it('has no user when the metadata names none', () => {
    expect(
      map('payment_intent.succeeded', paymentIntentObject('succeeded', false))?.userId,
    ).toBeNull();
  });
});

describe.each<PayloadShape>(['legacy', 'current'])('mapStripeEvent: %s payloads', (shape) => {
  it.each([
    ['customer.subscription.created', 'subscription.created'],
    ['customer.subscription.updated', 'subscription.updated'],
  ])('%s is %s, with the period in ISO 8601', (stripeType, billingType) => {
    const mapped = map(stripeType, subscriptionObject(shape, { cancel_at_period_end: true }));
    expect(mapped).toMatchObject({
      type: billingType,
      userId: USER_ID,
      stripeCustomerId: CUSTOMER_ID,
      data: {
        subscriptionId: SUBSCRIPTION_ID,
        status: 'active',
        priceIds: [PRICE_ID],
        items: [{ priceId: PRICE_ID, quantity: 1 }],
        currentPeriodStart: PERIOD.start,
        currentPeriodEnd: PERIOD.end,
        cancelAtPeriodEnd: true,
        cancellationReason: null,
      },
    });
  });

  it.each([
    ['invoice.payment_succeeded', 'paid', 'invoice.paid'],
    ['invoice.payment_failed', 'open', 'invoice.payment_failed'],
  ] as const)(
    '%s is %s, with its subscription, prices and period',
    (stripeType, status, billingType) => {
      const mapped = map(stripeType, invoiceObject(shape, status));
      expect(mapped).toMatchObject({
        type: billingType,
        userId: USER_ID,
        stripeCustomerId: CUSTOMER_ID,
        data: {
          invoiceId: 'in_1Pgc6tB7WZ01zgkWu9fdqL6I',
          status,
          subscriptionId: SUBSCRIPTION_ID,
          priceIds: [PRICE_ID],
          periodStart: PERIOD.start,
          periodEnd: PERIOD.end,
          currency: 'usd',
          billingReason: 'subscription_cycle',
        },
      });
    },
  );

  it('finds no user on an invoice whose subscription metadata names none', () => {
    expect(
      map('invoice.payment_succeeded', invoiceObject(shape, 'paid', false))?.userId,
    ).toBeNull();
  });
});

describe('mapStripeEvent: customer.subscription.deleted', () => {
  const ended = (status: string, reason: string | null) =>
    map(
      'customer.subscription.deleted',
      subscriptionObject('current', {
        status,
        ended_at: 1_766_448_000,
        cancellation_details: { comment: null, feedback: null, reason },
      }),
    );

  it.each([
    ['canceled', 'cancellation_requested', 'subscription.canceled'],
    ['canceled', null, 'subscription.canceled'],
    ['canceled', 'payment_failed', 'subscription.expired'],
    ['canceled', 'payment_disputed', 'subscription.expired'],
    ['canceled', 'canceled_by_retention_policy', 'subscription.expired'],
    ['incomplete_expired', null, 'subscription.expired'],
  ])('status %s with reason %s is %s', (status, reason, billingType) => {
    const mapped = ended(status, reason);
    expect(mapped?.type).toBe(billingType);
    expect(mapped?.data).toMatchObject({ cancellationReason: reason, endedAt: PERIOD.end });
  });
});

describe('mapStripeEvent: checkout.session.completed', () => {
  it('is checkout.completed, the user from the metadata or the client reference id', () => {
    expect(map('checkout.session.completed', checkoutSessionObject())).toMatchObject({
      type: 'checkout.completed',
      userId: USER_ID,
      stripeCustomerId: CUSTOMER_ID,
      data: {
        mode: 'subscription',
        status: 'complete',
        paymentStatus: 'paid',
        subscriptionId: SUBSCRIPTION_ID,
        paymentIntentId: null,
        amountTotal: 1999,
        priceId: 'price-pro-monthly',
      },
    });
    const byReference = { ...checkoutSessionObject(false), client_reference_id: 'user-7' };
    expect(map('checkout.session.completed', byReference)?.userId).toBe('user-7');
  });
});

describe('mapStripeEvent: other types', () => {
  it.each(['customer.created', 'charge.succeeded', 'invoice.created', 'plan.created'])(
    '%s is not mapped',
    (type) => {
      expect(map(type, paymentIntentObject('succeeded'))).toBeUndefined();
    },
  );
});

describe('mapStripeEvent: what the payload schemas let through, and what not', () => {
  it('reads expanded objects as their ids', () => {
    const expanded = {
      ...paymentIntentObject('succeeded'),
      customer: { id: CUSTOMER_ID, object: 'customer', email: 'a@example.com' },
      latest_charge: { id: 'ch_1', object: 'charge' },
    };
    expect(map('payment_intent.succeeded', expanded)).toMatchObject({
      stripeCustomerId: CUSTOMER_ID,
      data: { customerId: CUSTOMER_ID, latestChargeId: 'ch_1' },
    });
  });

  it('maps descriptive links an older API version lacks to null', () => {
    const { latest_charge: _charge, ...withoutCharge } = paymentIntentObject('succeeded');
    expect(map('payment_intent.succeeded', withoutCharge)?.data).toMatchObject({
      latestChargeId: null,
    });
    const {
      cancellation_details: _details,
      latest_invoice: _invoice,
      ...older
    } = subscriptionObject('legacy');
    expect(map('customer.subscription.updated', older)?.data).toMatchObject({
      cancellationReason: null,
      latestInvoiceId: null,
    });
  });

  it('copies metadata, and nothing the schemas do not read', () => {
    const mapped = map('payment_intent.succeeded', {
      ...paymentIntentObject('succeeded'),
      client_secret: 'pi_secret_never_published',
    });
    expect(mapped?.data.metadata).toEqual({ userId: USER_ID, priceId: 'price-pro-monthly' });
    expect(JSON.stringify(mapped)).not.toContain('pi_secret_never_published');
  });

  it('throws UnmappableEventError, naming the field, for a payload its type does not fit', () => {
    const { items: _, ...withoutItems } = subscriptionObject('current');
    expect(() => map('customer.subscription.created', withoutItems)).toThrow(UnmappableEventError);
    expect(() => map('customer.subscription.created', withoutItems)).toThrow(
      'data.object.items is missing',
    );
  });

  it('refuses an envelope whose created no Date can hold (occurredAt), whatever admission let by', () => {
    const event = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
      created: 1e20,
    });
    expect(() => mapStripeEvent(event as unknown as Stripe.Event, DEFAULT_ACCESS_POLICY)).toThrow(
      /^created: Invalid value: Expected <=253402300799/,
    );
  });
});
