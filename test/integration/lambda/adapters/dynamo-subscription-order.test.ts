import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import { DynamoSubscriptionOrderLedger } from '../../../../lambda/adapters/dynamo-subscription-order';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import { SubscriptionBusyError } from '../../../../lambda/domain/subscription-order';
import { SUBSCRIPTION_ORDER_TABLE } from '../../../../lambda/shared/tables';
import {
  publishBillingEvent,
  type PublishOutcome,
} from '../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import { FakeParkedEventStore } from '../../../support/fake-parked-events';
import { FakeSubscriptionSource } from '../../../support/fake-subscription-order';
import { stripeEvent, subscriptionObject } from '../../../support/stripe-events';
import { consistentReadsOf, recordRequests } from '../../../support/dynamo-requests';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';
import type { StripeDelivery } from '../../../../lambda/domain/event-ledger';
import { TEST_MODE_ADMISSION } from '../../../support/event-admission';
import { DEFAULT_ACCESS_POLICY } from '../../../../lambda/domain/access';

jest.setTimeout(60_000);

/**
 * "Never backwards" on DynamoDB Local: many events about one subscription, delivered at
 * once and out of order (several in the same second), each retried while the subscription
 * is busy, as Stripe retries a 409. What a consumer sees must never go back in time, and
 * the last message must carry the subscription's newest state.
 */
let client: DynamoDBClient;
let ledger: DynamoSubscriptionOrderLedger;
let table: string;

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  table = `${uniqueProjectName('order')}-subscription-order`;
  await createTable(client, SUBSCRIPTION_ORDER_TABLE, table);
  ledger = new DynamoSubscriptionOrderLedger(DynamoDBDocumentClient.from(client), table);
});
afterAll(() => {
  client.destroy();
});

const STATUSES = ['incomplete', 'active', 'past_due', 'active', 'canceled'];

function lifecycle(subscriptionId: string, count: number) {
  // Seconds repeat: every pair of events shares one (same-second ties).
  return Array.from({ length: count }, (_, i) => {
    const object = {
      ...subscriptionObject('current'),
      id: subscriptionId,
      status: STATUSES[i % STATUSES.length],
      cancel_at_period_end: i % 3 === 0,
      metadata: { step: String(i) },
    };
    const event = stripeEvent('customer.subscription.updated', object, {
      id: `evt_order_${subscriptionId}_${String(i).padStart(3, '0')}`,
      created: 1_760_000_000 + Math.floor(i / 2),
    });
    return { step: i, object, event };
  });
}

