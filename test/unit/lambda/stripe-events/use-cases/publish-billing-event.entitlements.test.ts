import { Logger } from '@aws-lambda-powertools/logger';
import type { ActiveEntitlementRef } from '../../../../../lambda/domain/active-entitlements';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { MAX_ACTIVE_ENTITLEMENTS } from '../../../../../lambda/stripe-events/payloads';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import {
  API,
  CREATED,
  EXPORTS,
  type Grant,
  SEATS,
  summaryEvent,
  TYPE,
} from '../../../../support/entitlement-summaries';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import { CUSTOMER_ID, USER_ID } from '../../../../support/stripe-events';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

/** Stripe's current active entitlements, as a test sets them; calls are counted. */
class FakeEntitlementSource {
  readonly current_ = new Map<string, ActiveEntitlementRef[]>();
  calls: { customer: string; atMost: number }[] = [];
  failure: Error | undefined;

  current(customer: string, atMost: number): Promise<ActiveEntitlementRef[]> {
    this.calls.push({ customer, atMost });
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve((this.current_.get(customer) ?? []).slice(0, atMost));
  }

  set(grants: readonly Grant[]): void {
    this.current_.set(
      CUSTOMER_ID,
      grants.map(([feature, lookupKey]) => ({ feature, lookupKey })),
    );
  }
}

function setup(options: { wired?: boolean } = {}) {
  const published: BillingEvent[] = [];
  const parked = new FakeParkedEventStore();
  const order = new InMemorySubscriptionOrder();
  const entitlements = new FakeEntitlementSource();
  const counted: string[] = [];
  const logger = new Logger({ logLevel: 'SILENT' });
  const info = jest.spyOn(logger, 'info');
  const deps = {
    logger,
    parked,
    admission: TEST_MODE_ADMISSION,
    accessPolicy: DEFAULT_ACCESS_POLICY,
    order,
    subscriptions: new FakeSubscriptionSource(),
    ...(options.wired === false ? {} : { entitlements }),
    metrics: { count: (name: string) => counted.push(name) },
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: {
      userIdForStripeCustomer: (id: string) =>
        Promise.resolve(id === CUSTOMER_ID ? USER_ID : undefined),
    },
  };
  return { deps, published, parked, order, entitlements, counted, info };
}

const features = (published: BillingEvent[]) => published.map((event) => event.data.features);

/** `count` distinct active entitlements. */
const grants = (count: number): Grant[] =>
  Array.from({ length: count }, (_, i): Grant => [`feat_${String(i)}`, `key-${String(i)}`]);

