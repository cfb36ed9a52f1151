import type Stripe from 'stripe';
import { STRIPE_LIMITS } from './stripe-limits';

/** Stripe keeps events for 30 days; nothing older can be listed or retrieved. */
export const STRIPE_EVENT_RETENTION_DAYS = STRIPE_LIMITS.eventRetentionDays;

/** Which of Stripe's events to walk: these types, created within these seconds (inclusive). */
export interface EventWindow {
  readonly types: readonly string[];
  /** Unix seconds, inclusive. */
  readonly createdFrom: number;
  /** Unix seconds, inclusive. */
  readonly createdTo: number;
}

/**
 * Stripe's own record of its events (the events API), read by reconciliation and replay:
 * what Stripe says happened, whatever was or was not delivered to the webhook.
 */
export interface StripeEventSource {
  /**
   * The window's events, **oldest first** (Stripe lists newest first), read page by page
   * so a big window never has to fit in memory. A failure to read is transient (thrown).
   */
  eventsOldestFirst(window: EventWindow): AsyncIterable<Stripe.Event>;
  /** One event by id; undefined when Stripe has no such event (unknown, or past retention). */
  retrieve(eventId: string): Promise<Stripe.Event | undefined>;
}
