import { randomUUID } from 'node:crypto';
import { LOCAL_EVENT_BRIDGE } from '../../local/stack/event-bridge';
import type { StripeEventBridgeEnvelope } from '../../lambda/stripe-events/event-bridge-pattern';

/** The envelope Stripe's event destination puts on the bus for one Stripe event (or thin notification). */
export function stripeEnvelope(
  detail: { readonly type: string },
  options: { readonly source?: string; readonly account?: string } = {},
): StripeEventBridgeEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detail.type,
    source: options.source ?? LOCAL_EVENT_BRIDGE.source,
    account: options.account ?? LOCAL_EVENT_BRIDGE.account,
    time: new Date().toISOString(),
    region: LOCAL_EVENT_BRIDGE.region,
    resources: [],
    detail,
  };
}

/** An envelope the EventBridge function must refuse, and why it answers so. */
export interface ForgedEnvelope {
  readonly name: string;
  readonly envelope: StripeEventBridgeEnvelope;
  /** The `reason` of the `rejected` outcome. */
  readonly reason: string;
}

/**
 * The EventBridge envelope attacks: what reaches the function when a rule is opened up by
 * hand, or a put comes from elsewhere, carrying a real Stripe event (or thin notification).
 * Each is rejected: dropped, counted (`EventBridgeEventsRejected`), never processed, never
 * retried. `expected` names the configured source and account.
 */
export function forgedEnvelopes(
  event: { readonly type: string },
  notification: { readonly type: string },
  expected: { readonly source: string; readonly account: string } = LOCAL_EVENT_BRIDGE,
): ForgedEnvelope[] {
  const otherSource = 'aws.partner/stripe.com/ed_someone_else';
  const otherType =
    event.type === 'invoice.payment_failed' ? 'invoice.paid' : 'invoice.payment_failed';
  const relabelled = (detail: { readonly type: string }, detailType: string) => ({
    ...stripeEnvelope(detail, expected),
    'detail-type': detailType,
  });
  const notItsType = (detailType: string) =>
    `detail-type ${JSON.stringify(detailType)} is not the type of its detail`;
  return [
    {
      name: 'another partner source',
      envelope: stripeEnvelope(event, { ...expected, source: otherSource }),
      reason: `source ${JSON.stringify(otherSource)} is not ${expected.source}`,
    },
    {
      name: 'a non-partner source',
      envelope: stripeEnvelope(event, { ...expected, source: 'my.app' }),
      reason: `source "my.app" is not ${expected.source}`,
    },
    {
      name: 'another account',
      envelope: stripeEnvelope(event, { ...expected, account: '111122223333' }),
      reason: `account "111122223333" is not this function's (${expected.account})`,
    },
    {
      name: 'a handled detail-type over a detail of another type',
      envelope: relabelled(event, otherType),
      reason: notItsType(otherType),
    },
    {
      name: "a thin notification's detail-type over a snapshot event",
      envelope: relabelled(event, `v1.${event.type}`),
      reason: notItsType(`v1.${event.type}`),
    },
    {
      name: "a snapshot event's detail-type over a thin notification",
      envelope: relabelled(notification, notification.type.replace(/^v1\./, '')),
      reason: notItsType(notification.type.replace(/^v1\./, '')),
    },
    {
      name: 'a detail-type that differs from the detail type in case only',
      envelope: relabelled(event, event.type.toUpperCase()),
      reason: notItsType(event.type.toUpperCase()),
    },
  ];
}
