import { MAX_WEBHOOK_ENDPOINTS, type WebhookEndpointRecord } from '../delivery/webhook-endpoints';
import { parameterInvalid, parameterMissing, resourceMissing } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { enabledEvents, refuseOverLimit, webhookUrl } from './endpoint-params';
import { LIST_PARAMS, listObject } from './listing';

/** `/v1/webhook_endpoints`: the account's webhook endpoints, each with its own `whsec_` secret. */

const CREATE_PARAMS = [
  'url',
  'enabled_events',
  'api_version',
  'connect',
  'description',
  'metadata',
];
const UPDATE_PARAMS = ['url', 'enabled_events', 'description', 'disabled', 'metadata'];

function requireEndpoint(context: ApiContext): WebhookEndpointRecord {
  const id = pathParam(context, 'id');
  const record = context.state.delivery.registry.get(id);
  if (!record) throw resourceMissing('webhook endpoint', id);
  return record;
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
  refuseOverLimit(registry.size, MAX_WEBHOOK_ENDPOINTS, 'webhook endpoints');
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
