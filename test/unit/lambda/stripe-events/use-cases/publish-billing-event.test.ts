import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import {
  type BillingEvent,
  UnpublishableEventError,
} from '../../../../../lambda/domain/billing-event';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import { publishBillingEvent } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import {
  CUSTOMER_ID,
  invoiceObject,
  paymentIntentObject,
  stripeEvent,
  subscriptionObject,
  SUBSCRIPTION_ID,
  USER_ID,
} from '../../../../support/stripe-events';
import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const NOW = new Date('2026-11-23T12:00:00.000Z');

function setup(directory: Record<string, string> = {}) {
  const published: BillingEvent[] = [];
  const lookups: string[] = [];
  const parked = new FakeParkedEventStore();
  const logger = new Logger({ logLevel: 'SILENT' });
  const warn = jest.spyOn(logger, 'warn');
  const info = jest.spyOn(logger, 'info');
  const order = new InMemorySubscriptionOrder();
  const subscriptions = new FakeSubscriptionSource();
  const counted: string[] = [];
  const deps = {
    logger,
    parked,
    admission: TEST_MODE_ADMISSION,
    accessPolicy: DEFAULT_ACCESS_POLICY,
    order,
    subscriptions,
    metrics: { count: (name: string) => counted.push(name) },
    now: () => NOW,
    publisher: {
      publish: (event: BillingEvent) => {
        published.push(event);
        return Promise.resolve();
      },
    },
    customers: {
      userIdForStripeCustomer: (id: string) => {
        lookups.push(id);
        return Promise.resolve(directory[id]);
      },
    },
  };
  return { deps, published, lookups, parked, warn, info, order, subscriptions, counted };
}

const delivery = (event: Record<string, unknown>): StripeDelivery => {
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

const event = (withUser: boolean) =>
  delivery(
    stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded', withUser), {
      id: 'evt_1',
      created: 1_763_856_000,
    }),
  );

describe('publishBillingEvent', () => {
  it('publishes the contract message, the user from the metadata without a lookup', async () => {
    const { deps, published, lookups } = setup();
    expect(await publishBillingEvent(deps, event(true))).toEqual({
      billingEventId: 'evt_1:payment.successful',
    });
    expect(lookups).toEqual([]);
    expect(published).toEqual([
      {
        schemaVersion: 1,
        type: 'payment.successful',
        id: 'evt_1:payment.successful',
        occurredAt: '2025-11-23T00:00:00.000Z',
        source: 'stripe',
        stripeEventId: 'evt_1',
        stripeEventType: 'payment_intent.succeeded',
        livemode: false,
        userId: USER_ID,
        stripeCustomerId: CUSTOMER_ID,
        data: expect.objectContaining({
          paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
        }) as unknown,
      },
    ]);
  });

  it('logs what it published: the billing event id, its type and its user', async () => {
    const { deps, info } = setup();
    await publishBillingEvent(deps, event(true));
    expect(info).toHaveBeenCalledWith('Billing event published', {
      billingEventId: 'evt_1:payment.successful',
      type: 'payment.successful',
      userId: USER_ID,
    });
  });

  it('warns about no unknown user when the metadata names one', async () => {
    const { deps, warn } = setup();
    await publishBillingEvent(deps, event(true));
    expect(warn).not.toHaveBeenCalled();
  });

  it('finds the user through the customer mapping when the metadata has none', async () => {
    const { deps, published } = setup({ [CUSTOMER_ID]: 'user-from-mapping' });
    await publishBillingEvent(deps, event(false));
    expect(published[0]?.userId).toBe('user-from-mapping');
  });

  it('publishes with a null user, and warns, when nobody is mapped', async () => {
    const { deps, published, warn } = setup();
    await publishBillingEvent(deps, event(false));
    expect(published[0]?.userId).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      'Billing event for an unknown user',
      expect.objectContaining({ stripeCustomerId: CUSTOMER_ID }),
    );
  });

  it('throws when the publish fails, so the delivery is retried', async () => {
    const { deps, parked } = setup();
    const failing = {
      ...deps,
      publisher: { publish: () => Promise.reject(new Error('SNS down')) },
    };
    await expect(publishBillingEvent(failing, event(true))).rejects.toThrow('SNS down');
    expect(parked.calls).toEqual([]);
  });

  it('throws when the customer lookup fails, so the delivery is retried', async () => {
    const { deps, published, parked } = setup();
    const failing = {
      ...deps,
      customers: { userIdForStripeCustomer: () => Promise.reject(new Error('DynamoDB down')) },
    };
    await expect(publishBillingEvent(failing, event(false))).rejects.toThrow('DynamoDB down');
    expect([published, parked.calls]).toEqual([[], []]);
  });

  it('publishes nothing for an unhandled type', async () => {
    const { deps, published } = setup();
    const other = delivery(stripeEvent('customer.created', {}));
    expect(await publishBillingEvent(deps, other)).toEqual({ billingEventId: null });
    expect(published).toEqual([]);
  });
});

