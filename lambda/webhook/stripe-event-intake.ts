import type Stripe from 'stripe';
import type { Logger } from '../core/logger';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import type { ParkedEventStore } from '../domain/parked-event';

/**
 * What Stripe sends, whichever way it comes in (the webhook, once its signature verifies;
 * EventBridge, from the partner event source), before it becomes one Stripe event for the
 * pipeline:
 * - a **snapshot** event (`object: 'event'`): the classic event, the object inside it;
 * - a **thin** event notification (`object: 'v2.core.event'`, event destinations'
 *   `thin` payload): the event's id, its type prefixed `v1.` for v1 objects, the id of
 *   its snapshot event when there is one, and a link to the object it is about.
 */
export type IncomingStripePayload =
  | { readonly kind: 'snapshot'; readonly event: Stripe.Event }
  | { readonly kind: 'thin'; readonly notification: ThinEventNotification };

/** The fields of a thin event notification the service reads (stripe's `EventNotificationBase`). */
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

/** Stripe's ids are at most 255 characters; the event id keys the idempotency and parked records. */
export const MAX_EVENT_ID_CHARS = 255;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEventId = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('evt_') && value.length <= MAX_EVENT_ID_CHARS;

/**
 * What the pipeline relies on, checked before anything is recorded: a snapshot event's
 * id, type, time and object; a thin notification's id, type, time and mode (what it
 * names is fetched, and checked, later). Undefined when the payload is neither: a
 * caller's mistake (400 on the webhook), never a retry.
 */
export function classifyStripePayload(payload: unknown): IncomingStripePayload | undefined {
  if (!isRecord(payload)) return undefined;
  if (payload.object === 'v2.core.event') {
    const valid =
      isEventId(payload.id) &&
      typeof payload.type === 'string' &&
      payload.type.length <= MAX_EVENT_ID_CHARS &&
      typeof payload.created === 'string' &&
      !Number.isNaN(Date.parse(payload.created)) &&
      typeof payload.livemode === 'boolean' &&
      (payload.snapshot_event == null || isEventId(payload.snapshot_event));
    return valid
      ? { kind: 'thin', notification: payload as unknown as ThinEventNotification }
      : undefined;
  }
  const data = payload.data;
  const valid =
    isEventId(payload.id) &&
    typeof payload.type === 'string' &&
    typeof payload.created === 'number' &&
    isRecord(data) &&
    isRecord(data.object);
  return valid ? { kind: 'snapshot', event: payload as unknown as Stripe.Event } : undefined;
}

/** What a way in needs to turn a thin notification into an event, or park it. */
export interface ThinEventIntake {
  readonly resolver: ThinEventResolver;
  /** Where a notification whose event Stripe does not have is kept for an operator. */
  readonly parked: ParkedEventStore;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/**
 * One thin notification of a handled type, whichever way it came in: its v1 event from
 * Stripe (counted), or, when Stripe has none (deleted, past retention, or no snapshot
 * event at all), parked as delivered under the notification's id, since retrying cannot help.
 * The replay command resolves a parked notification again (`replayEvent`). A failure to
 * reach Stripe is thrown: transient, retried by whoever delivered it.
 */
export async function resolveOrParkThinEvent(
  intake: ThinEventIntake,
  notification: ThinEventNotification,
  delivered: Buffer,
): Promise<{ readonly event: Stripe.Event } | { readonly parked: true }> {
  const metrics = intake.metrics ?? NO_METRICS;
  const event = await intake.resolver.resolve(notification);
  if (event) {
    metrics.count(METRICS.thinEventsResolved);
    return { event };
  }
  const reason = `Stripe has no event for the thin notification ${notification.id} (${notification.type}${
    notification.snapshot_event ? `, snapshot event ${notification.snapshot_event}` : ''
  })`;
  const { rawBodyStored } = await intake.parked.park({
    eventId: notification.id,
    type: notification.type,
    reason,
    parkedAt: (intake.now?.() ?? new Date()).toISOString(),
    rawBody: delivered,
  });
  metrics.count(METRICS.eventsParked);
  intake.logger.warn('Stripe thin event parked: its event cannot be fetched', {
    stripeThinEventId: notification.id,
    stripeEventId: notification.snapshot_event ?? undefined,
    stripeEventType: notification.type,
    reason,
    rawBodyStored,
  });
  return { parked: true };
}
