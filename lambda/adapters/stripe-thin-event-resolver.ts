import type Stripe from 'stripe';
import { DEPENDENCY_LABELS } from '../core/dependencies';
import { HttpError } from '../core/errors';
import type { StripeEventSource } from '../domain/stripe-event-source';
import { STRIPE_API_VERSION } from '../shared/stripe-api-version';
import {
  snapshotTypeOf,
  type ThinEventNotification,
  type ThinEventResolver,
} from '../webhook/stripe-event-intake';
import { isStripeError, type StripeClientProvider } from './stripe-client-provider';
import { StripeSdkEventSource } from './stripe-event-source';

/** Related objects of v1 events live in the v1 API; anything else is not fetched. */
const V1_PATH = /^\/v1\/[A-Za-z0-9_./-]+$/;

/**
 * Thin event notifications resolved through the stripe SDK (its budget and pinned API
 * version come with the client provider, so each call is bounded like every Stripe call;
 * the SDK itself is loaded only when a thin notification first arrives):
 *
 * - with `snapshot_event` (every v1 event type): Stripe's v1 event, retrieved by that id.
 *   It is the very event a snapshot delivery, reconciliation and replay see, with its
 *   `created` and the object as it was then: keyed, deduplicated and ordered as if the
 *   webhook had delivered it, so both kinds of delivery of one event publish once.
 * - without it: the related object, fetched with the SDK's own
 *   `parseEventNotificationWithoutVerification(...).fetchRelatedObject()`, inside a v1
 *   event built around it and keyed by the thin event's id (there is no other).
 *
 * `undefined` when Stripe has no such event or object (`resource_missing`), or nothing to
 * fetch; any other failure is thrown, tagged as Stripe's (a transient failure: retried).
 */
export class StripeThinEventResolver implements ThinEventResolver {
  private readonly events: Pick<StripeEventSource, 'retrieve'>;

  constructor(
    private readonly clients: StripeClientProvider,
    events?: Pick<StripeEventSource, 'retrieve'>,
  ) {
    this.events = events ?? new StripeSdkEventSource(clients);
  }

  async resolve(notification: ThinEventNotification): Promise<Stripe.Event | undefined> {
    if (notification.snapshot_event != null) {
      try {
        return await this.events.retrieve(notification.snapshot_event);
      } catch (error) {
        throw transient('events.retrieve', error);
      }
    }
    const type = snapshotTypeOf(notification.type);
    const url = notification.related_object?.url;
    if (type === undefined || url === undefined || !V1_PATH.test(url)) return undefined;
    const object = await this.relatedObject(notification);
    if (object === undefined) return undefined;
    return rebuiltEvent(notification, type, object);
  }

  private async relatedObject(
    notification: ThinEventNotification,
  ): Promise<Record<string, unknown> | undefined> {
    const stripe = await this.clients.client();
    let object: unknown;
    try {
      // The SDK's own notification (its `fetchRelatedObject` GETs `related_object.url`
      // with the notification's context, through this client's host, key and version).
      // (Only some notification types declare `fetchRelatedObject`; every one has it.)
      const parsed = stripe.parseEventNotificationWithoutVerification(
        JSON.stringify(notification),
      ) as { fetchRelatedObject?: () => Promise<unknown> };
      object = await parsed.fetchRelatedObject?.();
    } catch (error) {
      if (isStripeError(error) && error.code === 'resource_missing') return undefined;
      throw transient('fetchRelatedObject', error);
    }
    return typeof object === 'object' && object !== null && !Array.isArray(object)
      ? (object as Record<string, unknown>)
      : undefined;
  }
}

/**
 * A v1 event around the related object as Stripe has it now. Safe for the pipeline:
 * - the id is the thin event's own, unique and stable across redeliveries, so the ledger
 *   still takes it once (a notification without a snapshot event has no v1 twin that a
 *   snapshot delivery could publish as well);
 * - ordering reads `created`, the thin event's time, while the object is its state at the
 *   moment of fetching, never older than the event: a message never carries a state older
 *   than the time it claims, and the newest message about a subscription still carries
 *   its newest state (an older event resolved late carries it too, or is superseded);
 * - `api_version` is the version the object was fetched in: this client's pinned one.
 */
function rebuiltEvent(
  notification: ThinEventNotification,
  type: string,
  object: Record<string, unknown>,
): Stripe.Event {
  const event = {
    id: notification.id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: Math.floor(Date.parse(notification.created) / 1000),
    data: { object },
    livemode: notification.livemode,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  };
  return event as unknown as Stripe.Event;
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
