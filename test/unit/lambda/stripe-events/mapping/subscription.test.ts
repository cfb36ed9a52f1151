import { BILLING_EVENT_TYPES } from '../../../../../lambda/shared/billing-events';
import { subscription } from '../../../../../lambda/stripe-events/mapping/subscription';
import { UnmappableEventError } from '../../../../../lambda/stripe-events/payloads';
import {
  subscription as subscriptionObject,
  type StripeJson,
  type StripeList,
  TIMES,
} from '../../../../fixtures/api-versions';

/**
 * The subscription's current period on its own: the API-version matrix
 * (billing-event-mapping.api-versions.test.ts) shows each shape alone; this shows a payload
 * with both, and the exact reasons a subscription without a usable period is parked with.
 */

const DAY = 86_400;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
const map = (object: StripeJson) => subscription(BILLING_EVENT_TYPES.subscriptionUpdated, object);
const items = (object: StripeJson): StripeJson[] => (object.items as StripeList<StripeJson>).data;

/** The reason the mapping refuses `object` with (it must refuse it). */
const refusal = (object: StripeJson): string => {
  try {
    map(object);
  } catch (error) {
    if (error instanceof UnmappableEventError) return error.reason;
    throw error;
  }
  throw new Error('mapped, not refused');
};

const NO_PERIOD =
  'data.object: the subscription has no current period in either payload shape: ' +
  'current_period_start and current_period_end on the subscription (API versions before ' +
  '2025-03-31) or on every item of items.data (from 2025-03-31 on)';

/** A basil subscription (period on its items) that also carries a period of its own. */
function withOwnPeriod(start: number, end: number): StripeJson {
  const object = subscriptionObject('basil', 'renewed');
  object.current_period_start = start;
  object.current_period_end = end;
  return object;
}

describe('mapping a subscription: a period both on itself and on its items', () => {
  it('maps it when the two agree', () => {
    const object = withOwnPeriod(TIMES.periodStart, TIMES.periodEnd);
    expect(map(object).data).toMatchObject({
      currentPeriodStart: iso(TIMES.periodStart),
      currentPeriodEnd: iso(TIMES.periodEnd),
    });
  });

  it.each([
    ['only their starts differ', TIMES.periodStart - DAY, TIMES.periodEnd],
    ['only their ends differ', TIMES.periodStart, TIMES.periodEnd + DAY],
    ['both differ', TIMES.previousPeriodStart, TIMES.periodStart],
  ])('parks it, saying they disagree, when %s', (_, start, end) => {
    expect(refusal(withOwnPeriod(start, end))).toBe(`${NO_PERIOD}; it has both, and they disagree`);
  });
});

describe('mapping a subscription: the reasons it is parked with', () => {
  it('names both places when the period is in neither', () => {
    const object = subscriptionObject('basil', 'renewed');
    for (const item of items(object)) delete item.current_period_end;
    expect(refusal(object)).toBe(NO_PERIOD);
  });

  it('says so when only some items carry a period', () => {
    const object = subscriptionObject('basil', 'renewed');
    const second: StripeJson = { ...structuredClone(items(object)[0]), id: 'si_RvF9second0001' };
    delete second.current_period_start;
    items(object).push(second);
    expect(refusal(object)).toBe(`${NO_PERIOD}; only some items carry one`);
  });
});
