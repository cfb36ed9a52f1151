import type { EventBridgeDelivery } from '../delivery/event-destinations';
import type { RateLimits } from '../http/rate-limits';

/**
 * The API version the sandbox answers in unless told otherwise: the version its objects'
 * shapes follow (the fixtures are Stripe's examples for it, and the sandbox's tests run
 * the `stripe` package built for it). A service that pins its own version passes it
 * (`apiVersion`) so its events and webhook endpoints say the same; standalone, this is
 * what stripe-node of that release sends, so events and endpoints match the client.
 */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

/** Delays before each delivery retry; short so local flows settle fast (Stripe's are hours). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 4_000, 15_000];

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

export interface StripeSandboxOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The signing secret of the `webhookEndpoints` (each API-created endpoint has its own). */
  readonly webhookSecret: string;
  /** The default endpoints: listed by `/v1/webhook_endpoints` like any other, `*` events. */
  readonly webhookEndpoints?: string[];
  /**
   * The Stripe API version events, webhook endpoints and the `Stripe-Version` header say
   * (a request's own `Stripe-Version` is echoed). Default: `DEFAULT_API_VERSION`. Only
   * the label changes: objects keep that version's shapes, so pass the version your code
   * pins to have the sandbox agree with it, not to get an older version's shapes.
   */
  readonly apiVersion?: string;
  /** Delays before each delivery retry (default `DEFAULT_RETRY_DELAYS_MS`). */
  readonly retryDelaysMs?: readonly number[];
  readonly deliveryTimeoutMs?: number;
  /**
   * Keep the state in this directory (created if missing) across restarts: loaded at start
   * when saved there before, saved a moment after each change and on stop. A file it
   * cannot read fails the start. Default: in memory only, nothing written.
   */
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
  /**
   * Puts the events of `amazon_eventbridge` event destinations on a bus (Amazon
   * EventBridge's event: `{version, id, 'detail-type', source:
   * 'aws.partner/stripe.com/<destination id>', account, time, region, resources, detail}`).
   * A rejection is a failed delivery, retried with the webhook backoff. Without it those
   * destinations' deliveries fail. `state.delivery.configure({ eventBridgeDelivery })`
   * sets it later.
   */
  readonly eventBridgeDelivery?: EventBridgeDelivery;
  /**
   * Stripe's rate limits on the API (`/v1`, `/v2`): default Stripe's test-mode limits
   * (`STRIPE_TEST_MODE_RATE_LIMITS`: 25 requests a second overall and per endpoint), so
   * every run meets them as a real sandbox would; other numbers, or `false` to lift them.
   * `POST /_sandbox/rate-limits` changes them while it runs.
   */
  readonly rateLimits?: RateLimits | false;
}
