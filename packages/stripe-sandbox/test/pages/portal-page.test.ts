import { checkoutFlowSteps } from '../support/checkout-flows';
import { priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { received, session } = checkoutFlowSteps(h);

describe('billing portal page', () => {
  it('lists the customer subscriptions and cancels one now or at period end', async () => {
    const first = await session('subscription');
    await h.control(`checkout/sessions/${first.id}/complete`, { outcome: 'succeeded' });
    const customer = first.customer as string;
    const { price } = await priceFixture(h.stripe, true, 900);
    const second = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: price.id, quantity: 1 }],
    });
    await h.control(`checkout/sessions/${second.id}/complete`, { outcome: 'succeeded' });
    const [subA, subB] = [
      (await h.stripe.checkout.sessions.retrieve(first.id)).subscription as string,
      (await h.stripe.checkout.sessions.retrieve(second.id)).subscription as string,
    ];
    await h.settle();
    h.receiver.clear();

    const portal = await h.stripe.billingPortal.sessions.create({
      customer,
      return_url: 'https://app.example.com/account',
    });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain(subA);
    expect(html).toContain(subB);

    const post = (sub: string, when: string) =>
      fetch(`${portal.url}/subscriptions/${sub}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `when=${when}`,
        redirect: 'manual',
      });
    expect((await post(subA, 'now')).status).toBe(303);
    expect((await post(subB, 'period_end')).status).toBe(303);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual([
      'customer.subscription.deleted',
      'customer.subscription.updated',
    ]);
    expect(events[0]?.data.object).toMatchObject({
      id: subA,
      status: 'canceled',
      cancellation_details: { reason: 'cancellation_requested' },
    });
    expect(events[1]?.data.object).toMatchObject({ id: subB, cancel_at_period_end: true });

    const other = await h.stripe.customers.create({});
    const foreignPortal = await h.stripe.billingPortal.sessions.create({ customer: other.id });
    expect(
      (
        await fetch(`${foreignPortal.url}/subscriptions/${subB}/cancel`, {
          method: 'POST',
          body: 'when=now',
        })
      ).status,
    ).toBe(404);
  });
});
