import type Stripe from 'stripe';
import { useHarness } from '../support/harness';
import { CLOCK_START, clockSteps, DAY } from '../support/test-clocks';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });
const { mark, since, clockCustomer, advance } = clockSteps(h);

const realNow = () => Math.floor(Date.now() / 1000);
const invoiceOf = (event: Stripe.Event | undefined) => event?.data.object as Stripe.Invoice;
const subOf = (event: Stripe.Event | undefined) => event?.data.object as Stripe.Subscription;

describe('test clocks: a customer on a clock lives on its time', () => {
  it('create, retrieve, list, delete; a deleted clock takes its customers with it', async () => {
    const { clock, customer } = await clockCustomer('pm_card_visa');
    expect(clock).toMatchObject({
      object: 'test_helpers.test_clock',
      frozen_time: CLOCK_START,
      name: 'renewals',
      status: 'ready',
    });
    expect(customer).toMatchObject({ test_clock: clock.id, created: CLOCK_START });
    expect(await h.stripe.testHelpers.testClocks.retrieve(clock.id)).toEqual(clock);
    expect((await h.stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([
      clock.id,
    ]);
    const missing = await h.stripe.customers
      .create({ test_clock: 'clock_nope' })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ statusCode: 400, param: 'test_clock' });

    expect(await h.stripe.testHelpers.testClocks.del(clock.id)).toMatchObject({ deleted: true });
    expect(await h.stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    await h.settle();
    expect(h.receiver.types()).toContain('test_helpers.test_clock.deleted');
  });

  it('advancing renews through every period crossed: paid invoices on the clock time, events on real time', async () => {
    const { clock, customer, price } = await clockCustomer('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    expect(sub).toMatchObject({ status: 'active', created: CLOCK_START, test_clock: clock.id });
    const firstEnd = sub.items.data[0]?.current_period_end ?? 0;
    expect(firstEnd).toBe(Date.UTC(2030, 1, 15) / 1000);
    const marker = await mark();

    const ready = await advance(clock.id, Date.UTC(2030, 2, 20) / 1000);
    expect(ready).toMatchObject({ status: 'ready', frozen_time: Date.UTC(2030, 2, 20) / 1000 });

    const events = await since(marker);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('test_helpers.test_clock.advancing');
    expect(types.at(-1)).toBe('test_helpers.test_clock.ready');
    expect(types.filter((t) => t === 'invoice.payment_succeeded')).toHaveLength(2);
    const firstRenewal = types.indexOf('customer.subscription.updated');
    expect(types.slice(firstRenewal, firstRenewal + 7)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    // Every event is stamped with real time, never the clock's (2030); only the clock's own
    // events name the advance request.
    for (const event of events) expect(event.created).toBeLessThanOrEqual(realNow() + 1);
    expect(events.filter((e) => e.request?.id !== null).map((e) => e.type)).toEqual([
      'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.ready',
    ]);

    const paid = events.filter((e) => e.type === 'invoice.paid').map((e) => invoiceOf(e));
    expect(paid.map((inv) => [inv.created, inv.period_start, inv.billing_reason])).toEqual([
      [firstEnd, firstEnd, 'subscription_cycle'],
      [Date.UTC(2030, 2, 15) / 1000, Date.UTC(2030, 2, 15) / 1000, 'subscription_cycle'],
    ]);
    const now = await h.stripe.subscriptions.retrieve(sub.id);
    expect(now.status).toBe('active');
    expect(now.items.data[0]?.current_period_start).toBe(Date.UTC(2030, 2, 15) / 1000);
    expect(now.latest_invoice).toBe(paid[1]?.id);
    expect(h.receiver.types()).toEqual(expect.arrayContaining(['test_helpers.test_clock.ready']));
  });

  it('a failed renewal: past_due, retried 3, 5 and 7 days later, then canceled for payment_failed', async () => {
    const { clock, customer, price } = await clockCustomer('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    const failing = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    const renewal = sub.items.data[0]?.current_period_end ?? 0;
    const marker = await mark();

    await advance(clock.id, renewal + DAY);
    const pastDue = await h.stripe.subscriptions.retrieve(sub.id);
    expect(pastDue.status).toBe('past_due');
    const open = await h.stripe.invoices.retrieve(pastDue.latest_invoice as string);
    expect(open).toMatchObject({
      status: 'open',
      attempt_count: 1,
      next_payment_attempt: renewal + 3 * DAY,
    });

    await advance(clock.id, renewal + 14 * DAY);
    expect(await h.stripe.invoices.retrieve(open.id)).toMatchObject({
      attempt_count: 3,
      next_payment_attempt: renewal + 15 * DAY,
    });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');

    await advance(clock.id, renewal + 15 * DAY);
    const ended = await h.stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({
      status: 'canceled',
      ended_at: renewal + 15 * DAY,
      cancellation_details: { reason: 'payment_failed' },
    });
    expect(await h.stripe.invoices.retrieve(open.id)).toMatchObject({
      status: 'open',
      attempt_count: 4,
      next_payment_attempt: null,
    });
    const types = (await since(marker)).map((e) => e.type);
    expect(types.filter((t) => t === 'invoice.payment_failed')).toHaveLength(4);
    expect(types.filter((t) => t === 'customer.subscription.deleted')).toHaveLength(1);
  });

  it('a retry that succeeds (a new default card) makes the subscription active again', async () => {
    const { clock, customer, price } = await clockCustomer('pm_card_chargeCustomerFail');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      payment_behavior: 'default_incomplete',
    });
    await h.stripe.invoices.pay(sub.latest_invoice as string, {
      payment_method: (
        await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id })
      ).id,
    });
    const renewal = sub.items.data[0]?.current_period_end ?? 0;
    await advance(clock.id, renewal + DAY);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    const good = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: good.id });
    const marker = await mark();
    await advance(clock.id, renewal + 3 * DAY);
    const events = await since(marker, ['customer.subscription.updated', 'invoice.paid']);
    expect(events.map((e) => e.type)).toEqual(['invoice.paid', 'customer.subscription.updated']);
    expect(subOf(events[1])).toMatchObject({ status: 'active' });
    expect(invoiceOf(events[0])).toMatchObject({ attempt_count: 2, status: 'paid' });
  });

  it('cancel_at_period_end: the subscription ends at the period end the clock crosses', async () => {
    const { clock, customer, price } = await clockCustomer('pm_card_visa');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      cancel_at_period_end: true,
    });
    const end = sub.items.data[0]?.current_period_end ?? 0;
    await advance(clock.id, end - DAY);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    const marker = await mark();
    await advance(clock.id, end + 40 * DAY);
    const events = await since(marker);
    expect(events.map((e) => e.type)).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.deleted',
      'test_helpers.test_clock.ready',
    ]);
    expect(subOf(events[1])).toMatchObject({ status: 'canceled', ended_at: end });
  });

  it('refuses to advance backwards or a clock that does not exist', async () => {
    const { clock } = await clockCustomer();
    const back = await h.stripe.testHelpers.testClocks
      .advance(clock.id, { frozen_time: CLOCK_START - 1 })
      .catch((error: unknown) => error);
    expect(back).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    const missing = await h.stripe.testHelpers.testClocks
      .advance('clock_nope', { frozen_time: CLOCK_START + 1 })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ statusCode: 404 });
  });
});
