import { randomUUID } from 'node:crypto';
import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { Registry } from './registry';
import { post } from './webhook-post';

/**
 * Stripe's event destinations (the v2 API, `/v2/core/event_destinations`): where events
 * go besides the v1 webhook endpoints, each as a `snapshot` event (the v1 event, as a
 * webhook endpoint gets it) or a `thin` one (a notification naming the event and its
 * object, which the receiver fetches), over a webhook endpoint (signed with the
 * destination's own `whsec_` secret) or through Amazon EventBridge.
 */

/** Stripe allows 16 event destinations per account and mode (as for webhook endpoints). */
export const MAX_EVENT_DESTINATIONS = 16;

/** The prefix of a thin notification's type for a v1 event type. */
export const THIN_V1_PREFIX = 'v1.';

/** An event destination and what Stripe keeps beside it. */
export interface EventDestinationRecord {
  /**
   * The `v2.core.event_destination` as retrieve returns it (without the webhook URL and
   * secret, which are shown only when asked for), changed in place.
   */
  readonly destination: StripeObject;
  /** `webhook_endpoint` destinations: where to POST, and the secret that signs. */
  url: string | null;
  /** Set again only by the sandbox's signing-secret control (never by Stripe's API). */
  secret: string | null;
}

interface NewEventDestination {
  readonly name: string;
  readonly description: string;
  readonly type: 'webhook_endpoint' | 'amazon_eventbridge';
  readonly eventPayload: 'snapshot' | 'thin';
  readonly enabledEvents: readonly string[];
  readonly snapshotApiVersion: string | null;
  readonly metadata: Record<string, string>;
  readonly webhookUrl?: string;
  readonly eventBridge?: { readonly awsAccountId: string; readonly awsRegion: string };
}

/** Amazon EventBridge's event, as Stripe's partner event source puts it on the bus. */
export interface EventBridgeEnvelope {
  readonly version: '0';
  readonly id: string;
  /** The Stripe event's type (`v1.`-prefixed for a thin notification of a v1 event). */
  readonly 'detail-type': string;
  /** `aws.partner/stripe.com/<destination id>`: the partner event source. */
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  /** The snapshot event or the thin notification, as a webhook would get it. */
  readonly detail: StripeObject;
}

/** How the sandbox hands an envelope to EventBridge; a rejection is retried like a non-2xx. */
export type EventBridgeDelivery = (envelope: EventBridgeEnvelope) => Promise<void>;

/** A v2 object's time: ISO 8601, where v1 objects have unix seconds. */
export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** The partner event source a destination's events come from. */
export const partnerEventSource = (destinationId: string): string =>
  `aws.partner/stripe.com/${destinationId}`;

/** The account's event destinations, in creation order. */
export class EventDestinationRegistry extends Registry<EventDestinationRecord> {
  constructor() {
    super((record) => record.destination.id as string);
  }

  add(fields: NewEventDestination, now: number): EventDestinationRecord {
    const id = stripeId('ed_test', 44);
    const eventBridge = fields.eventBridge;
    const destination: StripeObject = {
      id,
      object: 'v2.core.event_destination',
      amazon_eventbridge: eventBridge
        ? {
            aws_account_id: eventBridge.awsAccountId,
            aws_event_source_arn: `arn:aws:events:${eventBridge.awsRegion}::event-source/${partnerEventSource(id)}`,
            // Stripe's partner event source is usable once associated with a bus in AWS;
            // the sandbox has no AWS side to wait for.
            aws_event_source_status: 'active',
          }
        : null,
      azure_event_grid: null,
      created: iso(now),
      description: fields.description,
      enabled_events: [...fields.enabledEvents],
      event_payload: fields.eventPayload,
      events_from: ['@self'],
      livemode: false,
      metadata: { ...fields.metadata },
      name: fields.name,
      snapshot_api_version: fields.snapshotApiVersion,
      status: 'enabled',
      status_details: null,
      type: fields.type,
      updated: iso(now),
      webhook_endpoint:
        fields.type === 'webhook_endpoint' ? { signing_secret: null, url: null } : null,
    };
    return this.put({
      destination,
      url: fields.webhookUrl ?? null,
      secret: fields.type === 'webhook_endpoint' ? stripeId('whsec', 32) : null,
    });
  }

