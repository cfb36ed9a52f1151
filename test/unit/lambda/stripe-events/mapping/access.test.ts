import type Stripe from 'stripe';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';
import { mapStripeEvent } from '../../../../../lambda/stripe-events/billing-event-mapping';
import {
  checkoutSessionObject,
  invoiceObject,
  paymentIntentObject,
  stripeEvent,
  subscriptionObject,
} from '../../../../support/stripe-events';

/** `data.access` on the billing events that carry it, at the Stripe event's time. */
const mapped = (
  type: string,
  object: Record<string, unknown>,
  created: number,
  policy = DEFAULT_ACCESS_POLICY,
) => mapStripeEvent(stripeEvent(type, object, { created }) as unknown as Stripe.Event, policy);

describe('data.access on subscription, payment and checkout events', () => {
  const periodStart = Number(
    (subscriptionObject('current').items as { data: { current_period_start: number }[] }).data[0]
      ?.current_period_start,
  );

  it('puts a past_due subscription in grace until the grace days after its period start', () => {
    const pastDue = subscriptionObject('current', { status: 'past_due' });
    const result = mapped('customer.subscription.updated', pastDue, periodStart + 3600);
    expect(result?.data.access).toEqual({
      state: 'grace',
      until: new Date((periodStart + 7 * 86_400) * 1000).toISOString(),
    });
    // The same event, redelivered after the grace, says what it said: its own time decides.
    expect(mapped('customer.subscription.updated', pastDue, periodStart + 3600)).toEqual(result);
    expect(
      mapped('customer.subscription.updated', pastDue, periodStart + 8 * 86_400)?.data.access,
    ).toEqual({ state: 'none', until: null });
    expect(
      mapped('customer.subscription.updated', pastDue, periodStart + 3600, {
        pastDueGraceDays: 0,
      })?.data.access,
    ).toEqual({ state: 'none', until: null });
  });

  it('ends access with a canceled subscription', () => {
    const canceled = subscriptionObject('current', { status: 'canceled' });
    expect(mapped('customer.subscription.deleted', canceled, periodStart)?.data.access).toEqual({
      state: 'none',
      until: null,
    });
  });

  it('grants a payment once it succeeded, and a checkout once it is paid', () => {
    const created = periodStart;
    expect(
      mapped('payment_intent.succeeded', paymentIntentObject('succeeded'), created)?.data.access,
    ).toEqual({ state: 'active', until: null });
    expect(
      mapped(
        'payment_intent.payment_failed',
        paymentIntentObject('requires_payment_method'),
        created,
      )?.data.access,
    ).toEqual({ state: 'none', until: null });
    const paid = checkoutSessionObject();
    expect(mapped('checkout.session.completed', paid, created)?.data.access).toEqual({
      state: 'active',
      until: null,
    });
    const delayed = { ...paid, payment_status: 'unpaid' };
    expect(mapped('checkout.session.completed', delayed, created)?.data.access).toEqual({
      state: 'none',
      until: null,
    });
  });

  it('puts no access on invoice and entitlement events', () => {
    expect(
      mapped('invoice.payment_succeeded', invoiceObject('current', 'paid'), periodStart)?.data,
    ).not.toHaveProperty('access');
  });
});
