import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import type { StripeEventSource } from '../../../../../lambda/domain/stripe-event-source';
import type { StateCheckDependencies } from '../../../../../lambda/reconcile/use-cases/check-subscription-state';
import type { EventResult } from '../../../../../lambda/reconcile/use-cases/reconciliation-report';
import {
  ChangedSubscriptions,
  checkSubscriptionStates,
  MAX_STATE_CHECKS_PER_RUN,
} from '../../../../../lambda/reconcile/use-cases/state-check-run';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import { subscriptionObject } from '../../../../support/stripe-events';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const event = (id: string, type: string, objectId: string): Stripe.Event =>
  ({ id, object: 'event', type, created: 1, data: { object: { id: objectId } } }) as never;

const listing = (events: Stripe.Event[]): StripeEventSource => ({
  retrieve: () => Promise.resolve(undefined),
  // eslint-disable-next-line @typescript-eslint/require-await -- an async generator of fixed events
  async *eventsOldestFirst() {
    yield* events;
  },
});

const result = (eventId: string, disposition: EventResult['disposition']): EventResult => ({
  eventId,
  type: 'customer.subscription.updated',
  created: 1,
  disposition,
});

async function walk(changed: ChangedSubscriptions, events: Stripe.Event[]): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of changed.tap(listing(events)).eventsOldestFirst({
    types: [],
    createdFrom: 0,
    createdTo: 1,
  })) {
    seen.push(e.id);
  }
  return seen;
}

describe('ChangedSubscriptions', () => {
  it('notes the subscriptions of subscription events only, passing every event on', async () => {
    const changed = new ChangedSubscriptions();
    const seen = await walk(changed, [
      event('evt_1', 'customer.subscription.created', 'sub_a'),
      event('evt_2', 'invoice.payment_succeeded', 'in_1'),
      event('evt_3', 'customer.subscription.updated', 'sub_b'),
      event('evt_4', 'customer.subscription.deleted', 'sub_a'),
    ]);
    expect(seen).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4']);
    // Newest change first: sub_a changed last.
    expect(changed.inCheckOrder()).toEqual(['sub_a', 'sub_b']);
  });

  it('puts the subscriptions whose events were superseded first', async () => {
    const changed = new ChangedSubscriptions();
    await walk(changed, [
      event('evt_1', 'customer.subscription.updated', 'sub_a'),
      event('evt_2', 'customer.subscription.updated', 'sub_b'),
      event('evt_3', 'customer.subscription.updated', 'sub_c'),
    ]);
    changed.note(result('evt_1', 'superseded'));
    changed.note(result('evt_2', 'already_processed'));
    changed.note(result('evt_unknown', 'superseded'));
    expect(changed.inCheckOrder()).toEqual(['sub_a', 'sub_c', 'sub_b']);
  });
});

describe('checkSubscriptionStates', () => {
  function deps(): StateCheckDependencies & { stripe: FakeSubscriptionSource } {
    const stripe = new FakeSubscriptionSource();
    return {
      stripe,
      order: new InMemorySubscriptionOrder(),
      subscriptions: stripe,
      customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
      publisher: { publish: () => Promise.resolve() },
      accessPolicy: DEFAULT_ACCESS_POLICY,
      logger: new Logger({ logLevel: 'SILENT' }),
    };
  }

  it('checks each subscription, counting what it found', async () => {
    const check = deps();
    await check.order.claimCorrection('sub_known', 'lease').then((c) => c.release('old state'));
    check.stripe.current_.set(
      'sub_known',
      subscriptionObject('current', { id: 'sub_known' }) as unknown as Stripe.Subscription,
    );
    const report = await checkSubscriptionStates(check, ['sub_known', 'sub_new'], {
      outOfTime: () => false,
    });
    expect(report.counts).toMatchObject({ checked: 2, healed: 1, notPublished: 1, skipped: 0 });
    expect(report.healed).toHaveLength(1);
  });

  it(`stops at ${String(MAX_STATE_CHECKS_PER_RUN)} (or its limit) and when out of time, counting the rest as skipped`, async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `sub_${String(i)}`);
    expect(
      (await checkSubscriptionStates(deps(), ids, { outOfTime: () => false, limit: 3 })).counts,
    ).toMatchObject({ checked: 3, notPublished: 3, skipped: 2 });
    let left = 2;
    const outOfTime = () => (left -= 1) < 0;
    expect((await checkSubscriptionStates(deps(), ids, { outOfTime })).counts).toMatchObject({
      checked: 2,
      skipped: 3,
    });
  });

  it('counts and lists a failure, and goes on with the next subscription', async () => {
    const check = deps();
    const failing: StateCheckDependencies = {
      ...check,
      order: {
        published: (id) =>
          id === 'sub_down'
            ? Promise.reject(new Error('DynamoDB down'))
            : check.order.published(id),
        claimCorrection: (id, lease) => check.order.claimCorrection(id, lease),
      },
    };
    const report = await checkSubscriptionStates(failing, ['sub_down', 'sub_next'], {
      outOfTime: () => false,
    });
    expect(report.counts).toMatchObject({ checked: 2, failed: 1, notPublished: 1 });
    expect(report.failures).toEqual([
      { subscriptionId: 'sub_down', error: 'Error: DynamoDB down' },
    ]);
  });
});

describe('checkSubscriptionStates under Stripe’s rate limits', () => {
  it('stops at a rate-limited check, leaving it and the rest to the next run', async () => {
    const stripe = new FakeSubscriptionSource();
    const order = new InMemorySubscriptionOrder();
    await order.claimCorrection('sub_a', 'lease').then((c) => c.release('old state'));
    const limited = Object.assign(new Error('Too many requests'), {
      type: 'StripeRateLimitError',
      code: 'rate_limit',
    });
    const report = await checkSubscriptionStates(
      {
        order,
        subscriptions: { current: () => Promise.reject(limited) },
        customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
        publisher: { publish: () => Promise.resolve() },
        accessPolicy: DEFAULT_ACCESS_POLICY,
        logger: new Logger({ logLevel: 'SILENT' }),
      },
      ['sub_a', 'sub_b', 'sub_c'],
      { outOfTime: () => false },
    );
    expect(report.counts).toMatchObject({ checked: 0, failed: 0, skipped: 3 });
    expect(stripe.calls).toBe(0);
  });
});
