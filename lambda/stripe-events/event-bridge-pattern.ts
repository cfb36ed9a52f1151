import type { EventBridgeEvent } from 'aws-lambda';
import { HANDLED_STRIPE_EVENT_TYPES } from './billing-event-mapping';
import { THIN_V1_TYPE_PREFIX } from '../domain/thin-event';

/**
 * Stripe's events through Amazon EventBridge (contract section 4): what a Stripe event
 * destination of type `amazon_eventbridge` puts on its partner event bus, and the one
 * rule pattern that lets the service's events through. The stack's rule
 * (lib/constructs/stripe-event-bridge.ts) and the local stand-in
 * (local/stack/event-bridge.ts) both use `stripeEventPattern`, so what is tested locally
 * is what is deployed.
 */

/** Every Stripe partner event source is named `aws.partner/stripe.com/<destination>`. */
export const STRIPE_PARTNER_SOURCE_PREFIX = 'aws.partner/stripe.com/';

/**
 * A partner event source name as Stripe forms it (`aws.partner/stripe.com/ed_...`): the
 * prefix, then letters, digits and `_-/.`. EventBridge names are at most 256 characters.
 */
export const STRIPE_PARTNER_SOURCE_NAME = /^aws\.partner\/stripe\.com\/[A-Za-z0-9_\-/.]{1,233}$/;

export const isStripePartnerSourceName = (value: unknown): value is string =>
  typeof value === 'string' && STRIPE_PARTNER_SOURCE_NAME.test(value);

/**
 * The envelope EventBridge delivers to the rule's target. `detail-type` is the Stripe
 * event type (`v1.<type>` for a thin notification of a v1 event); `detail` is the Stripe
 * snapshot event, or the thin notification (unknown until it is checked).
 */
export type StripeEventBridgeEnvelope = EventBridgeEvent<string, unknown>;

/** An EventBridge event pattern of exact-value lists, the only kind the service uses. */
export interface StripeEventPattern {
  readonly source: readonly [string];
  readonly account: readonly [string];
  readonly 'detail-type': readonly string[];
}

/**
 * The detail types the rule lets through: every handled Stripe event type, as a snapshot
 * event and as a thin notification (`v1.` prefix). Everything else Stripe sends to the
 * destination never invokes the function.
 */
export const STRIPE_EVENT_BRIDGE_DETAIL_TYPES: readonly string[] = [
  ...HANDLED_STRIPE_EVENT_TYPES,
  ...HANDLED_STRIPE_EVENT_TYPES.map((type) => `${THIN_V1_TYPE_PREFIX}${type}`),
];

/**
 * The rule's pattern: this partner source, in this account (a partner bus takes only its
 * partner's events, and the pattern says so again), the handled types. The function
 * checks `source` and `account` once more: a rule edited by hand must not open it up.
 */
export const stripeEventPattern = (source: string, account: string): StripeEventPattern => ({
  source: [source],
  account: [account],
  'detail-type': [...STRIPE_EVENT_BRIDGE_DETAIL_TYPES],
});

/** Does the envelope match the pattern, as EventBridge matches exact-value lists? */
export function matchesStripeEventPattern(
  pattern: StripeEventPattern,
  envelope: Pick<StripeEventBridgeEnvelope, 'source' | 'account' | 'detail-type'>,
): boolean {
  return (['source', 'account', 'detail-type'] as const).every((field) =>
    pattern[field].includes(envelope[field]),
  );
}
