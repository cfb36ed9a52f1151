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
