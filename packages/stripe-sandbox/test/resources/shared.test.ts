import type Stripe from 'stripe';
import { paidSubscription, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
  it('payment intents, subscriptions, invoices and events: retrieve and list', async () => {
    const { customer, session } = await paidSubscription(h, 'sub@example.com');

    const subscription = await h.stripe.subscriptions.retrieve(session.subscription as string);
    expect(
      (await h.stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id),
    ).toEqual([subscription.id]);
    const invoice = await h.stripe.invoices.retrieve(session.invoice as string);
    expect(
      (await h.stripe.invoices.list({ subscription: subscription.id })).data.map((i) => i.id),
    ).toEqual([invoice.id]);
    const intents = await h.stripe.paymentIntents.list({ customer: customer.id });
    expect(intents.data).toHaveLength(1);
    expect(await h.stripe.paymentIntents.retrieve(intents.data[0]?.id ?? '')).toEqual(
      intents.data[0],
    );

    const events = await h.stripe.events.list({ type: 'checkout.session.completed', limit: 1 });
    const event = events.data[0];
    if (!event) throw new Error('no checkout.session.completed event');
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect(await h.stripe.events.retrieve(event.id)).toEqual(event);
  });
});
