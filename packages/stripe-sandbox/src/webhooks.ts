import { createHmac } from 'node:crypto';
import { DeliveryChaos } from './chaos';
import type { StripeObject } from './fixtures';
import { type WebhookEndpointRecord, WebhookEndpointRegistry } from './webhook-endpoints';

/** One attempt to deliver one event to one endpoint. */
export interface DeliveryAttempt {
  readonly eventId: string;
  readonly eventType: string;
  /** The `we_` id of the webhook endpoint. */
  readonly endpointId: string;
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

export interface WebhookDeliveryOptions {
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
 * Stripe's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`.
 * Hand-written because this is the signing side; the stripe package only verifies (and
 * its test helper is for tests). The sandbox's tests verify it with stripe.webhooks.
 */
export function signatureHeader(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestamp}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

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
    update: Partial<Pick<WebhookDeliveryOptions, 'endpoints' | 'retryDelaysMs' | 'secret'>>,
  ): void {
    this.options = { ...this.options, ...update };
    if (update.endpoints !== undefined || update.secret !== undefined)
      this.registry.setImplicit(this.options.endpoints, this.options.secret);
  }

  /** Where an event of `type` created now goes. */
  targetsFor(type: string): WebhookEndpointRecord[] {
    return this.registry.subscribedTo(type);
  }

  deliver(event: StripeObject, targets: readonly WebhookEndpointRecord[]): void {
    const payload = JSON.stringify(event, null, 2);
    const eventId = String(event.id);
    const outcome = new Map<string, boolean>();
    this.outcomes.set(eventId, outcome);
    for (const target of targets) {
      const endpointId = target.endpoint.id as string;
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
    const record = this.registry.get(item.endpointId);
    if (record?.endpoint.status !== 'enabled') {
      this.options.log?.(
        `webhook ${item.eventType} ${item.eventId}: endpoint ${item.endpointId} is gone or disabled; delivery abandoned`,
      );
      return;
    }
    const url = record.endpoint.url as string;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(item.payload, record.secret),
        },
        body: item.payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
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
    if (delivered) this.outcomes.get(item.eventId)?.set(item.endpointId, true);
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delivered || delay === undefined) return;
    this.track(sleep(delay).then(() => this.attempt(item, attempt + 1)));
  }
}
