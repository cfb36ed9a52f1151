import type { StripeObject } from '../objects/fixtures';
import { DeliveryChaos } from './chaos';
import {
  type EventBridgeDelivery,
  eventBridgeEnvelope,
  type EventDestinationRecord,
  EventDestinationRegistry,
  thinEventOf,
} from './event-destinations';
import { type WebhookEndpointRecord, WebhookEndpointRegistry } from './webhook-endpoints';
import { post, signatureHeader } from './webhook-post';

/** One attempt to deliver one event to one endpoint. */
export interface DeliveryAttempt {
  readonly eventId: string;
  readonly eventType: string;
  /** The `we_` id of the webhook endpoint, or the `ed_` id of the event destination. */
  readonly endpointId: string;
  /** Where it was POSTed; `eventbridge:<partner event source>` for an EventBridge destination. */
  readonly url: string;
  /** 1 for the first attempt, then each retry. */
  readonly attempt: number;
  /** Which copy of a delivery the chaos control duplicated (1 without duplication). */
  readonly copy: number;
  /** The endpoint's HTTP status, or null when it could not be reached or timed out. */
  readonly status: number | null;
  readonly error: string | null;
  readonly at: string;
}

interface WebhookDeliveryOptions {
  /** The signing secret of the start-option endpoints (`endpoints`). */
  readonly secret: string;
  /** The start-option endpoints: the local stack's webhook URL, say. */
  readonly endpoints: string[];
  /** Delays before each retry, in ms; one attempt more than its length in all. */
  readonly retryDelaysMs: readonly number[];
  readonly timeoutMs: number;
  /** The API version the start-option endpoints are registered with. */
  readonly apiVersion?: string | null;
  readonly log?: (line: string) => void;
  /** Called when an endpoint acknowledges an event: a change of what the state saves. */
  readonly onDelivered?: () => void;
  /** Puts `amazon_eventbridge` destinations' events on a bus; without it they fail (retried). */
  readonly eventBridgeDelivery?: EventBridgeDelivery;
}

/** Where an event goes: a webhook endpoint, or an event destination. */
type DeliveryTarget =
  | { readonly kind: 'endpoint'; readonly record: WebhookEndpointRecord }
  | { readonly kind: 'destination'; readonly record: EventDestinationRecord };

/** What a data directory keeps of the deliveries (see `state/persistence.ts`). */
export interface SavedDeliveries {
  /** The API-created endpoints, with their secrets. */
  readonly endpoints: WebhookEndpointRecord[];
  /** Per event: each endpoint it was sent to, and whether it answered 2xx. */
  readonly outcomes: [string, [string, boolean][]][];
  /** The event destinations, with their secrets (absent in files saved before them). */
  readonly destinations?: EventDestinationRecord[];
  /** The thin events sent so far (`GET /v2/core/events/:id`). */
  readonly thinEvents?: StripeObject[];
}

/** One copy of one event on its way to one endpoint. */
interface Dispatch {
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly endpointId: string;
  readonly copy: number;
  readonly delayMs: number;
  readonly generation: number;
}

const sleep = (ms: number): Promise<void> =>
  // unref: a stopped sandbox's pending deliveries must not keep the process alive.
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Delivers events to the webhook endpoints as Stripe does: a signed POST per event and
 * subscribed, enabled endpoint, signed with that endpoint's secret, retried with backoff
 * on a non-2xx answer, a timeout or a refused connection. Without chaos, first attempts
 * go out in event order per endpoint; the chaos control duplicates, delays and reorders
 * them. It remembers which endpoints acknowledged each event (`pending_webhooks`,
 * `delivery_success`).
 */
export class WebhookDelivery {
  readonly attempts: DeliveryAttempt[] = [];
  readonly registry: WebhookEndpointRegistry;
  readonly destinations = new EventDestinationRegistry();
  /** The thin events sent, by their own id. */
  readonly thinEvents = new Map<string, StripeObject>();
  readonly chaos = new DeliveryChaos<Dispatch>((batch) => {
    this.releaseBatch(batch);
  });
  /** Per event: the endpoints it was sent to, and whether each answered 2xx yet. */
  private readonly outcomes = new Map<string, Map<string, boolean>>();
  private queues = new Map<string, Promise<void>>();
  /** Released chaos batches go out one after another, each in its own order. */
  private released: Promise<void> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();
  private generation = 0;

  constructor(private options: WebhookDeliveryOptions) {
    this.registry = new WebhookEndpointRegistry(options.apiVersion ?? null);
    this.registry.setImplicit(options.endpoints, options.secret);
  }