describe('publishBillingEvent: permanent failures are parked', () => {
  it('parks a payload that cannot be mapped, with its raw body, and publishes nothing', async () => {
    const { deps, published, parked, warn } = setup();
    const { items: _, ...withoutItems } = subscriptionObject('current');
    const poison = delivery(
      stripeEvent('customer.subscription.updated', withoutItems, { id: 'evt_poison' }),
    );
    expect(await publishBillingEvent(deps, poison)).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(published).toEqual([]);
    expect(parked.calls).toEqual([
      {
        eventId: 'evt_poison',
        type: 'customer.subscription.updated',
        reason: expect.stringContaining('data.object.items is missing') as unknown,
        parkedAt: NOW.toISOString(),
        rawBody: poison.rawBody,
      },
    ]);
    expect(warn).toHaveBeenCalledWith(
      'Stripe event parked: it cannot become a billing event',
      expect.objectContaining({
        stripeEventId: 'evt_poison',
        reason: expect.stringContaining('data.object.items') as unknown,
      }),
    );
  });

  it('parks an event whose `created` no Date can hold', async () => {
    const { deps, published, parked } = setup();
    const poison = delivery(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), { created: 1e20 }),
    );
    expect(await publishBillingEvent(deps, poison)).toMatchObject({ parked: true });
    expect(published).toEqual([]);
    // Refused on admission (from the future) before the mapping's own bound is reached.
    expect(parked.calls[0]?.reason).toMatch(
      /^created 1e\+23 is \d+ s ahead of this service's clock/,
    );
  });

  it('parks a message the topic will never take (over its size limit)', async () => {
    const { deps, parked } = setup();
    const tooLarge = {
      ...deps,
      publisher: {
        publish: () =>
          Promise.reject(new UnpublishableEventError('The billing event message is 300000 bytes')),
      },
    };
    expect(await publishBillingEvent(tooLarge, event(true))).toEqual({
      billingEventId: null,
      parked: true,
    });
    expect(parked.calls[0]?.reason).toBe('The billing event message is 300000 bytes');
  });

  it('throws when parking itself fails (transient: Stripe delivers the event again)', async () => {
    const { deps, published, parked } = setup();
    parked.failWith = new Error('DynamoDB down');
    const poison = delivery(
      stripeEvent('invoice.payment_succeeded', { object: 'invoice', id: 'in_1', lines: 'oops' }),
    );
    await expect(publishBillingEvent(deps, poison)).rejects.toThrow('DynamoDB down');
    expect(published).toEqual([]);
  });
});

