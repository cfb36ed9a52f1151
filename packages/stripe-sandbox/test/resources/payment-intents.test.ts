import type Stripe from 'stripe';
import { failure, priceFixture, useHarness } from '../support/harness';

jest.setTimeout(30_000);

/**
 * Payment methods, payment intents, subscriptions and invoices through the API (what
 * `stripe trigger` and any server-side integration call), driven by Stripe's test cards.
 */

const h = useHarness({ between: 'settle' });

/** The types of the events delivered since the last `beforeEach`, in order. */
async function delivered(): Promise<string[]> {
  await h.settle();
  return h.receiver.types();
}

async function customerWithCard(card: string): Promise<{ customer: string; pm: string }> {
  const customer = await h.stripe.customers.create({
    payment_method: card,
    invoice_settings: { default_payment_method: card },
  });
  return {
    customer: customer.id,
    pm: customer.invoice_settings.default_payment_method as string,
  };
}

/** A customer paying with `card`, and the items of a monthly plan to subscribe them to. */
async function subscriberAndPlan(
  card: string,
  unitAmount?: number,
): Promise<{ customer: string; items: { price: string }[] }> {
  const { customer } = await customerWithCard(card);
  const { price } = await priceFixture(h.stripe, true, unitAmount);
  return { customer, items: [{ price: price.id }] };
}

describe('payment methods', () => {
  it('from a test token, attached (payment_method.attached) and detached, clearing the default', async () => {
    const pm = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_mastercard' },
      billing_details: { name: 'Ada' },
    });
    expect(pm).toMatchObject({
      customer: null,
      card: { brand: 'mastercard', last4: '4444' },
      billing_details: { name: 'Ada', email: null },
    });
    const customer = await h.stripe.customers.create({ email: 'pm@example.com' });
    await h.stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    await h.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: pm.id },
    });
    expect(
      (await h.stripe.customers.listPaymentMethods(customer.id)).data.map((p) => p.id),
    ).toEqual([pm.id]);
    await h.stripe.paymentMethods.detach(pm.id);
    const after = (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(after.invoice_settings.default_payment_method).toBeNull();
    expect(await delivered()).toEqual([
      'customer.created',
      'payment_method.attached',
      'customer.updated',
      'payment_method.detached',
      'customer.updated',
    ]);
  });

  it('a card always declined is declined on attach; chargeCustomerFail attaches', async () => {
    const customer = await h.stripe.customers.create({});
    const declined = await failure(
      h.stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }),
    );
    expect(declined).toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
    const attached = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    expect(attached).toMatchObject({ customer: customer.id, card: { last4: '0341' } });
    expect(attached.id).toMatch(/^pm_(?!card_)/);
  });

  it("a customer's invoice default must be one of its payment methods", async () => {
    const other = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { token: 'tok_visa' },
    });
    const error = await failure(
      h.stripe.customers.create({ invoice_settings: { default_payment_method: other.id } }),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
  });
});

describe('payment intents', () => {
  it('created, given a card, confirmed: created then succeeded', async () => {
    const intent = await h.stripe.paymentIntents.create({
      amount: 1200,
      currency: 'eur',
      allowed_payment_method_types: ['card'],
      metadata: { order: '42' },
    });
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      automatic_payment_methods: null,
    });
    const updated = await h.stripe.paymentIntents.update(intent.id, {
      payment_method: 'pm_card_visa',
    });
    expect(updated.status).toBe('requires_confirmation');
    const confirmed = await h.stripe.paymentIntents.confirm(intent.id);
    expect(confirmed).toMatchObject({
      status: 'succeeded',
      amount_received: 1200,
      metadata: { order: '42' },
    });
    expect(await delivered()).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
  });

  it('declined: a 402 card error naming the payment intent, replayed under its Idempotency-Key', async () => {
    const create = () =>
      h.stripe.paymentIntents.create(
        {
          amount: 500,
          currency: 'usd',
          confirm: true,
          payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        },
        { idempotencyKey: 'declined-once' },
      );
    const error = await failure(create());
    expect(error).toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    const intentId = error.payment_intent?.id ?? '';
    expect((await h.stripe.paymentIntents.retrieve(intentId)).status).toBe(
      'requires_payment_method',
    );
    const replayed = await failure(create());
    expect(replayed.payment_intent?.id).toBe(intentId);
    expect(await delivered()).toEqual(['payment_intent.created', 'payment_intent.payment_failed']);
  });

  it('off-session, a card that needs authentication is declined (authentication_required)', async () => {
    const { customer, pm } = await customerWithCard('pm_card_authenticationRequired');
    const error = await failure(
      h.stripe.paymentIntents.create({
        amount: 700,
        currency: 'usd',
        customer,
        payment_method: pm,
        confirm: true,
        off_session: true,
      }),
    );
    expect(error).toMatchObject({ code: 'authentication_required', statusCode: 402 });
  });

  it('manual capture: authorized (amount_capturable_updated), then captured (succeeded)', async () => {
    const intent = await h.stripe.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(intent).toMatchObject({ status: 'requires_capture', amount_capturable: 900 });
    const captured = await h.stripe.paymentIntents.capture(intent.id, { amount_to_capture: 600 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 600 });
    expect(await delivered()).toEqual([
      'payment_intent.created',
      'payment_intent.amount_capturable_updated',
      'payment_intent.succeeded',
    ]);
  });

  it('canceled (payment_intent.canceled); a succeeded one cannot be', async () => {
    const open = await h.stripe.paymentIntents.create({ amount: 300, currency: 'usd' });
    expect(
      await h.stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' }),
    ).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    const paid = await h.stripe.paymentIntents.create({
      amount: 300,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(await failure(h.stripe.paymentIntents.cancel(paid.id))).toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });
});

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
      await failure(h.stripe.subscriptions.create({ customer, items, trial_period_days: 7 })),
    ).toMatchObject({ statusCode: 400, param: 'trial_period_days' });
    expect(
      await failure(h.stripe.subscriptions.create({ customer, items, no_such_param: 1 } as never)),
    ).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    // Accepted and without effect here: proration behaviour (the sandbox prorates nothing).
    expect(
      (await h.stripe.subscriptions.create({ customer, items, proration_behavior: 'none' })).status,
    ).toBe('active');
  });
});

describe('catalog parameters Stripe keeps', () => {
  it('products keep their descriptive fields; prices their tax behaviour; tiers are refused', async () => {
    const product = await h.stripe.products.create({
      name: 'Mug',
      type: 'good',
      images: ['https://example.com/mug.png'],
      shippable: true,
      unit_label: 'mug',
      marketing_features: [{ name: 'Dishwasher safe' }],
      package_dimensions: { height: 10, length: 8, weight: 350, width: 8 },
    });
    expect(product).toMatchObject({
      type: 'good',
      images: ['https://example.com/mug.png'],
      shippable: true,
      unit_label: 'mug',
      marketing_features: [{ name: 'Dishwasher safe' }],
      package_dimensions: { height: 10, length: 8, weight: 350, width: 8 },
    });
    const price = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1250,
      tax_behavior: 'exclusive',
    });
    expect(price).toMatchObject({ unit_amount: 1250, tax_behavior: 'exclusive' });
    expect(
      await failure(
        h.stripe.prices.create({
          product: product.id,
          currency: 'usd',
          billing_scheme: 'tiered',
          tiers_mode: 'graduated',
          tiers: [{ up_to: 'inf', unit_amount: 100 }],
        }),
      ),
    ).toMatchObject({ statusCode: 400, param: 'tiers' });
  });
});
