import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import {
  checkIdOf,
  checkSubscriptionState,
  STATE_CHECK_EVENT_TYPE,
  type StateCheckDependencies,
} from '../../../../../lambda/reconcile/use-cases/check-subscription-state';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { eventAdmission } from '../../../../../lambda/domain/event-admission';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import {
  stripeEvent,
  subscriptionObject,
  SUBSCRIPTION_ID,
  USER_ID,
} from '../../../../support/stripe-events';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const NOW = new Date('2026-12-08T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

/** The pipeline and the state check over one in-memory ledger, one Stripe and one topic. */
function setup() {
  const published: BillingEvent[] = [];
  const order = new InMemorySubscriptionOrder(() => NOW.getTime());
  const stripe = new FakeSubscriptionSource();
  const counted: string[] = [];
  const common = {
    logger: new Logger({ logLevel: 'SILENT' }),
    accessPolicy: DEFAULT_ACCESS_POLICY,
    customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    metrics: { count: (name: string) => counted.push(name) },
    now: () => NOW,
  };
  const check: StateCheckDependencies = { ...common, order, subscriptions: stripe };
  const pipeline = {
    ...common,
    order,
    subscriptions: stripe,
    parked: new FakeParkedEventStore(),
    admission: eventAdmission(
      () => Promise.resolve('test'),
      () => NOW,
    ),
  };
  const deliver = (id: string, created: number, status: string) => {
    const event = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject('current', { status }),
      { id, created },
    );
    const rawBody = Buffer.from(JSON.stringify(event));
    const delivery: StripeDelivery = { event: event as unknown as Stripe.Event, rawBody };
    return publishBillingEvent(pipeline, delivery);
  };
  const stripeHas = (status: string) => {
    stripe.current_.set(
      SUBSCRIPTION_ID,
      subscriptionObject('current', { status }) as unknown as Stripe.Subscription,
    );
  };
  return { check, deliver, stripeHas, published, order, counted };
}

