/** One of a customer's active entitlements: the feature (`feat_...`) and its lookup key. */
export interface ActiveEntitlementRef {
  readonly feature: string;
  readonly lookupKey: string;
}

/**
 * A customer's active entitlements as Stripe has them now, every page of them. The webhook
 * asks only when an `entitlements.active_entitlement_summary` event cannot be published
 * from its own payload: the summary embeds one page (`has_more`), or a same-second
 * ordering tie needs the current state to settle it.
 */
export interface ActiveEntitlementSource {
  /**
   * At most `atMost` entitlements (a caller that must not publish a truncated list asks
   * for one more than it can carry, and parks the event when it gets it). Throws when
   * Stripe cannot be read: a transient failure, retried with the delivery.
   */
  current(stripeCustomerId: string, atMost: number): Promise<readonly ActiveEntitlementRef[]>;
}
