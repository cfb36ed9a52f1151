/**
 * The Stripe sandbox's public API: start one (`startStripeSandbox`), and the types a
 * caller or test reads from a running one (`sandbox.state`). Everything else is internal.
 */
export { startStripeSandbox, type StripeSandbox } from './server/server';
export {
  DEFAULT_API_VERSION,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type StripeSandboxOptions,
} from './server/options';
export { type RateLimits, STRIPE_TEST_MODE_RATE_LIMITS } from './http/rate-limits';
export { hasSavedState, STATE_FILE, STATE_FORMAT_VERSION } from './server/persistence';
export type { ApiRequestRecord, SandboxState } from './state/state';
export type { ObjectKind } from './state/store';
export type { StripeObject } from './objects/fixtures';
export type { DeliveryAttempt } from './delivery/webhooks';
export { signatureHeader } from './delivery/webhook-post';
export { IMPLICIT_ENDPOINT_DESCRIPTION } from './delivery/webhook-endpoints';
export {
  type EventBridgeDelivery,
  type EventBridgeEnvelope,
  partnerEventSource,
} from './delivery/event-destinations';
export type { ChaosState } from './delivery/chaos';
export type { ClockState } from './objects/clock';
