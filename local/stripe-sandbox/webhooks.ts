import { createHmac } from 'node:crypto';
import type { StripeObject } from './fixtures';

/** One attempt to deliver one event to one endpoint. */
export interface DeliveryAttempt {
  readonly eventId: string;
  readonly eventType: string;
  readonly url: string;
  readonly attempt: number;
  /** The endpoint's HTTP status, or null when it could not be reached or timed out. */
  readonly status: number | null;
  readonly error: string | null;
  readonly at: string;
}

export interface WebhookDeliveryOptions {
  /** Signing secret; the `v1` signature is HMAC-SHA256 with it. */
  readonly secret: string;
  readonly endpoints: string[];
  /** Delays before each retry, in ms; one attempt more than its length in all. */
  readonly retryDelaysMs: readonly number[];
  readonly timeoutMs: number;
  readonly log?: (line: string) => void;
}

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
 * Delivers events to the configured endpoints as Stripe does: a signed POST per event
 * and endpoint, retried with backoff on a non-2xx answer, a timeout or a refused
 * connection. First attempts go out in event order per endpoint.
 */
export class WebhookDelivery {
  readonly attempts: DeliveryAttempt[] = [];
  private queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private generation = 0;

  constructor(private options: WebhookDeliveryOptions) {}

  get endpoints(): readonly string[] {
    return this.options.endpoints;
  }

  configure(
    update: Partial<Pick<WebhookDeliveryOptions, 'endpoints' | 'retryDelaysMs' | 'secret'>>,
  ): void {
    this.options = { ...this.options, ...update };
  }

  deliver(event: StripeObject): void {
    const payload = JSON.stringify(event, null, 2);
    for (const url of this.options.endpoints) {
      const previous = this.queues.get(url) ?? Promise.resolve();
      const generation = this.generation;
      const run = previous.then(() => this.attempt(event, payload, url, 1, generation));
      this.queues.set(url, run);
      this.track(run);
    }
  }

  /** Resolves once every delivery (retries included) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Forgets the log and abandons pending retries. */
  reset(): void {
    this.generation += 1;
    this.attempts.length = 0;
    this.queues = new Map();
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async attempt(
    event: StripeObject,
    payload: string,
    url: string,
    attempt: number,
    generation: number,
  ): Promise<void> {
    if (generation !== this.generation) return;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, this.options.secret),
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (generation !== this.generation) return;
    const eventId = String(event.id);
    const eventType = String(event.type);
    this.attempts.push({
      eventId,
      eventType,
      url,
      attempt,
      status,
      error,
      at: new Date().toISOString(),
    });
    this.options.log?.(
      `webhook ${eventType} ${eventId} -> ${url}: ${status ?? error ?? ''} (attempt ${attempt})`,
    );

    const delivered = status !== null && status >= 200 && status < 300;
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delivered || delay === undefined) return;
    // unref: a stopped sandbox's pending retries must not keep the process alive.
    const retry = new Promise<void>((resolve) => setTimeout(resolve, delay).unref()).then(() =>
      this.attempt(event, payload, url, attempt + 1, generation),
    );
    this.track(retry);
  }
}
