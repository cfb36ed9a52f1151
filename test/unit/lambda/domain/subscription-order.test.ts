import {
  claimedMark,
  decideClaim,
  type EventPosition,
  type OrderMark,
  SUBSCRIPTION_LEASE_MS,
  SubscriptionBusyError,
} from '../../../../lambda/domain/subscription-order';
import { EventBusyError } from '../../../../lambda/domain/event-ledger';

const NOW = 1_800_000_000_000;
const position = (created: number, eventId: string): EventPosition => ({
  subscriptionId: 'sub_1',
  created,
  eventId,
});
const mark = (created: number, eventId: string, lease?: [string, number]): OrderMark => ({
  lastCreated: created,
  lastEventId: eventId,
  ...(lease ? { leaseEventId: lease[0], leaseUntil: lease[1] } : {}),
});
const tie = (isCurrent: boolean) => jest.fn(() => Promise.resolve(isCurrent));

describe('decideClaim', () => {
  it('lets the first event about a subscription claim, without settling anything', async () => {
    const settle = tie(false);
    expect(await decideClaim(undefined, position(100, 'evt_a'), NOW, settle)).toEqual({
      kind: 'claim',
    });
    expect(settle).not.toHaveBeenCalled();
  });

  it.each([
    ['a later second', 101, 'evt_b', 'claim'],
    ['an earlier second', 99, 'evt_b', 'superseded'],
    ['the same event again (its own retry)', 100, 'evt_a', 'claim'],
  ])('decides %s by the mark alone', async (_case, created, eventId, kind) => {
    const settle = tie(false);
    const decision = await decideClaim(mark(100, 'evt_a'), position(created, eventId), NOW, settle);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'superseded') expect(decision.newerEventId).toBe('evt_a');
    expect(settle).not.toHaveBeenCalled();
  });

  it.each([
    [true, 'claim'],
    [false, 'superseded'],
  ])(
    'settles another event of the same second by Stripe’s current state (%s → %s)',
    async (isCurrent, kind) => {
      const settle = tie(isCurrent);
      const decision = await decideClaim(mark(100, 'evt_a'), position(100, 'evt_b'), NOW, settle);
      expect(decision.kind).toBe(kind);
      expect(settle).toHaveBeenCalledTimes(1);
    },
  );

  it('makes another event wait while a live lease is held, even a newer one', async () => {
    const leased = mark(100, 'evt_a', ['evt_a', NOW + 1]);
    expect(await decideClaim(leased, position(200, 'evt_b'), NOW, tie(true))).toEqual({
      kind: 'busy',
    });
    // The lease holder's own retry passes.
    expect((await decideClaim(leased, position(100, 'evt_a'), NOW, tie(true))).kind).toBe('claim');
  });

  it('ignores a lease that has run out (its holder crashed), to the millisecond', async () => {
    const expired = mark(100, 'evt_a', ['evt_a', NOW]);
    expect((await decideClaim(expired, position(200, 'evt_b'), NOW, tie(true))).kind).toBe('claim');
    expect((await decideClaim(expired, position(50, 'evt_b'), NOW, tie(true))).kind).toBe(
      'superseded',
    );
  });
});

describe('claimedMark', () => {
  it('moves the mark to the event and leases it for SUBSCRIPTION_LEASE_MS', () => {
    expect(claimedMark(position(100, 'evt_a'), NOW)).toEqual({
      lastCreated: 100,
      lastEventId: 'evt_a',
      leaseEventId: 'evt_a',
      leaseUntil: NOW + SUBSCRIPTION_LEASE_MS,
    });
    expect(SUBSCRIPTION_LEASE_MS).toBeGreaterThan(15_000);
  });
});

describe('SubscriptionBusyError', () => {
  // Its message is the 409 the webhook answers Stripe with; its name is what the log shows.
  it('names the subscription and tells the sender to retry, as a busy (retryable) error', () => {
    const error = new SubscriptionBusyError('sub_1');
    expect(error).toBeInstanceOf(EventBusyError);
    expect(error).toMatchObject({
      name: 'SubscriptionBusyError',
      code: 'subscription_busy',
      subscriptionId: 'sub_1',
      message: 'Another event about sub_1 is being published; retry later.',
    });
  });
});