  /**
   * Where a v1 event of `type` goes: every enabled destination that enabled it, as Stripe
   * names it for the destination's payload (`payment_intent.succeeded` for snapshot
   * events, `v1.payment_intent.succeeded` for thin ones).
   */
  subscribedTo(type: string): EventDestinationRecord[] {
    return [...this.records.values()].filter((record) => {
      const { destination } = record;
      const name = destination.event_payload === 'thin' ? `${THIN_V1_PREFIX}${type}` : type;
      const enabled = destination.enabled_events as string[];
      return destination.status === 'enabled' && (enabled.includes(name) || enabled.includes('*'));
    });
  }
}

/** Where each kind of object the sandbox emits events about is retrieved (v1 API). */
const RETRIEVE_PATHS: Readonly<Record<string, string>> = {
  customer: '/v1/customers',
  product: '/v1/products',
  price: '/v1/prices',
  'checkout.session': '/v1/checkout/sessions',
  payment_intent: '/v1/payment_intents',
  payment_method: '/v1/payment_methods',
  subscription: '/v1/subscriptions',
  invoice: '/v1/invoices',
  invoiceitem: '/v1/invoiceitems',
};

/**
 * The thin event of a v1 event: its own `evt_` id, the type prefixed `v1.`, the v1
 * event's id as `snapshot_event`, and the object it is about with the path that
 * retrieves it (none for objects without one, as for Stripe's entitlement summaries).
 * Thin payloads are unversioned: the receiver fetches the event or the object.
 */
export function thinEventOf(event: StripeObject): StripeObject {
  const object = (event.data as { object?: StripeObject } | undefined)?.object;
  const kind = typeof object?.object === 'string' ? object.object : undefined;
  const path = kind === undefined ? undefined : RETRIEVE_PATHS[kind];
  const request = event.request as { id?: string | null; idempotency_key?: string | null } | null;
  return {
    id: stripeId('evt_test', 40),
    object: 'v2.core.event',
    type: `${THIN_V1_PREFIX}${String(event.type)}`,
    created: iso(event.created as number),
    livemode: event.livemode ?? false,
    context: null,
    reason:
      request?.id != null
        ? { type: 'request', request: { id: request.id, idempotency_key: request.idempotency_key } }
        : null,
    snapshot_event: event.id,
    related_object:
      path !== undefined && typeof object?.id === 'string'
        ? { id: object.id, type: kind, url: `${path}/${object.id}` }
        : null,
  };
}

/** The EventBridge event a destination puts on its partner event source for `detail`. */
export function eventBridgeEnvelope(
  record: EventDestinationRecord,
  detail: StripeObject,
): EventBridgeEnvelope {
  const { destination } = record;
  const aws = destination.amazon_eventbridge as {
    aws_account_id: string;
    aws_event_source_arn: string;
  };
  // The region is the ARN's fourth field: arn:aws:events:<region>::event-source/...
  const region = aws.aws_event_source_arn.split(':')[3] ?? '';
  const created = detail.created;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': String(detail.type),
    source: partnerEventSource(destination.id as string),
    account: aws.aws_account_id,
    time: typeof created === 'number' ? iso(created) : String(created),
    region,
    resources: [],
    detail,
  };
}

/**
 * The `--eventbridge-url` delivery: each envelope POSTed as JSON to a URL (a local
 * EventBridge stand-in); anything but a 2xx is a failed put, retried with the backoff.
 */
export function postEnvelopesTo(url: string, timeoutMs: number): EventBridgeDelivery {
  return async (envelope) => {
    const headers = { 'content-type': 'application/json' };
    const status = await post(url, headers, JSON.stringify(envelope), timeoutMs);
    if (status < 200 || status >= 300) throw new Error(`${url} answered ${status}`);
  };
}
