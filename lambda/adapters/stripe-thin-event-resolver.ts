import type Stripe from 'stripe';
import { DEPENDENCY_LABELS } from '../core/dependencies';
import { HttpError } from '../core/errors';
import type { StripeEventSource } from '../domain/stripe-event-source';
import { isStripeError, type StripeClientProvider } from './stripe-client-provider';
import { StripeSdkEventSource } from './stripe-event-source';
import type { ThinEventNotification, ThinEventResolver } from '../domain/thin-event';

/**
 * A notification younger than this whose event Stripe does not show yet is retried rather
 * than parked: Stripe may serve an event a moment after announcing it. Older, it is gone
 * (or never was) and retrying cannot help.
 */
export const THIN_EVENT_GRACE_SECONDS = 300;

/**
 * Thin event notifications resolved through the stripe SDK (its budget and pinned API
 * version come with the client provider, so each call is bounded like every Stripe call;
 * the SDK itself is loaded only when a thin notification first arrives).
 *
 * A thin notification of a v1 event type always stands for a v1 (snapshot) event, which
 * the snapshot webhook, a snapshot destination and reconciliation see under its own id.
 * So the notification is only ever resolved to *that* event, never to one rebuilt under
 * the thin event's id (which would publish the same change twice, under two ids):
 * - its id is `snapshot_event` when the notification carries it, else the one Stripe's
 *   v2 event gives (`fetchEvent()`, the SDK's own: `GET /v2/core/events/:id`);
 * - the v1 event is retrieved by that id, and must be the event the notification speaks
 *   of (its id and type), or the notification is not resolved.
 *
 * `undefined` (the caller parks it) when Stripe has no such event, past a short grace
 * for a notification just sent; any other failure is thrown, tagged as Stripe's (a
 * transient failure: retried).
 */
export class StripeThinEventResolver implements ThinEventResolver {
  private readonly events: Pick<StripeEventSource, 'retrieve'>;

  constructor(
    private readonly clients: StripeClientProvider,
    events?: Pick<StripeEventSource, 'retrieve'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.events = events ?? new StripeSdkEventSource(clients);
  }

  async resolve(notification: ThinEventNotification): Promise<Stripe.Event | undefined> {
    const snapshotId = notification.snapshot_event ?? (await this.snapshotIdOf(notification));
    let event: Stripe.Event | undefined;
    if (snapshotId != null) {
      try {
        event = await this.events.retrieve(snapshotId);
      } catch (error) {
        throw transient('events.retrieve', error);
      }
    }
    if (event === undefined) {
      if (this.justSent(notification)) {
        throw transient('events.retrieve', new Error('Stripe does not show the event yet'));
      }
      return undefined;
    }
    const speaksOf = event.id === snapshotId && `v1.${event.type}` === notification.type;
    return speaksOf ? event : undefined;
  }

  /** The v1 event's id from Stripe's v2 event, when the notification did not carry it. */
  private async snapshotIdOf(notification: ThinEventNotification): Promise<string | undefined> {
    const stripe = await this.clients.client();
    try {
      // The SDK's own notification: its `fetchEvent` reads the v2 event with the
      // notification's context, through this client's host, key and version.
      const parsed = stripe.parseEventNotificationWithoutVerification(JSON.stringify(notification));
      const fetched = (await parsed.fetchEvent()) as { snapshot_event?: string | null };
      return fetched.snapshot_event ?? undefined;
    } catch (error) {
      if (isStripeError(error) && error.code === 'resource_missing') return undefined;
      throw transient('fetchEvent', error);
    }
  }

  private justSent(notification: ThinEventNotification): boolean {
    const ageSeconds = (this.now().getTime() - Date.parse(notification.created)) / 1000;
    return ageSeconds < THIN_EVENT_GRACE_SECONDS;
  }
}

interface StripeFailureFields {
  readonly stripeErrorType?: unknown;
}

/**
 * A failure to reach Stripe as a transient one: an error tagged with the dependency and
 * the operation (a 500 on the webhook, which Stripe retries; Lambda's retry on
 * EventBridge), counted as a Stripe call failure (or timeout) like every other.
 */
function transient(operation: string, error: unknown): Error {
  const stripeType =
    error instanceof HttpError
      ? (error.logFields as StripeFailureFields).stripeErrorType
      : (error as { type?: unknown } | null)?.type;
  return Object.assign(new Error(`Stripe ${operation} failed for a thin event`, { cause: error }), {
    dependency: DEPENDENCY_LABELS.stripe,
    operation,
    ...(typeof stripeType === 'string' ? { type: stripeType } : {}),
  });
}
