import { failure, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered, customerWithCard } = paymentSteps(h);

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
