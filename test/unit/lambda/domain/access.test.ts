import {
  DEFAULT_ACCESS_POLICY,
  paymentAccess,
  subscriptionAccess,
  type SubscriptionAccessFacts,
} from '../../../../lambda/domain/access';

const PERIOD_START = '2026-12-01T00:00:00.000Z';
const PERIOD_END = '2027-01-01T00:00:00.000Z';
const facts = (changes: Partial<SubscriptionAccessFacts> = {}): SubscriptionAccessFacts => ({
  status: 'active',
  currentPeriodStart: PERIOD_START,
  currentPeriodEnd: PERIOD_END,
  cancelAtPeriodEnd: false,
  cancelAt: null,
  ...changes,
});
const DAY = 86_400_000;
const at = (daysAfterPeriodStart: number) =>
  new Date(Date.parse(PERIOD_START) + daysAfterPeriodStart * DAY);

/** Every status Stripe gives a subscription (and one it may add), and what it grants. */
describe('subscriptionAccess: every status', () => {
  it.each([
    ['active', { state: 'active', until: null }],
    ['trialing', { state: 'active', until: null }],
    ['past_due', { state: 'grace', until: '2026-12-08T00:00:00.000Z' }],
    ['unpaid', { state: 'none', until: null }],
    ['paused', { state: 'none', until: null }],
    ['canceled', { state: 'none', until: null }],
    ['incomplete', { state: 'none', until: null }],
    ['incomplete_expired', { state: 'none', until: null }],
    ['a_status_stripe_adds_later', { state: 'none', until: null }],
  ])('%s → %j (a day into the period, a week of grace)', (status, access) => {
    expect(subscriptionAccess(facts({ status }), DEFAULT_ACCESS_POLICY, at(1))).toEqual(access);
  });
});

describe('subscriptionAccess: when access ends', () => {
  it('ends at the period end when the subscription cancels then, or at cancel_at', () => {
    expect(
      subscriptionAccess(facts({ cancelAtPeriodEnd: true }), DEFAULT_ACCESS_POLICY, at(1)),
    ).toEqual({ state: 'active', until: PERIOD_END });
    expect(
      subscriptionAccess(
        facts({ status: 'trialing', cancelAt: '2026-12-15T00:00:00.000Z' }),
        DEFAULT_ACCESS_POLICY,
        at(1),
      ),
    ).toEqual({ state: 'active', until: '2026-12-15T00:00:00.000Z' });
  });

  it('keeps past_due in grace until the grace days after the failed renewal, then none', () => {
    const pastDue = facts({ status: 'past_due' });
    const policy = { pastDueGraceDays: 3 };
    const graceEnd = '2026-12-04T00:00:00.000Z';
    expect(subscriptionAccess(pastDue, policy, at(0))).toEqual({ state: 'grace', until: graceEnd });
    expect(subscriptionAccess(pastDue, policy, at(2.99))).toEqual({
      state: 'grace',
      until: graceEnd,
    });
    expect(subscriptionAccess(pastDue, policy, at(3))).toEqual({ state: 'none', until: null });
    expect(subscriptionAccess(pastDue, policy, at(10))).toEqual({ state: 'none', until: null });
  });

  it('gives no grace at all with pastDueGraceDays 0', () => {
    expect(
      subscriptionAccess(facts({ status: 'past_due' }), { pastDueGraceDays: 0 }, at(0)),
    ).toEqual({ state: 'none', until: null });
  });
});

describe('paymentAccess', () => {
  it('grants once the money is in, and nothing before', () => {
    expect(paymentAccess(true)).toEqual({ state: 'active', until: null });
    expect(paymentAccess(false)).toEqual({ state: 'none', until: null });
  });
});
