import type Stripe from 'stripe';
import type { Logger } from '../core/logger';
import type { EventAdmission } from '../domain/event-admission';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import type { ParkedEventStore } from '../domain/parked-event';
import { isStripeEventId, STRIPE_LIMITS } from '../domain/stripe-limits';
import type { ThinEventNotification, ThinEventResolver } from '../domain/thin-event';
import { isRecord } from '../shared/json';

/**
 * What Stripe sends, whichever way it comes in (the webhook, once its signature verifies;
 * EventBridge, from the partner event source; a parked copy a replay reads), before it
 * becomes one Stripe event for the pipeline:
 * - a **snapshot** event (`object: 'event'`): the classic event, the object inside it;
 * - a **thin** event notification (`ThinEventNotification`), resolved through Stripe.
 */
export type IncomingStripePayload =
  | { readonly kind: 'snapshot'; readonly event: Stripe.Event }
  | { readonly kind: 'thin'; readonly notification: ThinEventNotification };

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
      isStripeEventId(payload.id) &&
      typeof payload.type === 'string' &&
      payload.type.length <= STRIPE_LIMITS.idChars &&
      typeof payload.created === 'string' &&
      !Number.isNaN(Date.parse(payload.created)) &&
      typeof payload.livemode === 'boolean' &&
      (payload.snapshot_event == null || isStripeEventId(payload.snapshot_event));
    return valid
      ? { kind: 'thin', notification: payload as unknown as ThinEventNotification }
      : undefined;
  }
  const data = payload.data;
  const valid =
    isStripeEventId(payload.id) &&
    typeof payload.type === 'string' &&
    typeof payload.created === 'number' &&
    isRecord(data) &&
    isRecord(data.object);
  return valid ? { kind: 'snapshot', event: payload as unknown as Stripe.Event } : undefined;
}

/**
 * The body a delivery of the event carries when the service has the event but not the
 * bytes Stripe sent (a resolved thin notification, EventBridge's detail, Stripe's events
 * list): its JSON. It is what is parked, and what a replay re-runs.
 */
export const eventBody = (event: Stripe.Event): Buffer =>
  Buffer.from(JSON.stringify(event), 'utf8');

/** What a way in needs to turn a thin notification into an event, or park it. */
export interface ThinEventIntake {
  /** Fetches the v1 (snapshot) event a notification is about from Stripe. */
  readonly resolver: ThinEventResolver;
  /** Where a notification whose event Stripe does not have is kept for an operator. */
  readonly parked: ParkedEventStore;
  /** The clock and mode checks a notification passes before Stripe is asked for its event. */
  readonly admission: EventAdmission;
}

interface IntakeObservers {
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/**
 * One thin notification of a handled type, whichever way it came in: its v1 event from
 * Stripe (counted), or parked as delivered under the notification's id, since retrying
 * cannot help, when
 * - it is refused on admission (stamped beyond now plus the clock skew, or from the other
 *   Stripe mode): Stripe is not asked, and a notification "just sent" in the future is
 *   never retried forever;
 * - Stripe has no event for it (deleted, past retention, or no snapshot event at all).
 * The replay command resolves a parked notification again. A failure to reach Stripe is
 * thrown: transient, retried by whoever delivered it.
 */
export async function resolveOrParkThinEvent(
  intake: ThinEventIntake & IntakeObservers,
  notification: ThinEventNotification,
  delivered: Buffer,
): Promise<{ readonly event: Stripe.Event } | { readonly parked: true }> {
  const metrics = intake.metrics ?? NO_METRICS;
  const refusal = await intake.admission.refusal({
    createdMs: Date.parse(notification.created),
    livemode: notification.livemode,
  });
  const event = refusal === undefined ? await intake.resolver.resolve(notification) : undefined;
  if (event) {
    metrics.count(METRICS.thinEventsResolved);
    return { event };
  }
  const reason =
    refusal ??
    `Stripe has no event for the thin notification ${notification.id} (${notification.type}${
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
  intake.logger.warn('Stripe thin event parked: its event cannot be taken', {
    stripeThinEventId: notification.id,
    stripeEventId: notification.snapshot_event ?? undefined,
    stripeEventType: notification.type,
    reason,
    rawBodyStored,
  });
  return { parked: true };
}