describe('publishBillingEvent: never backwards (contract section 5)', () => {
  const subscriptionEvent = (
    id: string,
    created: number,
    changes: Record<string, unknown> = {},
    type = 'customer.subscription.updated',
  ) =>
    delivery(stripeEvent(type, { ...subscriptionObject('current'), ...changes }, { id, created }));

  it('publishes a newer event and supersedes an older one delivered after it', async () => {
    const { deps, published, counted } = setup();
    expect(await publishBillingEvent(deps, subscriptionEvent('evt_new', 200))).toEqual({
      billingEventId: 'evt_new:subscription.updated',
    });
    expect(await publishBillingEvent(deps, subscriptionEvent('evt_old', 100))).toEqual({
      billingEventId: null,
      superseded: true,
    });
    expect(published.map((e) => e.stripeEventId)).toEqual(['evt_new']);
    expect(counted).toEqual(['BillingEventsPublished', 'EventsSuperseded']);
  });

  it('logs a superseded event with the subscription and the newer event that won', async () => {
    const { deps, info } = setup();
    await publishBillingEvent(deps, subscriptionEvent('evt_new', 200));
    await publishBillingEvent(deps, subscriptionEvent('evt_old', 100));
    expect(info).toHaveBeenCalledWith(
      'Event superseded by a newer one about the same state; not published',
      { stripeEventId: 'evt_old', orderKey: SUBSCRIPTION_ID, newerStripeEventId: 'evt_new' },
    );
  });

  it('publishes events in order as they come, and lets a retry of the same event through', async () => {
    const { deps, published } = setup();
    await publishBillingEvent(deps, subscriptionEvent('evt_1', 100));
    await publishBillingEvent(deps, subscriptionEvent('evt_2', 200));
    await publishBillingEvent(deps, subscriptionEvent('evt_2', 200));
    expect(published.map((e) => e.stripeEventId)).toEqual(['evt_1', 'evt_2', 'evt_2']);
  });

  it('settles a same-second tie for the event that carries Stripe’s current state', async () => {
    const { deps, published, subscriptions } = setup();
    const current = { ...subscriptionObject('current'), status: 'past_due' };
    subscriptions.current_.set(
      String(subscriptionObject('current').id),
      current as unknown as Stripe.Subscription,
    );
    await publishBillingEvent(deps, subscriptionEvent('evt_a', 300, { status: 'active' }));
    const newer = await publishBillingEvent(
      deps,
      subscriptionEvent('evt_b', 300, { status: 'past_due' }),
    );
    const older = await publishBillingEvent(
      deps,
      subscriptionEvent('evt_c', 300, { status: 'active' }),
    );
    expect([newer.superseded, older.superseded]).toEqual([undefined, true]);
    expect(published.map((e) => e.stripeEventId)).toEqual(['evt_a', 'evt_b']);
    expect(published.at(-1)?.data.status).toBe('past_due');
  });

  it('loses a same-second tie when Stripe has no current state of the subscription', async () => {
    // Nothing to compare with: the event already published keeps the last word.
    const { deps, published, subscriptions } = setup();
    await publishBillingEvent(deps, subscriptionEvent('evt_a', 300, { status: 'active' }));
    expect(
      await publishBillingEvent(deps, subscriptionEvent('evt_b', 300, { status: 'past_due' })),
    ).toEqual({ billingEventId: null, superseded: true });
    expect(subscriptions.calls).toBe(1);
    expect(published.map((e) => e.stripeEventId)).toEqual(['evt_a']);
  });

  it('does not order what is not about a subscription state (payments, invoices)', async () => {
    const { deps, published, order } = setup();
    await publishBillingEvent(deps, event(true));
    expect(order.marks.size).toBe(0);
    expect(published).toHaveLength(1);
  });

  it('publishes an invoice older than its subscription’s last published event', async () => {
    // An invoice names its subscription but carries no subscription state: never superseded.
    const { deps, published, order } = setup();
    await publishBillingEvent(deps, subscriptionEvent('evt_sub', 200));
    const olderInvoice = delivery(
      stripeEvent('invoice.payment_succeeded', invoiceObject('current', 'paid'), {
        id: 'evt_inv',
        created: 100,
      }),
    );
    expect(await publishBillingEvent(deps, olderInvoice)).toEqual({
      billingEventId: 'evt_inv:invoice.paid',
    });
    expect(published.map((e) => [e.stripeEventId, e.data.subscriptionId])).toEqual([
      ['evt_sub', SUBSCRIPTION_ID],
      ['evt_inv', SUBSCRIPTION_ID],
    ]);
    expect(order.marks.get(SUBSCRIPTION_ID)?.lastEventId).toBe('evt_sub');
  });

  it('keeps the subscription claimed while publishing: a concurrent event is told to retry', async () => {
    const { deps, order } = setup();
    let release: () => void = () => undefined;
    const slow = {
      ...deps,
      publisher: {
        publish: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      },
    };
    const first = publishBillingEvent(slow, subscriptionEvent('evt_first', 100));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(publishBillingEvent(deps, subscriptionEvent('evt_second', 200))).rejects.toThrow(
      SubscriptionBusyError,
    );
    release();
    await first;
    expect(order.marks.get(String(subscriptionObject('current').id))?.leaseEventId).toBeUndefined();
    await expect(
      publishBillingEvent(deps, subscriptionEvent('evt_second', 200)),
    ).resolves.toMatchObject({ billingEventId: 'evt_second:subscription.updated' });
  });

  it('answers success when the message is out and only releasing the lease failed', async () => {
    const { deps, published, warn } = setup();
    const leaky = {
      ...deps,
      order: {
        claim: async (...args: Parameters<typeof deps.order.claim>) => {
          const claim = await deps.order.claim(...args);
          return claim.kind === 'claimed'
            ? { ...claim, release: () => Promise.reject(new Error('DynamoDB down')) }
            : claim;
        },
      },
    };
    await expect(publishBillingEvent(leaky, subscriptionEvent('evt_r', 100))).resolves.toEqual({
      billingEventId: 'evt_r:subscription.updated',
    });
    expect(published).toHaveLength(1);
    // The operator learns why the next event about the subscription may wait for the lease.
    expect(warn).toHaveBeenCalledWith('Order lease not released; it expires by itself', {
      stripeEventId: 'evt_r',
      orderKey: SUBSCRIPTION_ID,
      error: new Error('DynamoDB down'),
    });
  });

  it('releases the claim when the publish fails, and the retry of that event passes', async () => {
    const { deps, published } = setup();
    const failing = {
      ...deps,
      publisher: { publish: () => Promise.reject(new Error('SNS down')) },
    };
    await expect(publishBillingEvent(failing, subscriptionEvent('evt_x', 100))).rejects.toThrow(
      'SNS down',
    );
    await publishBillingEvent(deps, subscriptionEvent('evt_x', 100));
    expect(published.map((e) => e.stripeEventId)).toEqual(['evt_x']);
  });
});
