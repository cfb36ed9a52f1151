import type Stripe from 'stripe';
import { useHarness } from '../support/harness';
import { useStripeCli } from '../support/stripe-cli-runner';

jest.setTimeout(120_000);

/**
 * `stripe trigger` of the official Stripe CLI for the money side: a refund, a dispute
 * (the CLI pays with `pm_card_createDisputeInquiry`), an expired Checkout Session. Each
 * fixture's requests make real state and the event comes from it, delivered and verified.
 */

const h = useHarness();
const stripeCli = useStripeCli(h);

/** Runs `stripe trigger <type>`; answers the new event of that type, delivered. */
async function trigger(type: string): Promise<Stripe.Event> {
  const result = await stripeCli('trigger', type);
  expect({ type, status: result.status, output: result.stdout + result.stderr }).toMatchObject({
    status: 0,
    output: expect.stringContaining('Trigger succeeded') as unknown,
  });
  const [event] = (await h.stripe.events.list({ type, limit: 1 })).data;
  if (!event) throw new Error(`stripe trigger ${type} created no ${type} event`);
  await h.settle();
  expect(h.receiver.ids()).toContain(event.id);
  expect(h.receiver.rejected).toEqual([]);
  return event;
}

describe('stripe trigger, refunds, disputes and expiry', () => {
  it('charge.refunded: a payment intent paid with pm_card_visa, refunded in full', async () => {
    const event = await trigger('charge.refunded');
    const charge = event.data.object as Stripe.Charge;
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 100,
      amount_refunded: 100,
      refunded: true,
      description: '(created by Stripe CLI)',
    });
    const [refund] = (await h.stripe.refunds.list({ charge: charge.id })).data;
    expect(refund).toMatchObject({ amount: 100, payment_intent: charge.payment_intent });
    expect(h.receiver.types()).toContain('refund.created');
  });

  it('charge.dispute.created: paid with pm_card_createDisputeInquiry, an inquiry', async () => {
    const event = await trigger('charge.dispute.created');
    const dispute = event.data.object as Stripe.Dispute;
    expect(dispute).toMatchObject({
      object: 'dispute',
      amount: 100,
      status: 'warning_needs_response',
    });
    expect((await h.stripe.charges.retrieve(dispute.charge as string)).disputed).toBe(true);
  });

  it('checkout.session.expired: a payment-mode session expired', async () => {
    const event = await trigger('checkout.session.expired');
    expect(event.data.object).toMatchObject({
      status: 'expired',
      mode: 'payment',
      amount_total: 3000,
    });
  });
});
