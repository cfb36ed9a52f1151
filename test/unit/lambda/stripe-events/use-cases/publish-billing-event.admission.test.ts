import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { eventAdmission } from '../../../../../lambda/domain/event-admission';
import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import {
  paymentIntentObject,
  stripeEvent,
  subscriptionObject,
  SUBSCRIPTION_ID,
} from '../../../../support/stripe-events';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const NOW = new Date('2026-12-08T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

function setup(keyMode: 'live' | 'test' = 'test') {
  const published: BillingEvent[] = [];
  const parked = new FakeParkedEventStore();
  const order = new InMemorySubscriptionOrder(() => NOW.getTime());
  const counted: string[] = [];
  const deps = {
    logger: new Logger({ logLevel: 'SILENT' }),
    accessPolicy: DEFAULT_ACCESS_POLICY,
    parked,
    admission: eventAdmission(
      () => Promise.resolve(keyMode),
      () => NOW,
    ),
    order,
    subscriptions: new FakeSubscriptionSource(),
    metrics: { count: (name: string) => counted.push(name) },
    now: () => NOW,
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
  };
  return { deps, published, parked, order, counted };
}

const delivery = (event: Record<string, unknown>): StripeDelivery => {
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

const subscriptionEvent = (id: string, created: number, status = 'active', livemode = false) =>
  delivery(
    stripeEvent(
      'customer.subscription.updated',
      { ...subscriptionObject('current'), status },
      { id, created, livemode },
    ),
  );

describe('publishBillingEvent: admission (contract section 4)', () => {
  it('parks an event dated far in the future: never published, never a high-water mark', async () => {
    const { deps, published, parked, order, counted } = setup();
    const future = subscriptionEvent('evt_future', 253402300799);
    expect(await publishBillingEvent(deps, future)).toEqual({ billingEventId: null, parked: true });
    expect(parked.calls[0]).toMatchObject({
      eventId: 'evt_future',
      type: 'customer.subscription.updated',
      reason: expect.stringMatching(/^created 9999-12-31T23:59:59\.000Z is \d+ s ahead/) as unknown,
    });
    expect(parked.calls[0]?.rawBody).toEqual(future.rawBody);
    expect(order.marks.has(SUBSCRIPTION_ID)).toBe(false);
    expect(counted).toEqual(['EventsParked']);

    // Stripe's real cancellation, a moment later, is published: nothing blocks it.
    const cancel = subscriptionEvent('evt_cancel', nowSeconds - 5, 'canceled');
    expect(await publishBillingEvent(deps, cancel)).toEqual({
      billingEventId: 'evt_cancel:subscription.updated',
    });
    expect(published.map((event) => [event.stripeEventId, event.data.status])).toEqual([
      ['evt_cancel', 'canceled'],
    ]);
  });

  it('takes an event up to the clock skew ahead, and parks one a second beyond it', async () => {
    const { deps, published, parked } = setup();
    await publishBillingEvent(deps, subscriptionEvent('evt_skewed', nowSeconds + 60));
    await publishBillingEvent(deps, subscriptionEvent('evt_beyond', nowSeconds + 61));
    expect(published.map((event) => event.stripeEventId)).toEqual(['evt_skewed']);
    expect(parked.calls.map((call) => call.eventId)).toEqual(['evt_beyond']);
  });

  it('parks a live-mode event in a test-mode stack, and a test-mode event in a live one', async () => {
    const test = setup('test');
    const live = stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
      id: 'evt_live',
      created: nowSeconds,
      livemode: true,
    });
    expect(await publishBillingEvent(test.deps, delivery(live))).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(test.parked.calls[0]?.reason).toMatch(/^livemode true: a live-mode event/);
    expect(test.published).toEqual([]);

    const liveStack = setup('live');
    const testEvent = { ...live, id: 'evt_test', livemode: false };
    await publishBillingEvent(liveStack.deps, delivery(testEvent));
    expect(liveStack.parked.calls[0]?.reason).toMatch(/^livemode false: a test-mode event/);
    expect(liveStack.published).toEqual([]);
    // The live stack publishes its own mode's events.
    await publishBillingEvent(liveStack.deps, delivery(live));
    expect(liveStack.published.map((event) => event.livemode)).toEqual([true]);
  });
});
