import type { ActiveEntitlementRef } from '../../domain/active-entitlements';
import type { BillingEventData } from '../../domain/billing-event';
import { BILLING_EVENT_TYPES } from '../../shared/billing-events';
import { ACTIVE_ENTITLEMENT_SUMMARY, parsePayload } from '../payloads';
import { OBJECT_PATH, type ObjectMapping } from './object-mapping';

/**
 * `entitlements.active_entitlement_summary.updated`: the customer's active entitlements as
 * a whole (full state: a feature missing from it is revoked). The summary carries no
 * metadata, so the user comes from the customers table.
 */
export function entitlementSummary(object: unknown): ObjectMapping {
  const summary = parsePayload(ACTIVE_ENTITLEMENT_SUMMARY, object, OBJECT_PATH);
  const { data, has_more: hasMore } = summary.entitlements;
  return {
    type: BILLING_EVENT_TYPES.entitlementsUpdated,
    userId: null,
    stripeCustomerId: summary.customer,
    data: entitlementsData(
      summary.customer,
      data.map((entitlement) => ({
        feature:
          typeof entitlement.feature === 'string' ? entitlement.feature : entitlement.feature.id,
        lookupKey: entitlement.lookup_key,
      })),
    ),
    ...(hasMore ? { partial: true as const } : {}),
  };
}

/**
 * The `data` of `entitlements.updated`: `features`, the active features' lookup keys
 * (sorted, each once: an archived feature's key may be reused by a new one), and
 * `entitlements`, each feature with its key, sorted the same way. Sorted so that two
 * messages about the same state are equal, whatever order Stripe listed them in.
 */
export function entitlementsData(
  customerId: string,
  entitlements: readonly ActiveEntitlementRef[],
): BillingEventData {
  const sorted = [...entitlements].sort(
    (a, b) => compare(a.lookupKey, b.lookupKey) || compare(a.feature, b.feature),
  );
  return {
    customerId,
    features: [...new Set(sorted.map((entitlement) => entitlement.lookupKey))],
    entitlements: sorted.map(({ feature, lookupKey }) => ({ feature, lookupKey })),
  };
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
