import type Stripe from 'stripe';

/**
 * A **thin** event notification (`object: 'v2.core.event'`, an event destination's `thin`
 * payload): the event's id, its type prefixed `v1.` for v1 objects, the id of its snapshot
 * event when there is one, and a link to the object it is about. The fields the service
 * reads (stripe's `EventNotificationBase`).
 */
export interface ThinEventNotification {
  readonly object: 'v2.core.event';
  readonly id: string;
  /** `v1.payment_intent.succeeded` for the v1 event type `payment_intent.succeeded`. */
  readonly type: string;
  /** ISO 8601. */
  readonly created: string;
  readonly livemode: boolean;
  /** The v1 (snapshot) event's id: the same id the webhook and reconciliation see. */
  readonly snapshot_event?: string | null;
  readonly related_object?: {
    readonly id: string;
    readonly type: string;
    readonly url: string;
  } | null;
  readonly context?: string | null;
}

/** Thin notifications name v1 event types with this prefix. */
export const THIN_V1_TYPE_PREFIX = 'v1.';

/** The v1 event type a thin notification is about; undefined for v2-only types. */
export const snapshotTypeOf = (thinType: string): string | undefined =>
  thinType.startsWith(THIN_V1_TYPE_PREFIX) ? thinType.slice(THIN_V1_TYPE_PREFIX.length) : undefined;

/**
 * Turns a thin notification into the full v1 event the pipeline takes: Stripe's snapshot
 * event, so it is keyed, deduplicated and ordered exactly as if the webhook had delivered
 * it. Failures to reach Stripe are transient (thrown); `undefined` means Stripe has no
 * such event.
 */
export interface ThinEventResolver {
  resolve(notification: ThinEventNotification): Promise<Stripe.Event | undefined>;
}
