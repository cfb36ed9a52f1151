import type { StripeObject } from '../objects/fixtures';
import { stripeId } from '../objects/ids';
import { nowSeconds } from '../objects/clock';
import { Registry } from './registry';

/** Stripe allows 16 webhook endpoints per account and mode. */
export const MAX_WEBHOOK_ENDPOINTS = 16;

/** The description the start-option endpoints carry, so a listing shows where they come from. */
export const IMPLICIT_ENDPOINT_DESCRIPTION =
  'Sandbox default endpoint (start option webhookEndpoints / delivery.configure)';

/** A webhook endpoint and what Stripe keeps beside it. */
export interface WebhookEndpointRecord {
  /** The `webhook_endpoint` as retrieve and list return it (no `secret`), changed in place. */
  readonly endpoint: StripeObject;
  /** The `whsec_` secret every delivery to this endpoint is signed with. */
  secret: string;
  /**
   * Configured by the sandbox's start options (`webhookEndpoints` + `webhookSecret`) or
   * `delivery.configure`, not created through the API: the local stack's own endpoint.
   * It is an endpoint like any other (listed, updatable, deletable), and `reset`
   * restores it as configured.
   */
  readonly implicit: boolean;
}

interface NewWebhookEndpoint {
  readonly url: string;
  readonly enabledEvents: readonly string[];
  readonly apiVersion: string | null;
  readonly description: string | null;
  readonly metadata: Record<string, string>;
}

/** Does an endpoint's `enabled_events` (`*` or exact types) take this event type? */
export const subscribes = (enabledEvents: readonly string[], type: string): boolean =>
  enabledEvents.includes('*') || enabledEvents.includes(type);

/** The account's webhook endpoints, in creation order. */
export class WebhookEndpointRegistry extends Registry<WebhookEndpointRecord> {
  /** @param implicitApiVersion the version the start-option endpoints render events in. */
  constructor(private readonly implicitApiVersion: string | null) {
    super((record) => record.endpoint.id as string);
  }

  add(fields: NewWebhookEndpoint, secret = stripeId('whsec', 32), implicit = false) {
    const endpoint: StripeObject = {
      id: stripeId('we', 24),
      object: 'webhook_endpoint',
      api_version: fields.apiVersion,
      application: null,
      created: nowSeconds(),
      description: fields.description,
      enabled_events: [...fields.enabledEvents],
      livemode: false,
      metadata: { ...fields.metadata },
      status: 'enabled',
      url: fields.url,
    };
    return this.put({ endpoint, secret, implicit });
  }

  /** Where an event of `type` goes: every enabled endpoint subscribed to it. */
  subscribedTo(type: string): WebhookEndpointRecord[] {
    return [...this.records.values()].filter(
      (record) =>
        record.endpoint.status === 'enabled' &&
        subscribes(record.endpoint.enabled_events as string[], type),
    );
  }

  /** The start-option endpoints' URLs. */
  implicitUrls(): string[] {
    return [...this.records.values()]
      .filter((r) => r.implicit)
      .map((r) => r.endpoint.url as string);
  }

  /**
   * Sets the start-option endpoints: one per URL, all signed with `secret`. An endpoint
   * whose URL stays keeps its id and settings (a test may have disabled it), the others go.
   */
  setImplicit(urls: readonly string[], secret: string): void {
    for (const [id, record] of this.records) {
      if (record.implicit && !urls.includes(record.endpoint.url as string)) this.records.delete(id);
    }
    for (const url of urls) {
      if (this.implicitUrls().includes(url)) continue;
      this.add(
        {
          url,
          enabledEvents: ['*'],
          apiVersion: this.implicitApiVersion,
          description: IMPLICIT_ENDPOINT_DESCRIPTION,
          metadata: {},
        },
        secret,
        true,
      );
    }
    for (const record of this.records.values()) if (record.implicit) record.secret = secret;
  }

  /**
   * The API-created endpoints, oldest first: what a data directory keeps (the start-option
   * ones come from the options, set after `restore`).
   */
  override saved(): WebhookEndpointRecord[] {
    return super.saved().filter((record) => !record.implicit);
  }

  /** Forgets every endpoint, then restores the start-option ones as configured. */
  reset(urls: readonly string[], secret: string): void {
    this.clear();
    this.setImplicit(urls, secret);
  }
}
