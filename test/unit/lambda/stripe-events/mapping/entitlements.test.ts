import type { StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { mapStripeEvent } from '../../../../../lambda/stripe-events/billing-event-mapping';
import {
  MAX_ACTIVE_ENTITLEMENTS,
  UnmappableEventError,
} from '../../../../../lambda/stripe-events/payloads';
import {
  API,
  CREATED,
  EXPORTS,
  type Grant,
  summaryEvent,
} from '../../../../support/entitlement-summaries';
import { CUSTOMER_ID } from '../../../../support/stripe-events';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const map = (delivery: StripeDelivery) => mapStripeEvent(delivery.event, DEFAULT_ACCESS_POLICY);

/** Every order of `items`. */
const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1
    ? [[...items]]
    : items.flatMap((item, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
      );

describe('mapping an entitlement summary', () => {
  it('becomes entitlements.updated: the lookup keys sorted, each feature with its key', () => {
    expect(map(summaryEvent([EXPORTS, API]))).toEqual({
      type: 'entitlements.updated',
      occurredAt: new Date(CREATED * 1000).toISOString(),
      livemode: false,
      userId: null,
      stripeCustomerId: CUSTOMER_ID,
      data: {
        customerId: CUSTOMER_ID,
        features: ['api-access', 'pro-exports'],
        entitlements: [
          { feature: 'feat_api', lookupKey: 'api-access' },
          { feature: 'feat_exports', lookupKey: 'pro-exports' },
        ],
      },
    });
  });

  it('lists a lookup key once (an archived feature’s key reused by a new one)', () => {
    const mapped = map(summaryEvent([EXPORTS, ['feat_exports_v2', 'pro-exports']]));
    expect(mapped?.data.features).toEqual(['pro-exports']);
    expect(mapped?.data.entitlements).toHaveLength(2);
  });

  it('gives the same data whatever order Stripe lists the entitlements in', () => {
    // Lookup keys and feature ids in opposite orders, and one key shared by two features
    // (an archived feature's key reused): sorted by key, then by feature, in code-unit order.
    const grants: Grant[] = [
      ['feat_zeta', 'api-access'],
      ['feat_alpha', 'seats'],
      ['feat_beta', 'api-access'],
      ['feat_Omega', 'Seats-legacy'],
    ];
    const expected = {
      customerId: CUSTOMER_ID,
      features: ['Seats-legacy', 'api-access', 'seats'],
      entitlements: [
        { feature: 'feat_Omega', lookupKey: 'Seats-legacy' },
        { feature: 'feat_beta', lookupKey: 'api-access' },
        { feature: 'feat_zeta', lookupKey: 'api-access' },
        { feature: 'feat_alpha', lookupKey: 'seats' },
      ],
    };
    for (const order of permutations(grants)) {
      expect(map(summaryEvent(order))?.data).toEqual(expected);
    }
  });

  it('reads an expanded feature', () => {
    const delivery = summaryEvent([EXPORTS]);
    const object = delivery.event.data.object as unknown as {
      entitlements: { data: Record<string, unknown>[] };
    };
    const [first] = object.entitlements.data;
    if (first) first.feature = { id: 'feat_exports', object: 'entitlements.feature' };
    expect(map(delivery)?.data.entitlements).toEqual([
      { feature: 'feat_exports', lookupKey: 'pro-exports' },
    ]);
  });

  it('an empty list is every feature revoked: features []', () => {
    expect(map(summaryEvent([]))?.data).toEqual({
      customerId: CUSTOMER_ID,
      features: [],
      entitlements: [],
    });
  });

  it('marks a summary that embeds one page of several as partial', () => {
    expect(map(summaryEvent([EXPORTS], { hasMore: true }))).toMatchObject({ partial: true });
    expect(map(summaryEvent([EXPORTS]))).not.toHaveProperty('partial');
  });

  it.each([
    ['no lookup_key', (e: Record<string, unknown>) => delete e.lookup_key, /lookup_key is missing/],
    ['an empty lookup_key', (e: Record<string, unknown>) => (e.lookup_key = ''), /lookup_key/],
    ['a feature that is no id', (e: Record<string, unknown>) => (e.feature = 42), /feature/],
    [
      'another kind of object',
      (e: Record<string, unknown>) => (e.object = 'entitlements.feature'),
      /object/,
    ],
  ])('refuses an entitlement with %s', (_, change, reason) => {
    const delivery = summaryEvent([EXPORTS]);
    const object = delivery.event.data.object as unknown as {
      entitlements: { data: Record<string, unknown>[] };
    };
    change(object.entitlements.data[0] ?? {});
    expect(() => map(delivery)).toThrow(UnmappableEventError);
    expect(() => map(delivery)).toThrow(reason);
  });

  it('refuses a summary without its customer or with more entitlements than Stripe sends', () => {
    const noCustomer = summaryEvent([EXPORTS]);
    delete (noCustomer.event.data.object as unknown as Record<string, unknown>).customer;
    expect(() => map(noCustomer)).toThrow(/data\.object\.customer is missing/);
    const many = Array.from({ length: MAX_ACTIVE_ENTITLEMENTS + 1 }, (_, i): Grant => [
      `feat_${String(i)}`,
      `key-${String(i)}`,
    ]);
    expect(() => map(summaryEvent(many))).toThrow(/data\.object\.entitlements\.data/);
  });
});
