import type Stripe from 'stripe';
import { useHarness } from '../support/harness';
import { CLOCK_START, clockSteps, DAY } from '../support/test-clocks';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });
const { mark, since, clockCustomer, advance } = clockSteps(h);

const subOf = (event: Stripe.Event | undefined) => event?.data.object as Stripe.Subscription;
const invoiceOf = (event: Stripe.Event | undefined) => event?.data.object as Stripe.Invoice;

/** A 14-day trial on a clock, for a customer paying with `card` (none: no card). */
async function trial(card: string | undefined, behaviour?: 'cancel' | 'pause' | 'create_invoice') {
  const { clock, customer, price } = await clockCustomer(card);
  const sub = await h.stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    trial_period_days: 14,
    ...(behaviour
      ? { trial_settings: { end_behavior: { missing_payment_method: behaviour } } }
      : {}),
  });
  return { clock, customer, sub, trialEnd: CLOCK_START + 14 * DAY };
}

describe('trials on a test clock', () => {
  it('trialing, trial_will_end 3 days before, then the first paid period with the card', async () => {
    const { clock, sub, trialEnd } = await trial('pm_card_visa');
    expect(sub).toMatchObject({
      status: 'trialing',
      trial_start: CLOCK_START,
      trial_end: trialEnd,
      trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    });
    expect(sub.items.data[0]?.current_period_end).toBe(trialEnd);
    const first = await h.stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(first).toMatchObject({ status: 'paid', amount_due: 0 });

    const marker = await mark();
    await advance(clock.id, trialEnd - 2 * DAY);
    const notice = await since(marker, ['customer.subscription.trial_will_end']);
    expect(notice.map((e) => subOf(e).id)).toEqual([sub.id]);
    expect(h.receiver.types()).toContain('customer.subscription.trial_will_end');

    const beforeEnd = await mark();
    await advance(clock.id, trialEnd + DAY);
    const events = await since(beforeEnd, [
      'customer.subscription.updated',
      'invoice.paid',
      'customer.subscription.trial_will_end',
    ]);
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.updated', 'invoice.paid']);
    expect(subOf(events[0])).toMatchObject({ status: 'active' });
    expect(events[0]?.data.previous_attributes).toMatchObject({ status: 'trialing' });
    expect(invoiceOf(events[1])).toMatchObject({ amount_paid: 1500, period_start: trialEnd });
  });

  it('no payment method, pause: paused (customer.subscription.paused); resume with a card: active', async () => {
    const { clock, customer, sub, trialEnd } = await trial(undefined, 'pause');
    const marker = await mark();
    await advance(clock.id, trialEnd + DAY);
    const paused = await since(marker, [
      'customer.subscription.updated',
      'customer.subscription.paused',
      'invoice.created',
    ]);
    expect(paused.map((e) => e.type)).toEqual([
      'customer.subscription.updated',
      'customer.subscription.paused',
    ]);
    expect(subOf(paused[1])).toMatchObject({ status: 'paused' });
    // Paused, it does not renew however far the clock goes.
    await advance(clock.id, trialEnd + 60 * DAY);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('paused');

    const card = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await h.stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    const beforeResume = await mark();
    const resumed = await h.stripe.subscriptions.resume(sub.id, {
      billing_cycle_anchor: { type: 'now' },
    });
    expect(resumed).toMatchObject({ status: 'active', billing_cycle_anchor: trialEnd + 60 * DAY });
    expect(resumed.items.data[0]?.current_period_start).toBe(trialEnd + 60 * DAY);
    const types = (await since(beforeResume)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual([
      'customer.subscription.updated',
      'customer.subscription.resumed',
      'invoice.created',
    ]);
    expect(types).toContain('invoice.payment_succeeded');
    const again = await h.stripe.subscriptions.resume(sub.id).catch((error: unknown) => error);
    expect(again).toMatchObject({ statusCode: 400 });
  });

  it('no payment method, cancel: canceled at the trial end', async () => {
    const { clock, sub, trialEnd } = await trial(undefined, 'cancel');
    await advance(clock.id, trialEnd + DAY);
    expect(await h.stripe.subscriptions.retrieve(sub.id)).toMatchObject({
      status: 'canceled',
      ended_at: trialEnd,
    });
  });

  it('no payment method, create_invoice (the default): an open invoice, past_due', async () => {
    const { clock, sub, trialEnd } = await trial(undefined);
    await advance(clock.id, trialEnd + DAY);
    const now = await h.stripe.subscriptions.retrieve(sub.id);
    expect(now.status).toBe('past_due');
    expect(await h.stripe.invoices.retrieve(now.latest_invoice as string)).toMatchObject({
      status: 'open',
      amount_remaining: 1500,
    });
  });
});

describe('renewals: 3-D Secure, upcoming-invoice notices, finalization failures', () => {
  /** An active monthly subscription on a clock, paid with the visa card. */
  async function active() {
    const { clock, customer, price } = await clockCustomer('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    return { clock, customer, sub, renewal: sub.items.data[0]?.current_period_end ?? 0 };
  }

  it('a renewal with a card that needs 3-D Secure: invoice.payment_action_required, past_due', async () => {
    const { clock, customer, sub, renewal } = await active();
    const card = await h.stripe.paymentMethods.attach('pm_card_authenticationRequired', {
      customer: customer.id,
    });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: card.id });
    const marker = await mark();
    await advance(clock.id, renewal + 1);
    const [action] = await since(marker, ['invoice.payment_action_required']);
    expect(invoiceOf(action)).toMatchObject({
      status: 'open',
      billing_reason: 'subscription_cycle',
      hosted_invoice_url: expect.stringContaining('/invoice/in_') as unknown,
    });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
  });

  it('invoice.upcoming a configured number of days before the renewal: an invoice with no id', async () => {
    const { clock, sub, renewal } = await active();
    await h.control('billing-settings', { upcoming_invoice_days: 7 });
    const marker = await mark();
    await advance(clock.id, renewal - 6 * DAY);
    const [upcoming] = await since(marker, ['invoice.upcoming']);
    const inv = invoiceOf(upcoming);
    expect(inv).not.toHaveProperty('id');
    expect(inv).toMatchObject({
      billing_reason: 'upcoming',
      amount_due: 1500,
      period_start: renewal,
      parent: { subscription_details: { subscription: sub.id } },
    });
    await h.settle();
    expect(h.receiver.types()).toContain('invoice.upcoming');
  });

  it('a finalization failure: invoice.finalization_failed, the invoice left a draft', async () => {
    const { clock, customer, sub, renewal } = await active();
    await h.control(`customers/${customer.id}/finalization-failure`, {});
    const marker = await mark();
    await advance(clock.id, renewal + 1);
    const events = await since(marker, [
      'invoice.created',
      'invoice.finalization_failed',
      'invoice.finalized',
      'payment_intent.created',
    ]);
    expect(events.map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalization_failed']);
    expect(invoiceOf(events[1])).toMatchObject({
      status: 'draft',
      last_finalization_error: { code: 'customer_tax_location_invalid' },
    });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    // Through the API, finalizing it is Stripe's 400 with the error; cleared, it finalizes.
    const draft = invoiceOf(events[1]).id;
    const refused = await h.stripe.invoices.finalizeInvoice(draft).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 400, code: 'customer_tax_location_invalid' });
    await h.control(`customers/${customer.id}/finalization-failure`, { clear: true });
    expect(await h.stripe.invoices.finalizeInvoice(draft)).toMatchObject({ status: 'open' });
  });
});
