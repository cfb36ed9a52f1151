import { BILLING_EVENT_TYPES } from '../../../../../lambda/shared/billing-events';
import { invoice } from '../../../../../lambda/stripe-events/mapping/invoice';
import { UnmappableEventError } from '../../../../../lambda/stripe-events/payloads';
import {
  IDS,
  invoice as invoiceObject,
  type StripeJson,
  type StripeList,
  TIMES,
  USER_ID,
} from '../../../../fixtures/api-versions';

/**
 * The invoice mapping on its own, for what the API-version matrix
 * (billing-event-mapping.api-versions.test.ts) cannot show with its one-line invoices:
 * several lines, no lines, metadata, and the exact reasons a parked invoice is given.
 */

const DAY = 86_400;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
const map = (object: StripeJson) => invoice(BILLING_EVENT_TYPES.invoicePaid, object);
const lines = (object: StripeJson): StripeJson[] => (object.lines as StripeList<StripeJson>).data;

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

/** A basil invoice whose lines are copies of its one line, each changed by `changes`. */
function invoiceWithLines(...changes: StripeJson[]): StripeJson {
  const object = invoiceObject('basil', 'paid');
  const [line] = lines(object);
  const data = changes.map((change, i) => ({
    ...structuredClone(line),
    id: `il_test${String(i)}`,
    ...change,
  }));
  return { ...object, lines: { ...(object.lines as StripeList<StripeJson>), data } };
}

describe('mapping an invoice: its service period', () => {
  it('spans its lines: the earliest start and the latest end, whichever line has them', () => {
    // A mid-period upgrade: the next period's line, then a proration line for the rest of
    // the current one, which starts earlier and ends earlier.
    const upgradeDay = TIMES.periodStart + 14 * DAY;
    const nextPeriod = { start: TIMES.periodEnd, end: TIMES.periodEnd + 31 * DAY };
    const object = invoiceWithLines(
      { period: nextPeriod },
      { period: { start: upgradeDay, end: TIMES.periodEnd } },
    );
    expect(map(object).data).toMatchObject({
      periodStart: iso(upgradeDay),
      periodEnd: iso(nextPeriod.end),
    });
  });

  it('is the invoice’s own period when it has no lines', () => {
    const object = invoiceWithLines();
    expect(map(object).data).toMatchObject({
      priceIds: [],
      periodStart: iso(TIMES.previousPeriodStart),
      periodEnd: iso(TIMES.periodStart),
    });
  });
});

describe('mapping an invoice: metadata and its user', () => {
  it('carries the invoice’s metadata as it is', () => {
    const object = invoiceObject('basil', 'paid');
    object.metadata = { orderReference: 'A-1007' };
    expect(map(object).data.metadata).toEqual({ orderReference: 'A-1007' });
  });

  it('carries empty metadata when Stripe sends null', () => {
    const object = invoiceObject('basil', 'paid');
    object.metadata = null;
    expect(map(object).data.metadata).toEqual({});
  });

  it('finds the user on a later line when nothing before it names one', () => {
    const object = invoiceWithLines({ metadata: {} }, { metadata: { userId: 'user-7' } });
    (object.parent as { subscription_details: StripeJson }).subscription_details.metadata = {};
    expect(map(object).userId).toBe('user-7');
  });

  it('takes the subscription’s user before a line’s', () => {
    const object = invoiceWithLines({ metadata: { userId: 'user-7' } });
    expect(map(object).userId).toBe(USER_ID);
  });
});

describe('mapping an invoice: the price of a line', () => {
  it('maps a line whose price and pricing name the same price', () => {
    // No version sends both, but nothing needs guessing when they agree.
    const object = invoiceWithLines({ price: IDS.price });
    expect(map(object).data.priceIds).toEqual([IDS.price]);
  });
});

describe('mapping an invoice: the reasons it is parked with', () => {
  it('names both shapes when the invoice is in neither', () => {
    const object = invoiceObject('basil', 'paid');
    delete object.parent;
    expect(refusal(object)).toBe(
      'data.object: the invoice is in neither payload shape: it has no parent (API versions ' +
        'from 2025-03-31) and no subscription (before)',
    );
  });

  it('names both fields when its subscription fields name different subscriptions', () => {
    const object = invoiceObject('basil', 'paid');
    object.subscription = 'sub_1RvF9zB7WZ01zgkWanother01';
    expect(refusal(object)).toBe(
      'data.object: subscription (API versions before 2025-03-31) and ' +
        'parent.subscription_details.subscription (from 2025-03-31 on) name different ' +
        'subscriptions',
    );
  });

  it('names the line and both shapes when a line is in neither', () => {
    const object = invoiceWithLines({}, {});
    delete lines(object)[1]?.pricing;
    expect(refusal(object)).toBe(
      'data.object.lines.data[1]: the line is in neither payload shape: no pricing (API ' +
        'versions from 2025-03-31) and no price (before)',
    );
  });
});
