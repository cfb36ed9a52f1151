import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import {
  parameterInvalid,
  parameterMissing,
  resourceMissing,
  StripeApiError,
} from '../http/errors';
import type { StripeObject } from '../objects/fixtures';
import { LIST_PARAMS, listObject } from './listing';
import { mergeMetadata, Params } from '../http/params';
import { MAX_WEBHOOK_ENDPOINTS, type WebhookEndpointRecord } from '../delivery/webhook-endpoints';

const CREATE_PARAMS = [
  'url',
  'enabled_events',
  'api_version',
  'connect',
  'description',
  'metadata',
];
const UPDATE_PARAMS = ['url', 'enabled_events', 'description', 'disabled', 'metadata'];

/** `*` or an event type's form (`customer.subscription.updated`). */
const EVENT_TYPE = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)+)$/;

function requireEndpoint(context: ApiContext): WebhookEndpointRecord {
  const id = pathParam(context, 'id');
  const record = context.state.delivery.registry.get(id);
  if (!record) throw resourceMissing('webhook endpoint', id);
  return record;
}

/**
 * Stripe takes any reachable http(s) URL in test mode. Unlike Stripe, localhost is fine:
 * the sandbox's whole point is delivering to a local service.
 */
function webhookUrl(params: Params): string | undefined {
  const url = params.string('url');
  if (url === undefined) return undefined;
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol))
    throw parameterInvalid('url', `Invalid URL: ${url}`);
  return url;
}

function enabledEvents(params: Params): string[] | undefined {
  const events = params.strings('enabled_events');
  if (events === undefined) return undefined;
  if (events.length === 0)
    throw parameterInvalid('enabled_events', 'enabled_events must list at least one event.');
  events.forEach((type, i) => {
    if (!EVENT_TYPE.test(type))
      throw parameterInvalid(`enabled_events[${i}]`, `Invalid enabled_events[${i}]: ${type}`);
  });
  return [...new Set(events)];
}

/** Retrieve, update and list never show the secret: Stripe returns it only at creation. */
const shown = (record: WebhookEndpointRecord): StripeObject => structuredClone(record.endpoint);

export const createWebhookEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  const { state } = context;
  const url = webhookUrl(params);
  if (url === undefined) throw parameterMissing('url');
  const events = enabledEvents(params);
  if (events === undefined) throw parameterMissing('enabled_events');
  const apiVersion = params.string('api_version') ?? null;
  // The sandbox renders objects in one version only; a registration asking for another
  // would silently get shapes it did not ask for, so it is told.
  if (apiVersion !== null && apiVersion !== state.apiVersion) {
    throw parameterInvalid(
      'api_version',
      `The sandbox renders events in ${state.apiVersion} only (asked for ${apiVersion}).`,
    );
  }
  if (params.boolean('connect') === true)
    throw parameterInvalid('connect', 'The sandbox does not model Connect endpoints.');
  const registry = state.delivery.registry;
  if (registry.size >= MAX_WEBHOOK_ENDPOINTS) {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      `You have reached the maximum of ${MAX_WEBHOOK_ENDPOINTS} test webhook endpoints.`,
    );
  }
  const record = registry.add({
    url,
    enabledEvents: events,
    apiVersion,
    description: params.nullableString('description') ?? null,
    metadata: mergeMetadata({}, params.metadata()),
  });
  return { ...shown(record), secret: record.secret };
};

export const retrieveWebhookEndpoint: ApiHandler = (context) => {
  new Params(context.raw, []);
  return shown(requireEndpoint(context));
};

export const updateWebhookEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, UPDATE_PARAMS);
  const record = requireEndpoint(context);
  const url = webhookUrl(params);
  const events = enabledEvents(params);
  const description = params.nullableString('description');
  const disabled = params.boolean('disabled');
  const metadata = params.metadata();
  const endpoint = record.endpoint;
  if (url !== undefined) endpoint.url = url;
  if (events !== undefined) endpoint.enabled_events = events;
  if (description !== undefined) endpoint.description = description;
  if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
  endpoint.metadata = mergeMetadata(endpoint.metadata as Record<string, string>, metadata);
  return shown(record);
};

export const listWebhookEndpoints: ApiHandler = (context) => {
  const params = new Params(context.raw, LIST_PARAMS);
  return listObject(
    '/v1/webhook_endpoints',
    context.state.delivery.registry.list().map(shown),
    params,
  );
};

export const deleteWebhookEndpoint: ApiHandler = (context) => {
  new Params(context.raw, []);
  const record = requireEndpoint(context);
  const id = record.endpoint.id as string;
  context.state.delivery.registry.remove(id);
  return { id, object: 'webhook_endpoint', deleted: true };
};
