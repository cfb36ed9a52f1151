/**
 * The Stripe sandbox's public API: start one (`startStripeSandbox`), and the types a
 * caller or test reads from a running one (`sandbox.state`). Everything else is internal.
 */
export { startStripeSandbox, type StripeSandbox } from './server';
export {
  DEFAULT_API_VERSION,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_DELAYS_MS,
  type StripeSandboxOptions,
} from './options';
export { hasSavedState, STATE_FILE, STATE_FORMAT_VERSION } from './persistence';
export type { ApiRequestRecord, SandboxState } from './state';
export type { ObjectKind } from './store';
export type { StripeObject } from './fixtures';
export { signatureHeader, type DeliveryAttempt } from './webhooks';
export { IMPLICIT_ENDPOINT_DESCRIPTION } from './webhook-endpoints';
export {
  type EventBridgeDelivery,
  type EventBridgeEnvelope,
  partnerEventSource,
} from './event-destinations';
export type { ChaosState } from './chaos';
export type { ClockState } from './clock';