  /** The start-option endpoints' URLs. */
  get endpoints(): readonly string[] {
    return this.registry.implicitUrls();
  }

  /**
   * Changes the start-option endpoints (URLs, secret) or the retry schedule; the
   * endpoints created through `/v1/webhook_endpoints` stay as they are.
   */
  configure(
    update: Partial<
      Pick<WebhookDeliveryOptions, 'endpoints' | 'retryDelaysMs' | 'secret' | 'eventBridgeDelivery'>
    >,
  ): void {
    this.options = { ...this.options, ...update };
    if (update.endpoints !== undefined || update.secret !== undefined)
      this.registry.setImplicit(this.options.endpoints, this.options.secret);
  }

  /** Where an event of `type` created now goes: webhook endpoints, then event destinations. */
  targetsFor(type: string): DeliveryTarget[] {
    return [
      ...this.registry.subscribedTo(type).map((record) => ({ kind: 'endpoint' as const, record })),
      ...this.destinations
        .subscribedTo(type)
        .map((record) => ({ kind: 'destination' as const, record })),
    ];
  }

  deliver(event: StripeObject, targets: readonly DeliveryTarget[]): void {
    const snapshot = JSON.stringify(event, null, 2);
    const eventId = String(event.id);
    const outcome = new Map<string, boolean>();
    this.outcomes.set(eventId, outcome);
    // One thin event per v1 event, whichever destinations get it (as at Stripe).
    let thin: StripeObject | undefined;
    const thinEvent = (): StripeObject => {
      if (thin === undefined) {
        thin = thinEventOf(event);
        this.thinEvents.set(thin.id as string, thin);
      }
      return thin;
    };
    for (const target of targets) {
      const endpointId =
        target.kind === 'endpoint'
          ? (target.record.endpoint.id as string)
          : (target.record.destination.id as string);
      const payload =
        target.kind === 'endpoint' ? snapshot : destinationPayload(target.record, event, thinEvent);
      outcome.set(endpointId, false);
      const copies = this.chaos.copies();
      for (let copy = 1; copy <= copies; copy++) {
        this.dispatch({
          eventId,
          eventType: String(event.type),
          payload,
          endpointId,
          copy,
          delayMs: this.chaos.delayMs(),
          generation: this.generation,
        });
      }
    }
  }

  /** Endpoints the event was sent to that have not answered 2xx (yet): `pending_webhooks`. */
  pendingWebhooks(eventId: string): number {
    let count = 0;
    for (const delivered of this.outcomes.get(eventId)?.values() ?? []) if (!delivered) count++;
    return count;
  }

  /**
   * `delivery_success`: every endpoint the event was sent to answered 2xx. An event no
   * endpoint was subscribed to has nothing pending or failed, so it counts as delivered.
   */
  deliverySucceeded(eventId: string): boolean {
    return this.pendingWebhooks(eventId) === 0;
  }

  /** Resolves once every delivery (retries included) has finished; releases held batches. */
  async idle(): Promise<void> {
    for (;;) {
      this.chaos.flush();
      if (this.pending.size === 0) return;
      await Promise.all([...this.pending]);
    }
  }

  /** Forgets the log, abandons pending retries, turns chaos off, restores the endpoints. */
  reset(): void {
    this.generation += 1;
    this.attempts.length = 0;
    this.queues = new Map();
    this.released = Promise.resolve();
    this.outcomes.clear();
    this.chaos.drop();
    this.registry.reset(this.options.endpoints, this.options.secret);
    this.destinations.clear();
    this.thinEvents.clear();
  }

  /**
   * The endpoints and what each event's deliveries achieved. Not the attempt log, nor the
   * retries under way: a restarted sandbox does not resume them, so an event that was still
   * pending stays pending (`delivery_success=false` finds it).
   */
  saved(): SavedDeliveries {
    return {
      endpoints: this.registry.saved(),
      outcomes: [...this.outcomes].map(([eventId, byEndpoint]) => [eventId, [...byEndpoint]]),
      destinations: this.destinations.saved(),
      thinEvents: [...this.thinEvents.values()],
    };
  }

  restore(saved: SavedDeliveries): void {
    this.registry.restore(saved.endpoints);
    this.registry.setImplicit(this.options.endpoints, this.options.secret);
    this.destinations.restore(saved.destinations ?? []);
    this.thinEvents.clear();
    for (const thin of saved.thinEvents ?? []) this.thinEvents.set(thin.id as string, thin);
    this.outcomes.clear();
    for (const [eventId, byEndpoint] of saved.outcomes)
      this.outcomes.set(eventId, new Map(byEndpoint));
  }

