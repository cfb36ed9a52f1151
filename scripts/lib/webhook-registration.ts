import type Stripe from 'stripe';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../lambda/stripe-events/billing-event-mapping';
import { STRIPE_API_VERSION } from '../../lambda/shared/stripe-api-version';
import { CommandFailedError } from './cli';

/** The metadata key that marks an endpoint as this service's: its value is the stack's name. */
export const ENDPOINT_OWNER_METADATA_KEY = 'stripe_service';

export interface RegistrationRequest {
  /** The service's webhook URL (the stack's `WebhookUrl` output). */
  readonly url: string;
  /** The stack's name: marks the endpoint, so a changed URL still finds it. */
  readonly serviceName: string;
  /**
   * Create a new endpoint (a new signing secret) and delete the old one: how the secret is
   * rolled, and how the API version is changed (Stripe cannot change an endpoint's).
   */
  readonly roll: boolean;
}

export interface EndpointView {
  readonly id: string;
  readonly url: string;
  readonly enabledEvents: readonly string[];
  readonly apiVersion: string | null;
  readonly status: string;
}

export interface RegistrationResult {
  readonly action: 'created' | 'updated' | 'unchanged' | 'rolled';
  readonly endpoint: EndpointView;
  /** The new endpoint's signing secret: Stripe returns it only when an endpoint is created. */
  readonly secret?: string;
  /** Endpoints removed: the rolled-over one, and duplicates for the same URL or service. */
  readonly deleted: readonly string[];
}

/** The events the endpoint sends: exactly the types the mapper handles, in one order. */
const REGISTERED_EVENTS: readonly string[] = [...HANDLED_STRIPE_EVENT_TYPES].sort();

const sameEvents = (a: readonly string[]): boolean =>
  a.length === REGISTERED_EVENTS.length &&
  [...a].sort().every((t, i) => t === REGISTERED_EVENTS[i]);

const view = (endpoint: Stripe.WebhookEndpoint): EndpointView => ({
  id: endpoint.id,
  url: endpoint.url,
  enabledEvents: endpoint.enabled_events,
  apiVersion: endpoint.api_version,
  status: endpoint.status,
});

/**
 * Creates or updates the service's webhook endpoint, idempotently: the endpoint is found
 * by the metadata that marks it as this service's, else by its URL; running it twice
 * leaves one endpoint (duplicates found for the service or the URL are deleted).
 *
 * `enabled_events` is exactly `HANDLED_STRIPE_EVENT_TYPES` and `api_version` the pinned
 * `STRIPE_API_VERSION`. Stripe cannot change an existing endpoint's API version, and
 * returns the signing secret only when it creates one: both need `roll`, which creates a
 * new endpoint and deletes the old ones (their pending retries are not lost: the
 * reconciliation walks Stripe's events, not its deliveries).
 */
export async function registerWebhookEndpoint(
  stripe: Stripe,
  request: RegistrationRequest,
): Promise<RegistrationResult> {
  if (!/^https?:\/\/[^\s]+$/.test(request.url) || !URL.canParse(request.url)) {
    throw new CommandFailedError(`--url must be an absolute http(s) URL (got "${request.url}").`);
  }
  const all: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) all.push(endpoint);
  const ours = (e: Stripe.WebhookEndpoint) =>
    e.metadata[ENDPOINT_OWNER_METADATA_KEY] === request.serviceName;
  // The service's own first (newest first, as Stripe lists), then any other at the URL.
  const candidates = [...all.filter(ours), ...all.filter((e) => !ours(e) && e.url === request.url)];
  const settings = {
    url: request.url,
    enabled_events: [...REGISTERED_EVENTS] as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
    description: `${request.serviceName}: billing events (managed by npm run stripe:webhook)`,
    metadata: { [ENDPOINT_OWNER_METADATA_KEY]: request.serviceName },
  };

  const [keep, ...duplicates] = candidates;
  if (keep === undefined || request.roll) {
    const created = await stripe.webhookEndpoints.create({
      ...settings,
      enabled_events: settings.enabled_events,
      api_version: STRIPE_API_VERSION,
    });
    if (created.secret === undefined) {
      throw new CommandFailedError(`Stripe created ${created.id} but returned no signing secret.`);
    }
    const deleted = await deleteAll(stripe, candidates);
    return {
      action: keep === undefined ? 'created' : 'rolled',
      endpoint: view(created),
      secret: created.secret,
      deleted,
    };
  }

  if (keep.api_version !== STRIPE_API_VERSION) {
    throw new CommandFailedError(
      `Endpoint ${keep.id} sends events in API version ${keep.api_version ?? "the account's default"}, ` +
        `the service speaks ${STRIPE_API_VERSION}, and Stripe cannot change an endpoint's version: ` +
        'run again with --roll --store to replace it with a new endpoint (and signing secret).',
    );
  }
  const upToDate =
    keep.url === settings.url &&
    sameEvents(keep.enabled_events) &&
    keep.status === 'enabled' &&
    keep.description === settings.description &&
    keep.metadata[ENDPOINT_OWNER_METADATA_KEY] === request.serviceName;
  const endpoint = upToDate
    ? keep
    : await stripe.webhookEndpoints.update(keep.id, { ...settings, disabled: false });
  const deleted = await deleteAll(stripe, duplicates);
  return { action: upToDate ? 'unchanged' : 'updated', endpoint: view(endpoint), deleted };
}

async function deleteAll(
  stripe: Stripe,
  endpoints: readonly Stripe.WebhookEndpoint[],
): Promise<string[]> {
  const deleted: string[] = [];
  for (const endpoint of endpoints) {
    await stripe.webhookEndpoints.del(endpoint.id);
    deleted.push(endpoint.id);
  }
  return deleted;
}