describe('checkSubscriptionState', () => {
  it('finds a subscription in step when the last state published is Stripe’s', async () => {
    const { check, deliver, stripeHas, published } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    stripeHas('active');
    expect(await checkSubscriptionState(check, SUBSCRIPTION_ID)).toEqual({
      subscriptionId: SUBSCRIPTION_ID,
      outcome: 'in_step',
    });
    expect(published).toHaveLength(1);
  });

  it('publishes Stripe’s current state when the last state published differs, once', async () => {
    const { check, deliver, stripeHas, published, counted } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    stripeHas('canceled');
    const healed = await checkSubscriptionState(check, SUBSCRIPTION_ID);
    const correction = published[1];
    expect(healed).toEqual({
      subscriptionId: SUBSCRIPTION_ID,
      outcome: 'healed',
      billingEventId: correction?.id,
    });
    expect(correction).toMatchObject({
      type: 'subscription.updated',
      id: expect.stringMatching(/^state_check_[0-9a-f]{32}:subscription\.updated$/) as unknown,
      stripeEventType: STATE_CHECK_EVENT_TYPE,
      occurredAt: NOW.toISOString(),
      userId: USER_ID,
      data: { subscriptionId: SUBSCRIPTION_ID, status: 'canceled' },
    });
    expect(correction?.stripeEventId).toBe(correction?.id.split(':')[0]);
    expect(counted).toEqual([
      'BillingEventsPublished',
      'SubscriptionStatesHealed',
      'BillingEventsPublished',
    ]);
    // Recorded as published: the next run finds it in step.
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('in_step');
    expect(published).toHaveLength(2);
  });

  it('publishes the same id again when the first correction’s record was lost', async () => {
    const { check, deliver, stripeHas, published, order } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    stripeHas('canceled');
    const losing: StateCheckDependencies = {
      ...check,
      order: {
        published: (id) => order.published(id),
        claimCorrection: async (id, leaseId) => {
          const claim = await order.claimCorrection(id, leaseId);
          return { ...claim, release: () => claim.release() };
        },
      },
    };
    await checkSubscriptionState(losing, SUBSCRIPTION_ID);
    await checkSubscriptionState(check, SUBSCRIPTION_ID);
    expect(published.slice(1).map((event) => event.id)).toHaveLength(2);
    expect(new Set(published.slice(1).map((event) => event.id)).size).toBe(1);
  });

  it('gives a later divergence (after another event) a new id', async () => {
    const { check, deliver, stripeHas, published } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    stripeHas('canceled');
    await checkSubscriptionState(check, SUBSCRIPTION_ID);
    await deliver('evt_active_again', nowSeconds - 1, 'active');
    stripeHas('canceled');
    await checkSubscriptionState(check, SUBSCRIPTION_ID);
    const ids = published.filter((e) => e.stripeEventType === STATE_CHECK_EVENT_TYPE);
    expect(ids).toHaveLength(2);
    expect(ids[0]?.id).not.toBe(ids[1]?.id);
  });

  it('heals a mark stamped in the future (before admission): publishes, and real events pass again', async () => {
    const { check, deliver, stripeHas, published, order } = setup();
    // What a far-future event left before admission existed: no state recorded.
    order.marks.set(SUBSCRIPTION_ID, { lastCreated: 253402300799, lastEventId: 'evt_9999' });
    expect(await deliver('evt_cancel', nowSeconds - 5, 'canceled')).toMatchObject({
      superseded: true,
    });
    stripeHas('canceled');
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('healed');
    expect(published.map((event) => event.data.status)).toEqual(['canceled']);
    expect(order.marks.get(SUBSCRIPTION_ID)?.lastCreated).toBe(nowSeconds);
    // The next real event is published, not superseded by the year 9999.
    expect(await deliver('evt_next', nowSeconds + 1, 'active')).toEqual({
      billingEventId: 'evt_next:subscription.updated',
    });
  });

  it('leaves alone what it cannot compare', async () => {
    const { check, stripeHas, order, published } = setup();
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('not_published');
    order.marks.set(SUBSCRIPTION_ID, { lastCreated: nowSeconds - 60, lastEventId: 'evt_old' });
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('not_at_stripe');
    stripeHas('active');
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('unrecorded');
    expect(published).toEqual([]);
  });

  it('waits while another event about the subscription holds its lease', async () => {
    const { check, deliver, stripeHas, order, published } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    const mark = order.marks.get(SUBSCRIPTION_ID);
    order.marks.set(SUBSCRIPTION_ID, {
      ...(mark ?? { lastCreated: 0, lastEventId: '' }),
      leaseEventId: 'evt_in_flight',
      leaseUntil: NOW.getTime() + 10_000,
    });
    stripeHas('canceled');
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('busy');
    expect(published).toHaveLength(1);
  });

  it('fails as the topic fails, releasing the lease without recording a state', async () => {
    const { check, deliver, stripeHas, order, published } = setup();
    await deliver('evt_active', nowSeconds - 60, 'active');
    stripeHas('canceled');
    const failing = {
      ...check,
      publisher: { publish: () => Promise.reject(new Error('SNS down')) },
    };
    await expect(checkSubscriptionState(failing, SUBSCRIPTION_ID)).rejects.toThrow('SNS down');
    expect(order.marks.get(SUBSCRIPTION_ID)?.leaseEventId).toBeUndefined();
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('healed');
    expect(published.at(-1)?.data.status).toBe('canceled');
  });
});

describe('checkIdOf', () => {
  it('derives from the subscription, the event it follows and the state, and nothing else', () => {
    const id = checkIdOf('sub_1', 'evt_1', '["status","active"]');
    expect(id).toBe(checkIdOf('sub_1', 'evt_1', '["status","active"]'));
    expect(id).not.toBe(checkIdOf('sub_2', 'evt_1', '["status","active"]'));
    expect(id).not.toBe(checkIdOf('sub_1', 'evt_2', '["status","active"]'));
    expect(id).not.toBe(checkIdOf('sub_1', 'evt_1', '["status","canceled"]'));
  });
});

describe('checkSubscriptionState on demand (--subscription)', () => {
  it('publishes Stripe’s state when the last one published was never recorded', async () => {
    const { check, stripeHas, order, published } = setup();
    order.marks.set(SUBSCRIPTION_ID, { lastCreated: nowSeconds - 60, lastEventId: 'evt_old' });
    stripeHas('active');
    const result = await checkSubscriptionState(check, SUBSCRIPTION_ID, {
      publishUnrecorded: true,
    });
    expect(result.outcome).toBe('healed');
    expect(published.map((event) => event.data.status)).toEqual(['active']);
    expect((await checkSubscriptionState(check, SUBSCRIPTION_ID)).outcome).toBe('in_step');
  });
});
