/**
 * Stripe's documented limits that the service relies on, defined once: what it sends
 * Stripe must fit them, and what it reads from Stripe is bounded by them.
 */
export const STRIPE_LIMITS = {
  /** Ids (`evt_…`, `cus_…`) and idempotency keys: at most 255 characters. */
  idChars: 255,
  /** Metadata: 50 keys, keys up to 40 and values up to 500 characters. */
  metadata: { keys: 50, keyChars: 40, valueChars: 500 },
  /** A Checkout Session's `client_reference_id`. */
  clientReferenceId: 200,
  /** Events can be listed and retrieved for 30 days; nothing older. */
  eventRetentionDays: 30,
} as const;

/** A Stripe event id as the service takes one: `evt_`, within Stripe's id length. */
export const isStripeEventId = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('evt_') && value.length <= STRIPE_LIMITS.idChars;
