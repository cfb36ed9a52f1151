import type Stripe from 'stripe';
import { failure, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered } = paymentSteps(h);

/** A payment of `amount` with Stripe's Visa test card, succeeded. */
const paid = (amount: number, currency = 'usd'): Promise<Stripe.PaymentIntent> =>
  h.stripe.paymentIntents.create({
    amount,
    currency,
    payment_method: 'pm_card_visa',
    confirm: true,
    metadata: { order: '7' },
  });

/** The `data.object` of each delivered event of `type`, in order. */
const objectsOf = <T>(type: string): T[] =>
  h.receiver.events.filter((e) => e.type === type).map((e) => e.data.object as T);

describe('refunds', () => {
  it('a paid payment intent has a charge to retrieve and list', async () => {
    const intent = await paid(1500);
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 1500,
      amount_captured: 1500,
      amount_refunded: 0,
      refunded: false,
      paid: true,
      status: 'succeeded',
      payment_intent: intent.id,
      payment_method: intent.payment_method,
      metadata: { order: '7' },
    });
    const listed = await h.stripe.charges.list({ payment_intent: intent.id });
    expect(listed.data.map((c) => c.id)).toEqual([charge.id]);
  });

  it('in full by payment intent: the charge refunded, charge.refunded then refund.created', async () => {
    const intent = await paid(2000);
    await delivered();
    h.receiver.clear();
    const refund = await h.stripe.refunds.create(
      { payment_intent: intent.id, reason: 'requested_by_customer' },
      { idempotencyKey: 'refund-once' },
    );
    expect(refund).toMatchObject({
      object: 'refund',
      amount: 2000,
      charge: intent.latest_charge,
      payment_intent: intent.id,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    expect(refund.id).toMatch(/^re_/);
    const replayed = await h.stripe.refunds.create(
      { payment_intent: intent.id, reason: 'requested_by_customer' },
      { idempotencyKey: 'refund-once' },
    );
    expect(replayed.id).toBe(refund.id);
    expect(await delivered()).toEqual(['charge.refunded', 'refund.created']);
    const [charge] = objectsOf<Stripe.Charge>('charge.refunded');
    expect(charge).toMatchObject({
      id: intent.latest_charge,
      amount_refunded: 2000,
      refunded: true,
    });
    expect(charge?.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
    expect(objectsOf<Stripe.Refund>('refund.created')[0]?.id).toBe(refund.id);
    expect((await h.stripe.refunds.retrieve(refund.id)).amount).toBe(2000);
  });

  it('in part by charge, then the rest; listed by charge and payment intent', async () => {
    const intent = await paid(1000);
    const charge = intent.latest_charge as string;
    const first = await h.stripe.refunds.create({ charge, amount: 300 });
    expect((await h.stripe.charges.retrieve(charge)).amount_refunded).toBe(300);
    expect((await h.stripe.charges.retrieve(charge)).refunded).toBe(false);
    const rest = await h.stripe.refunds.create({ charge });
    expect(rest.amount).toBe(700);
    expect(await h.stripe.charges.retrieve(charge)).toMatchObject({
      amount_refunded: 1000,
      refunded: true,
    });
    const byCharge = await h.stripe.refunds.list({ charge });
    expect(byCharge.data.map((r) => r.id)).toEqual([rest.id, first.id]);
    const byIntent = await h.stripe.refunds.list({ payment_intent: intent.id, limit: 1 });
    expect(byIntent).toMatchObject({ has_more: true, data: [{ id: rest.id }] });
  });

  it('more than remains: Stripe 400 amount error; nothing left: charge_already_refunded', async () => {
    const intent = await paid(1000, 'eur');
    const charge = intent.latest_charge as string;
    await h.stripe.refunds.create({ charge, amount: 400 });
    const tooMuch = await failure(h.stripe.refunds.create({ charge, amount: 700 }));
    expect(tooMuch).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'amount',
      message: 'Refund amount (€7.00) is greater than unrefunded amount on charge (€6.00)',
    });
    await h.stripe.refunds.create({ charge });
    const again = await failure(h.stripe.refunds.create({ payment_intent: intent.id }));
    expect(again).toMatchObject({
      statusCode: 400,
      code: 'charge_already_refunded',
      message: `Charge ${charge} has already been refunded.`,
    });
  });

  it('a payment intent not paid has nothing to refund; an unknown charge is a 400', async () => {
    const intent = await h.stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
    const unpaid = await failure(h.stripe.refunds.create({ payment_intent: intent.id }));
    expect(unpaid).toMatchObject({ statusCode: 400, param: 'payment_intent' });
    const missing = await failure(h.stripe.refunds.create({ charge: 'ch_missing' }));
    expect(missing).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'charge' });
    const neither = await failure(h.stripe.refunds.create({}));
    expect(neither).toMatchObject({ statusCode: 400, code: 'parameter_missing' });
  });

  it('a payment-mode Checkout Session paid on the page can be refunded', async () => {
    const product = await h.stripe.products.create({ name: 'Course' });
    const price = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 4900,
    });
    const session = await h.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://a.example/s',
    });
    await h.control(`checkout/sessions/${session.id}/complete`, { outcome: 'succeeded' });
    const completed = await h.stripe.checkout.sessions.retrieve(session.id);
    const refund = await h.stripe.refunds.create({
      payment_intent: completed.payment_intent as string,
      amount: 900,
    });
    expect(refund).toMatchObject({ amount: 900, status: 'succeeded' });
  });
});
