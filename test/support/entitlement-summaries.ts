import type Stripe from 'stripe';
import type { StripeDelivery } from '../../lambda/domain/event-ledger';
import { CUSTOMER_ID, stripeEvent } from './stripe-events';

/**
 * Entitlement summaries for tests. Issue 15, item 3: `entitlements.active_entitlement_summary.updated` becomes
 * `entitlements.updated` (contract section 5), never truncated, never backwards.
 */

export const TYPE = 'entitlements.active_entitlement_summary.updated';
export const CREATED = 1_763_856_000;

export type Grant = readonly [feature: string, lookupKey: string];

export const entitlement = ([feature, lookupKey]: Grant, i: number) => ({
  id: `ent_test${String(i)}`,
  object: 'entitlements.active_entitlement',
  feature,
  livemode: false,
  lookup_key: lookupKey,
});

export function summary(grants: readonly Grant[], hasMore = false): Record<string, unknown> {
  return {
    object: 'entitlements.active_entitlement_summary',
    customer: CUSTOMER_ID,
    entitlements: {
      object: 'list',
      data: grants.map(entitlement),
      has_more: hasMore,
      url: '/v1/entitlements/active_entitlements',
    },
    livemode: false,
  };
}

export const summaryEvent = (
  grants: readonly Grant[],
  options: { id?: string; created?: number; hasMore?: boolean } = {},
): StripeDelivery => {
  const event = stripeEvent(TYPE, summary(grants, options.hasMore), {
    id: options.id ?? 'evt_ent_1',
    created: options.created ?? CREATED,
  });
  const rawBody = Buffer.from(JSON.stringify(event));
  return { event: JSON.parse(rawBody.toString('utf8')) as Stripe.Event, rawBody };
};

export const EXPORTS: Grant = ['feat_exports', 'pro-exports'];
export const API: Grant = ['feat_api', 'api-access'];
export const SEATS: Grant = ['feat_seats', 'seats'];
