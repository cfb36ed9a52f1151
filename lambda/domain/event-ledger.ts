import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { STRIPE_LIMITS } from './stripe-limits';

/**
 * The event ledger: one record per Stripe event id, shared by every way an event comes in
 * (the webhook, EventBridge, reconciliation and replay), so an event processed by one is a
 * no-op for the others (contract section 5: at least once, with a stable id).
 */

/**
 * How long the ledger remembers a processed event, from when it was processed. At least
 * Stripe's event retention, and it must stay so: reconciliation walks every event Stripe
 * still lists, and relies on the ledger to know each one that was already processed (an
 * event forgotten earlier would be published again). Stripe itself retries a delivery for
 * three days.
 */
export const EVENT_LEDGER_RECORD_DAYS = STRIPE_LIMITS.eventRetentionDays;

/**
 * A verified Stripe event and the bytes it arrived as: the bytes are what is kept when the
 * event is parked (exactly what Stripe signed, so a replay can verify it again).
 */
export interface StripeDelivery {
  readonly event: Stripe.Event;
  readonly rawBody: Buffer;
}

/** What the ledger did with a delivery: ran the processing, or found it already done. */
export interface ProcessedEvent<R> {
  readonly outcome: R;
  /** The event was processed before (a redelivery, or another way in): nothing was run. */
  readonly alreadyProcessed: boolean;
}

/**
 * Runs the processing of a delivery at most once per Stripe event id. Throws
 * `EventInProgressError` while another delivery of the same event is being processed.
 */
export type EventProcessor<R> = (
  delivery: StripeDelivery,
  context: Context,
) => Promise<ProcessedEvent<R>>;

/**
 * The event cannot be taken right now because someone else holds it: worth a retry a
 * moment later, never a failure. `code` names which hold it is.
 */
export abstract class EventBusyError extends Error {
  abstract readonly code: 'event_in_progress' | 'subscription_busy';
}

/** Another delivery of the same event is being processed right now (the ledger's lock). */
export class EventInProgressError extends EventBusyError {
  override readonly name = 'EventInProgressError';
  readonly code = 'event_in_progress';

  constructor(
    readonly eventId: string,
    message = `Event ${eventId} is being processed by another delivery; retry later.`,
  ) {
    super(message);
  }
}

/** What the ledger held for an event whose parked outcome a replay asked to forget. */
export type ForgetParkedResult =
  /** The completed record said "parked": it is gone, so the pipeline processes the event again. */
  | 'forgotten'
  /** No record (never processed, or expired): the pipeline processes the event anyway. */
  | 'absent'
  /** A record that is not a parked outcome (published, or in progress): left as it is. */
  | 'not-parked';

/**
 * The ledger, seen from a replay: a parked event's completed record answers "already
 * processed" forever, so retrying it after a fix first forgets that record, and only that
 * kind of record.
 */
export interface ParkedOutcomeLedger {
  forgetParkedOutcome(eventId: string): Promise<ForgetParkedResult>;
}