describe('publishing entitlements.updated', () => {
  it('publishes the features with the user from the customers table', async () => {
    const { deps, published, entitlements } = setup();
    entitlements.set([EXPORTS]);
    expect(await publishBillingEvent(deps, summaryEvent([EXPORTS]))).toEqual({
      billingEventId: 'evt_ent_1:entitlements.updated',
    });
    expect(published).toEqual([
      expect.objectContaining({
        type: 'entitlements.updated',
        id: 'evt_ent_1:entitlements.updated',
        stripeEventType: TYPE,
        userId: USER_ID,
        stripeCustomerId: CUSTOMER_ID,
        data: {
          customerId: CUSTOMER_ID,
          features: ['pro-exports'],
          entitlements: [{ feature: 'feat_exports', lookupKey: 'pro-exports' }],
        },
      }),
    ]);
    // What is published is read from Stripe inside the customer's lease.
    expect(entitlements.calls).toHaveLength(1);
  });

  it('publishes an empty list (every feature revoked) as features []', async () => {
    const { deps, published, entitlements } = setup();
    entitlements.set([EXPORTS]);
    await publishBillingEvent(deps, summaryEvent([EXPORTS], { id: 'evt_a' }));
    entitlements.set([]);
    await publishBillingEvent(deps, summaryEvent([], { id: 'evt_b', created: CREATED + 5 }));
    expect(features(published)).toEqual([['pro-exports'], []]);
  });

  it('parks a malformed summary, publishing nothing', async () => {
    const { deps, published, parked, counted } = setup();
    const delivery = summaryEvent([EXPORTS]);
    delete (delivery.event.data.object as unknown as Record<string, unknown>).entitlements;
    expect(await publishBillingEvent(deps, delivery)).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(published).toEqual([]);
    expect(parked.parked.get('evt_ent_1')?.reason).toMatch(/data\.object\.entitlements/);
    expect(counted).toEqual(['EventsParked']);
  });

  describe('a summary that embeds one page of several (has_more)', () => {
    it('publishes the whole list, read from Stripe, never the one page', async () => {
      const { deps, published, entitlements } = setup();
      entitlements.set([EXPORTS, API, SEATS]);
      await publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true }));
      expect(entitlements.calls).toEqual([
        { customer: CUSTOMER_ID, atMost: MAX_ACTIVE_ENTITLEMENTS + 1 },
      ]);
      expect(features(published)).toEqual([['api-access', 'pro-exports', 'seats']]);
      expect(published[0]?.data.entitlements).toHaveLength(3);
    });

    it('logs that it published Stripe’s current entitlements, and how many', async () => {
      const { deps, entitlements, info } = setup();
      entitlements.set([EXPORTS, API, SEATS]);
      await publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true }));
      expect(info).toHaveBeenCalledWith(
        "Entitlement summary published with Stripe's current entitlements",
        { stripeCustomerId: CUSTOMER_ID, entitlements: 3 },
      );
    });

    it('publishes a customer with exactly as many entitlements as one message carries', async () => {
      const { deps, published, parked, entitlements } = setup();
      entitlements.set(grants(MAX_ACTIVE_ENTITLEMENTS));
      expect(await publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true }))).toEqual({
        billingEventId: 'evt_ent_1:entitlements.updated',
      });
      expect(published[0]?.data.entitlements).toHaveLength(MAX_ACTIVE_ENTITLEMENTS);
      expect(parked.parked.size).toBe(0);
    });

    it('fails (transient) when Stripe cannot be read: nothing published, nothing parked', async () => {
      const { deps, published, parked, entitlements } = setup();
      entitlements.failure = new Error('Stripe unavailable');
      await expect(
        publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true })),
      ).rejects.toThrow('Stripe unavailable');
      expect(published).toEqual([]);
      expect(parked.parked.size).toBe(0);
    });

    it('parks a customer with more entitlements than one message carries', async () => {
      const { deps, published, parked, entitlements } = setup();
      entitlements.set(grants(MAX_ACTIVE_ENTITLEMENTS + 1));
      expect(
        await publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true })),
      ).toMatchObject({ parked: true });
      expect(published).toEqual([]);
      expect(parked.parked.get('evt_ent_1')?.reason).toBe(
        `data.object.entitlements: the customer has more than ${String(MAX_ACTIVE_ENTITLEMENTS)} ` +
          'active entitlements, more than one billing event carries; none is published truncated',
      );
    });

    it('fails loudly when no entitlement source is wired (never publishes the page)', async () => {
      const { deps, published } = setup({ wired: false });
      await expect(
        publishBillingEvent(deps, summaryEvent([EXPORTS], { hasMore: true })),
      ).rejects.toThrow(
        "No source of Stripe's active entitlements is wired into this pipeline " +
          '(PublishDependencies.entitlements): the summary cannot be completed or ordered',
      );
      expect(published).toEqual([]);
    });
  });

  describe('never backwards (per customer)', () => {
    it('supersedes an older summary delivered after a newer one', async () => {
      const { deps, published, counted } = setup();
      const newer = summaryEvent([], { id: 'evt_newer', created: CREATED + 10 });
      const older = summaryEvent([EXPORTS], { id: 'evt_older', created: CREATED });
      await publishBillingEvent(deps, newer);
      expect(await publishBillingEvent(deps, older)).toEqual({
        billingEventId: null,
        superseded: true,
      });
      expect(features(published)).toEqual([[]]);
      expect(counted).toContain('EventsSuperseded');
    });

    it('keeps its own mark per customer, apart from subscriptions', async () => {
      const { deps, order } = setup();
      await publishBillingEvent(deps, summaryEvent([EXPORTS]));
      expect([...order.marks.keys()]).toEqual([`entitlements:${CUSTOMER_ID}`]);
    });

    it('publishes a same-second tie, with the state Stripe has when it is published', async () => {
      const { deps, published, entitlements } = setup();
      entitlements.set([EXPORTS]);
      await publishBillingEvent(deps, summaryEvent([EXPORTS], { id: 'evt_a' }));
      entitlements.set([API]);
      // Whatever b embeds, the last message says what Stripe says.
      expect(await publishBillingEvent(deps, summaryEvent([EXPORTS], { id: 'evt_b' }))).toEqual({
        billingEventId: 'evt_b:entitlements.updated',
      });
      expect(features(published)).toEqual([['pro-exports'], ['api-access']]);
    });

    it('supersedes a summary older than one already published (nothing to read)', async () => {
      const { deps, published, entitlements } = setup();
      entitlements.set([EXPORTS]);
      await publishBillingEvent(
        deps,
        summaryEvent([EXPORTS], { id: 'evt_new', created: CREATED + 9 }),
      );
      const calls = entitlements.calls.length;
      expect(await publishBillingEvent(deps, summaryEvent([], { id: 'evt_old' }))).toEqual({
        billingEventId: null,
        superseded: true,
      });
      expect(published).toHaveLength(1);
      expect(entitlements.calls).toHaveLength(calls);
    });

    it('never publishes an older state after a newer one, whatever the summaries embed', async () => {
      const { deps, published, entitlements } = setup();
      // Stripe already has {exports, api, seats} when the first (partial) summary comes.
      entitlements.set([EXPORTS, API, SEATS]);
      await publishBillingEvent(deps, summaryEvent([EXPORTS], { id: 'evt_1', hasMore: true }));
      // A later-created summary embedding an older state ({exports, api}) arrives next.
      await publishBillingEvent(
        deps,
        summaryEvent([EXPORTS, API], { id: 'evt_2', created: CREATED + 1 }),
      );
      expect(features(published)).toEqual([
        ['api-access', 'pro-exports', 'seats'],
        ['api-access', 'pro-exports', 'seats'],
      ]);
    });

    it('a redelivery of the published event is no tie', async () => {
      const { deps, published, entitlements } = setup();
      entitlements.set([EXPORTS]);
      await publishBillingEvent(deps, summaryEvent([EXPORTS]));
      await publishBillingEvent(deps, summaryEvent([EXPORTS]));
      expect(published).toHaveLength(2);
      // No tie asked about: one read of the state per publication.
      expect(entitlements.calls).toHaveLength(2);
    });
  });
});
