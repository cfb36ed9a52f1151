import { failure, priceFixture, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered, customerWithCard } = paymentSteps(h);

/** A customer paying with `card`, and the items of a monthly plan to subscribe them to. */
async function subscriberAndPlan(
  card: string,
  unitAmount?: number,
): Promise<{ customer: string; items: { price: string }[] }> {
  const { customer } = await customerWithCard(card);
  const { price } = await priceFixture(h.stripe, true, unitAmount);
  return { customer, items: [{ price: price.id }] };
}

describe('subscriptions and invoices through the API', () => {
  it('a declined first payment: incomplete; paying the invoice with another card activates it', async () => {
    const { customer, items } = await subscriberAndPlan('pm_card_chargeCustomerFail', 800);
    const sub = await h.stripe.subscriptions.create({ customer, items });
    expect(sub.status).toBe('incomplete');
    const good = await h.stripe.paymentMethods.attach('pm_card_visa', { customer });
    const invoice = await h.stripe.invoices.pay(sub.latest_invoice as string, {
      payment_method: good.id,
    });
    expect(invoice).toMatchObject({ status: 'paid', attempt_count: 2, amount_paid: 800 });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    const types = await delivered();
    expect(types.slice(types.indexOf('customer.subscription.created'))).toEqual([
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'payment_method.attached',
      'payment_intent.created',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
    ]);
  });

  it('error_if_incomplete: a declined card is a 402 and nothing is created', async () => {
    const { customer, items } = await subscriberAndPlan('pm_card_chargeCustomerFail');
    const error = await failure(
      h.stripe.subscriptions.create({
        customer,
        items,
        payment_behavior: 'error_if_incomplete',
      }),
    );
    expect(error).toMatchObject({ statusCode: 402, code: 'card_declined' });
    expect((await h.stripe.subscriptions.list({ customer })).data).toEqual([]);
  });

  it('default_incomplete: no charge attempted, the invoice open for the client to pay', async () => {
    const { customer, items } = await subscriberAndPlan('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({
      customer,
      items,
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice'],
    });
    expect(sub.status).toBe('incomplete');
    expect(sub.latest_invoice).toMatchObject({ status: 'open', attempt_count: 0 });
  });

  it('update: cancel_at_period_end records the request; an item quantity; one event each', async () => {
    const { customer, items } = await subscriberAndPlan('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({ customer, items });
    const item = sub.items.data[0]?.id ?? '';
    const ending = await h.stripe.subscriptions.update(sub.id, {
      cancel_at_period_end: true,
      cancellation_details: { feedback: 'too_expensive' },
    });
    expect(ending).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: sub.items.data[0]?.current_period_end,
      cancellation_details: { reason: 'cancellation_requested', feedback: 'too_expensive' },
    });
    expect(ending.canceled_at).not.toBeNull();
    const more = await h.stripe.subscriptions.update(sub.id, {
      items: [{ id: item, quantity: 3 }],
    });
    expect(more.items.data[0]?.quantity).toBe(3);
    const types = await delivered();
    expect(types.filter((t) => t === 'customer.subscription.updated')).toHaveLength(2);
  });

  it('an invoice charged to a card that needs 3-D Secure: payment_action_required and a 402', async () => {
    const { customer, pm } = await customerWithCard('pm_card_threeDSecure2Required');
    await h.stripe.invoiceItems.create({ customer, amount: 1000, currency: 'usd' });
    const invoice = await h.stripe.invoices.create({
      customer,
      pending_invoice_items_behavior: 'include',
    });
    expect(invoice).toMatchObject({ status: 'draft', amount_due: 1000 });
    const error = await failure(h.stripe.invoices.pay(invoice.id, { payment_method: pm }));
    expect(error).toMatchObject({
      statusCode: 402,
      code: 'invoice_payment_intent_requires_action',
    });
    const types = await delivered();
    expect(types.slice(types.indexOf('invoice.finalized'))).toEqual([
      'invoice.finalized',
      'payment_intent.created',
      'payment_intent.requires_action',
      'invoice.payment_action_required',
    ]);
  });

  it('parameters: unknown ones are refused, those of behaviour not modelled are refused by name', async () => {
    const { customer, items } = await subscriberAndPlan('pm_card_visa');
    expect(
      await failure(h.stripe.subscriptions.create({ customer, items, cancel_at: 1_900_000_000 })),
    ).toMatchObject({ statusCode: 400, param: 'cancel_at' });
    expect(
      await failure(h.stripe.subscriptions.create({ customer, items, no_such_param: 1 } as never)),
    ).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    // Accepted and without effect here: proration behaviour (the sandbox prorates nothing).
    expect(
      (await h.stripe.subscriptions.create({ customer, items, proration_behavior: 'none' })).status,
    ).toBe('active');
  });
});
