import type Stripe from 'stripe';
import { failure, useHarness } from '../support/harness';
import { paymentSteps } from '../support/payments';

jest.setTimeout(30_000);

const h = useHarness({ between: 'settle' });
const { delivered } = paymentSteps(h);

/** Pays 2500 with `card` (a test payment method id or a card number) and waits for the events. */
async function payWith(card: string): Promise<Stripe.PaymentIntent> {
  const pm = card.startsWith('pm_')
    ? card
    : (
        await h.stripe.paymentMethods.create({
          type: 'card',
          card: { number: card, exp_month: 12, exp_year: 2040, cvc: '123' },
        })
      ).id;
  const intent = await h.stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    payment_method: pm,
    confirm: true,
  });
  await delivered();
  return intent;
}

/** The dispute the last `charge.dispute.created` delivered. */
function createdDispute(): Stripe.Dispute {
  const event = h.receiver.events.find((e) => e.type === 'charge.dispute.created');
  if (!event) throw new Error('no charge.dispute.created');
  return event.data.object;
}

/** The statuses of the disputes delivered in events of `type`, in order. */
const statusesIn = (type: string): string[] =>
  h.receiver.events
    .filter((e) => e.type === type)
    .map((e) => (e.data.object as Stripe.Dispute).status);

describe('disputes', () => {
  it('pm_card_createDispute: the payment succeeds, then a fraudulent dispute (charge.dispute.created)', async () => {
    const intent = await payWith('pm_card_createDispute');
    expect(intent.status).toBe('succeeded');
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'payment_intent.succeeded',
      'charge.dispute.created',
    ]);
    const dispute = createdDispute();
    expect(dispute).toMatchObject({
      object: 'dispute',
      charge: intent.latest_charge,
      payment_intent: intent.id,
      amount: 2500,
      currency: 'usd',
      reason: 'fraudulent',
      status: 'needs_response',
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      evidence_details: { has_evidence: false, submission_count: 0, past_due: false },
    });
    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute.evidence_details.due_by).toBeGreaterThan(dispute.created);
    expect((await h.stripe.charges.retrieve(intent.latest_charge as string)).disputed).toBe(true);
    expect((await h.stripe.disputes.retrieve(dispute.id)).status).toBe('needs_response');
    const listed = await h.stripe.disputes.list({ payment_intent: intent.id });
    expect(listed.data.map((d) => d.id)).toEqual([dispute.id]);
    const refused = await failure(h.stripe.refunds.create({ payment_intent: intent.id }));
    expect(refused).toMatchObject({ statusCode: 400, code: 'charge_disputed' });
  });

  it('the 4000000000000259 card number and its variants: product not received, inquiry', async () => {
    await payWith('4000000000000259');
    expect(createdDispute()).toMatchObject({ reason: 'fraudulent', status: 'needs_response' });
    h.receiver.clear();
    await payWith('pm_card_createDisputeProductNotReceived');
    expect(createdDispute()).toMatchObject({ reason: 'product_not_received' });
    h.receiver.clear();
    await payWith('4000000000001976');
    expect(createdDispute()).toMatchObject({
      status: 'warning_needs_response',
      is_charge_refundable: true,
    });
  });

  it('winning_evidence: updated (under_review), then closed as won', async () => {
    await payWith('pm_card_createDispute');
    const { id } = createdDispute();
    h.receiver.clear();
    const updated = await h.stripe.disputes.update(id, {
      evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' },
      metadata: { case: '1' },
    });
    expect(updated).toMatchObject({
      status: 'won',
      metadata: { case: '1' },
      evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' },
      evidence_details: { has_evidence: true, submission_count: 1 },
    });
    expect(await delivered()).toEqual(['charge.dispute.updated', 'charge.dispute.closed']);
    expect(statusesIn('charge.dispute.updated')).toEqual(['under_review']);
    expect(statusesIn('charge.dispute.closed')).toEqual(['won']);
    const again = await failure(h.stripe.disputes.close(id));
    expect(again.statusCode).toBe(400);
  });

  it('staged (submit=false), then losing_evidence submitted: lost', async () => {
    await payWith('pm_card_createDispute');
    const { id } = createdDispute();
    h.receiver.clear();
    const staged = await h.stripe.disputes.update(id, {
      evidence: { uncategorized_text: 'losing_evidence' },
      submit: false,
    });
    expect(staged).toMatchObject({
      status: 'needs_response',
      evidence_details: { has_evidence: true, submission_count: 0 },
    });
    const submitted = await h.stripe.disputes.update(id, { submit: true });
    expect(submitted.status).toBe('lost');
    expect(await delivered()).toEqual([
      'charge.dispute.updated',
      'charge.dispute.updated',
      'charge.dispute.closed',
    ]);
    expect(statusesIn('charge.dispute.closed')).toEqual(['lost']);
  });

  it('an inquiry closes as warning_closed; close accepts a chargeback as lost', async () => {
    await payWith('pm_card_createDisputeInquiry');
    const inquiry = createdDispute();
    h.receiver.clear();
    const closedInquiry = await h.stripe.disputes.update(inquiry.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    expect(closedInquiry.status).toBe('warning_closed');
    expect(await delivered()).toEqual(['charge.dispute.updated', 'charge.dispute.closed']);
    expect(statusesIn('charge.dispute.updated')).toEqual(['warning_under_review']);
    h.receiver.clear();
    await payWith('pm_card_createDispute');
    const chargeback = createdDispute();
    h.receiver.clear();
    expect((await h.stripe.disputes.close(chargeback.id)).status).toBe('lost');
    expect(await delivered()).toEqual(['charge.dispute.closed']);
    expect(statusesIn('charge.dispute.closed')).toEqual(['lost']);
  });

  it('an unknown dispute is a 404', async () => {
    const missing = await failure(h.stripe.disputes.retrieve('dp_missing'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
