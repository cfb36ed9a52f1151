import type Stripe from 'stripe';
import { failure, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered } = paymentSteps(h);

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
