import { startStripeSandbox, type StripeSandbox } from 'stripe-sandbox';
import { StripeChargeSource } from '../../../../lambda/adapters/stripe-charge-source';
import { StripeClientProvider } from '../../../../lambda/adapters/stripe-client-provider';
import { patientStripe } from '../../../support/patient-stripe';

jest.setTimeout(30_000);

/** The charge a same-second tie between refunds is settled against, from the sandbox. */
let sandbox: StripeSandbox;
let source: StripeChargeSource;
const KEY = 'sk_test_charges';

beforeAll(async () => {
  sandbox = await startStripeSandbox({ port: 0, webhookSecret: 'whsec_unused' });
  source = new StripeChargeSource(
    new StripeClientProvider(() => Promise.resolve(KEY), {
      host: '127.0.0.1',
      port: sandbox.port,
      protocol: 'http',
    }),
  );
});
afterAll(async () => {
  await sandbox.stop();
});

describe('StripeChargeSource on the Stripe sandbox', () => {
  it('reads the charge as Stripe has it now, refunds included', async () => {
    const stripe = patientStripe(sandbox.port, KEY);
    const intent = await stripe.paymentIntents.create({
      amount: 4900,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
    });
    const chargeId = typeof intent.latest_charge === 'string' ? intent.latest_charge : '';
    expect((await source.current(chargeId))?.amount_refunded).toBe(0);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    expect(await source.current(chargeId)).toMatchObject({
      amount_refunded: 1000,
      refunded: false,
    });
  });

  it('answers undefined for a charge Stripe does not have', async () => {
    await expect(source.current('ch_doesNotExist42')).resolves.toBeUndefined();
  });
});