  private dispatch(item: Dispatch): void {
    if (this.chaos.settings === null) {
      // In order: after the endpoint's previous event, and after batches chaos released.
      const previous = this.queues.get(item.endpointId) ?? Promise.resolve();
      const run = Promise.all([previous, this.released]).then(() => this.attempt(item, 1));
      this.queues.set(item.endpointId, run);
      this.track(run);
    } else if (this.chaos.holds) {
      this.chaos.hold(item);
    } else {
      this.track(sleep(item.delayMs).then(() => this.attempt(item, 1)));
    }
  }

  /** One by one, so they arrive in the batch's order (each waits for the previous answer). */
  private releaseBatch(batch: readonly Dispatch[]): void {
    for (const item of batch) {
      this.released = this.released
        .then(() => sleep(item.delayMs))
        .then(() => this.attempt(item, 1));
    }
    this.track(this.released);
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async attempt(item: Dispatch, attempt: number): Promise<void> {
    if (item.generation !== this.generation) return;
    // Read now: an endpoint disabled, deleted or given a new URL meanwhile is honoured.
    const route = this.routeOf(item.endpointId);
    if (route === undefined) {
      this.options.log?.(
        `webhook ${item.eventType} ${item.eventId}: endpoint ${item.endpointId} is gone or disabled; delivery abandoned`,
      );
      return;
    }
    const { url } = route;
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await route.send(item.payload);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (item.generation !== this.generation) return;
    this.attempts.push({
      eventId: item.eventId,
      eventType: item.eventType,
      endpointId: item.endpointId,
      url,
      attempt,
      copy: item.copy,
      status,
      error,
      at: new Date().toISOString(),
    });
    this.options.log?.(
      `webhook ${item.eventType} ${item.eventId} -> ${url}: ${status ?? error ?? ''} (attempt ${attempt}${item.copy > 1 ? `, copy ${item.copy}` : ''})`,
    );

    const delivered = status !== null && status >= 200 && status < 300;
    if (delivered) {
      this.outcomes.get(item.eventId)?.set(item.endpointId, true);
      this.options.onDelivered?.();
    }
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delivered || delay === undefined) return;
    this.track(sleep(delay).then(() => this.attempt(item, attempt + 1)));
  }

  /**
   * How a dispatch reaches its target now, or undefined when the target is gone or
   * disabled: a signed POST (a webhook endpoint, or a destination of type
   * `webhook_endpoint`, each with its own secret), or a put on EventBridge (answering 200
   * once the put is accepted).
   */
  private routeOf(
    id: string,
  ): { readonly url: string; send(payload: string): Promise<number> } | undefined {
    const endpoint = this.registry.get(id);
    if (endpoint !== undefined) {
      if (endpoint.endpoint.status !== 'enabled') return undefined;
      const url = endpoint.endpoint.url as string;
      return { url, send: (payload) => this.post(url, endpoint.secret, payload) };
    }
    const record = this.destinations.get(id);
    if (record?.destination.status !== 'enabled') return undefined;
    const { url, secret } = record;
    if (url !== null && secret !== null)
      return { url, send: (payload) => this.post(url, secret, payload) };
    return {
      url: `eventbridge:${String(record.destination.id)}`,
      send: async (payload) => {
        const put = this.options.eventBridgeDelivery;
        if (put === undefined) {
          throw new Error(
            'no EventBridge delivery configured (start option eventBridgeDelivery, or --eventbridge-url)',
          );
        }
        await put(JSON.parse(payload) as Parameters<EventBridgeDelivery>[0]);
        return 200;
      },
    };
  }

  /** One signed POST, as Stripe sends: the endpoint's status, or a thrown failure to reach it. */
  private post(url: string, secret: string, payload: string): Promise<number> {
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signatureHeader(payload, secret),
    };
    return post(url, headers, payload, this.options.timeoutMs);
  }
}

/**
 * What an event destination gets for a v1 event: the event itself (`snapshot`) or its thin
 * event (`thin`), as a webhook body, or inside an EventBridge envelope.
 */
function destinationPayload(
  record: EventDestinationRecord,
  event: StripeObject,
  thinEvent: () => StripeObject,
): string {
  const body = record.destination.event_payload === 'thin' ? thinEvent() : event;
  return record.destination.type === 'amazon_eventbridge'
    ? JSON.stringify(eventBridgeEnvelope(record, body))
    : JSON.stringify(body, null, 2);
}