const delivery = (event: Record<string, unknown>): StripeDelivery => {
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

describe('events about one subscription, concurrent and out of order', () => {
  it.each([1, 2, 3, 4, 5])(
    'run %i: published in order, the last one the newest state',
    async (seed) => {
      const subscriptionId = `sub_order_${String(seed)}_${String(Date.now())}`;
      const events = lifecycle(subscriptionId, 24);
      const newest = events.at(-1);
      const subscriptions = new FakeSubscriptionSource();
      subscriptions.current_.set(subscriptionId, newest?.object as unknown as Stripe.Subscription);
      const published: BillingEvent[] = [];
      const deps = {
        logger: new Logger({ logLevel: 'SILENT' }),
        parked: new FakeParkedEventStore(),
        admission: TEST_MODE_ADMISSION,
        accessPolicy: DEFAULT_ACCESS_POLICY,
        order: ledger,
        subscriptions,
        customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
        publisher: {
          publish: async (event: BillingEvent) => {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
            published.push(event);
          },
        },
      };
      const deliverUntilDone = async (event: Record<string, unknown>): Promise<PublishOutcome> => {
        for (;;) {
          try {
            return await publishBillingEvent(deps, delivery(event));
          } catch (error) {
            if (!(error instanceof SubscriptionBusyError)) throw error;
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
          }
        }
      };
      const outcomes = await Promise.all(
        shuffled(events, seed).map(({ event }) => deliverUntilDone(event)),
      );

      const steps = published.map((e) => Number((e.data.metadata as Record<string, string>).step));
      const seconds = steps.map((step) => Math.floor(step / 2));
      // Never backwards: each message is at least as new (in Stripe's seconds) as the one before.
      expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
      // The last message carries the subscription's newest state.
      expect(published.at(-1)?.data.status).toBe(newest?.object.status);
      expect(published.at(-1)?.data.cancelAtPeriodEnd).toBe(newest?.object.cancel_at_period_end);
      // Every event is either published or superseded, none both.
      const superseded = outcomes.filter((o) => o.superseded).length;
      expect(superseded + published.length).toBe(events.length);
      expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
    },
  );
});

describe('a claim whose conditional write keeps losing', () => {
  /**
   * A ledger whose next `interferences` writes each lose to a concurrent change of the
   * item (another claim and its release, made just after the claim read it): the item's
   * version moves between the read and the conditional write.
   */
  function contendedLedger(subscriptionId: string, interferences: number) {
    const contended = localDynamoClient(serviceEndpoint('dynamodb'));
    const sent = recordRequests(contended);
    const other = DynamoDBDocumentClient.from(client);
    let left = interferences;
    contended.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' && left > 0) {
          left -= 1;
          await other.send(
            new UpdateCommand({
              TableName: table,
              Key: { subscriptionId },
              UpdateExpression: 'SET #version = #version + :one',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'concurrentChange' },
    );
    const writes = () => sent.filter((r) => r.command === 'PutItemCommand').length;
    return {
      ledger: new DynamoSubscriptionOrderLedger(DynamoDBDocumentClient.from(contended), table),
      sent,
      writes,
      destroy: () => {
        contended.destroy();
      },
    };
  }

  /** A subscription whose mark an older event set (claimed and released). */
  async function markedSubscription(): Promise<string> {
    const subscriptionId = `sub_contended_${String(Date.now())}_${String(Math.random())}`;
    const claim = await ledger.claim({ subscriptionId, created: 100, eventId: 'evt_old' }, () =>
      Promise.resolve(true),
    );
    if (claim.kind !== 'claimed') throw new Error('the first claim must win');
    await claim.release();
    return subscriptionId;
  }

  const markOf = async (subscriptionId: string) =>
    (
      await DynamoDBDocumentClient.from(client).send(
        new GetCommand({ TableName: table, Key: { subscriptionId } }),
      )
    ).Item;

  it('reads again and claims when its first two writes lost', async () => {
    const subscriptionId = await markedSubscription();
    const contended = contendedLedger(subscriptionId, 2);
    try {
      const claim = await contended.ledger.claim(
        { subscriptionId, created: 200, eventId: 'evt_new' },
        () => Promise.resolve(true),
      );
      expect(claim.kind).toBe('claimed');
      expect(contended.writes()).toBe(3);
      expect(await markOf(subscriptionId)).toMatchObject({
        lastCreated: 200,
        lastEventId: 'evt_new',
        leaseEventId: 'evt_new',
      });
      // Every read of the mark is strongly consistent: a claim decides on the latest mark.
      expect(consistentReadsOf(contended.sent, 'GetItemCommand')).toEqual([true, true, true]);
    } finally {
      contended.destroy();
    }
  });

  it('gives up as busy after three lost writes, leaving the mark as it was', async () => {
    const subscriptionId = await markedSubscription();
    const contended = contendedLedger(subscriptionId, 3);
    try {
      await expect(
        contended.ledger.claim({ subscriptionId, created: 200, eventId: 'evt_new' }, () =>
          Promise.resolve(true),
        ),
      ).rejects.toThrow(SubscriptionBusyError);
      expect(contended.writes()).toBe(3);
      expect(await markOf(subscriptionId)).toMatchObject({
        lastCreated: 100,
        lastEventId: 'evt_old',
      });
      expect(await markOf(subscriptionId)).not.toHaveProperty('leaseEventId');
    } finally {
      contended.destroy();
    }
  });
});

describe('the state last published, and corrections (the state check)', () => {
  let sequence = 0;
  const fresh = () => `sub_state_${String(Date.now())}_${String((sequence += 1))}`;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const claimed = async (subscriptionId: string, eventId: string, created: number) => {
    const claim = await ledger.claim({ subscriptionId, created, eventId }, () =>
      Promise.resolve(true),
    );
    if (claim.kind !== 'claimed') throw new Error('superseded');
    return claim;
  };

  it('records the state a release names, and keeps it through the next claim', async () => {
    const subscriptionId = fresh();
    expect(await ledger.published(subscriptionId)).toBeUndefined();
    await (await claimed(subscriptionId, 'evt_1', 100)).release('state-1');
    expect(await ledger.published(subscriptionId)).toEqual({
      lastCreated: 100,
      lastEventId: 'evt_1',
      publishedState: 'state-1',
    });
    // A claim whose publish fails releases without a state: the last one published stays.
    await (await claimed(subscriptionId, 'evt_2', 200)).release();
    expect(await ledger.published(subscriptionId)).toEqual({
      lastCreated: 200,
      lastEventId: 'evt_2',
      publishedState: 'state-1',
    });
  });

  it('takes a correction’s lease whatever the order, keeping a mark that is not in the future', async () => {
    const subscriptionId = fresh();
    await (await claimed(subscriptionId, 'evt_1', nowSeconds() - 10)).release('state-1');
    const correction = await ledger.claimCorrection(subscriptionId, 'lease_check');
    // While the correction holds the lease, an event about the subscription waits.
    await expect(
      ledger.claim({ subscriptionId, created: nowSeconds(), eventId: 'evt_2' }, () =>
        Promise.resolve(true),
      ),
    ).rejects.toThrow(SubscriptionBusyError);
    await correction.release('state-2');
    expect(await ledger.published(subscriptionId)).toMatchObject({
      lastEventId: 'evt_1',
      publishedState: 'state-2',
    });
  });

  it('brings a mark in the year 9999 back to now, so real events pass again', async () => {
    const subscriptionId = fresh();
    await (await claimed(subscriptionId, 'evt_9999', 253402300799)).release();
    await (await ledger.claimCorrection(subscriptionId, 'lease_check')).release('state-now');
    const mark = await ledger.published(subscriptionId);
    expect(mark?.lastCreated).toBeLessThanOrEqual(nowSeconds());
    expect(mark?.lastCreated).toBeGreaterThan(nowSeconds() - 60);
    const next = await ledger.claim(
      { subscriptionId, created: nowSeconds() + 1, eventId: 'evt_real' },
      () => Promise.resolve(true),
    );
    expect(next.kind).toBe('claimed');
  });

  it('refuses a correction while another event holds the lease', async () => {
    const subscriptionId = fresh();
    await claimed(subscriptionId, 'evt_in_flight', nowSeconds());
    await expect(ledger.claimCorrection(subscriptionId, 'lease_check')).rejects.toThrow(
      SubscriptionBusyError,
    );
  });
});
