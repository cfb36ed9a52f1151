import {
  type EventDestinationRecord,
  iso,
  MAX_EVENT_DESTINATIONS,
  THIN_V1_PREFIX,
} from '../delivery/event-destinations';
import { parameterInvalid, parameterMissing, resourceMissing } from '../http/errors';
import { mergeMetadata, Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { nowSeconds } from '../objects/clock';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { enabledEvents, refuseOverLimit, webhookUrl } from './endpoint-params';

/**
 * `/v2/core/event_destinations` and `/v2/core/events/:id`. The v2 API takes JSON bodies
 * (stripe-node sends `application/json` for `/v2` paths), lists as `{data,
 * next_page_url, previous_page_url}`, and shows a destination's webhook URL and signing
 * secret only when `include` asks for them (the secret only when creating).
 */

const CREATE_PARAMS = [
  'name',
  'description',
  'type',
  'event_payload',
  'enabled_events',
  'snapshot_api_version',
  'events_from',
  'metadata',
  'include',
  'webhook_endpoint',
  'amazon_eventbridge',
  'azure_event_grid',
];
const UPDATE_PARAMS = [
  'name',
  'description',
  'enabled_events',
  'metadata',
  'include',
  'webhook_endpoint',
];
const LIST_PARAMS = ['limit', 'page', 'include'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** An AWS account id: 12 digits. */
const AWS_ACCOUNT = /^\d{12}$/;
/** An AWS region name (`eu-west-1`); `local` for a local stand-in. */
const AWS_REGION = /^[a-z0-9-]+$/;

const NO_AZURE = 'The sandbox does not model Azure Event Grid destinations.';

function requireDestination(context: ApiContext): EventDestinationRecord {
  const id = pathParam(context, 'id');
  const record = context.state.delivery.destinations.get(id);
  if (!record) throw resourceMissing('event destination', id);
  return record;
}

/** What `include` asks to show: `webhook_endpoint.url`, and at creation its signing secret. */
function includes(params: Params, allowed: readonly string[]): Set<string> {
  const asked = params.strings('include') ?? [];
  asked.forEach((value, i) => {
    if (!allowed.includes(value))
      throw parameterInvalid(`include[${i}]`, `Invalid include[${i}]: ${value}`);
  });
  return new Set(asked);
}

/** The destination as the API shows it: the webhook URL and secret only when included. */
function shown(record: EventDestinationRecord, include: ReadonlySet<string>): StripeObject {
  const destination = structuredClone(record.destination);
  if (destination.webhook_endpoint !== null) {
    destination.webhook_endpoint = {
      signing_secret: include.has('webhook_endpoint.signing_secret') ? record.secret : null,
      url: include.has('webhook_endpoint.url') ? record.url : null,
    };
  }
  return destination;
}

/**
 * Thin destinations name v1 events with the `v1.` prefix (and take v2 events); snapshot
 * destinations take v1 event types as they are.
 */
const destinationEvents = (params: Params, payload: string): string[] | undefined =>
  enabledEvents(params, (type, param) => {
    const versioned = type.startsWith(THIN_V1_PREFIX) || type.startsWith('v2.');
    if (payload === 'thin' && !versioned && type !== '*') {
      throw parameterInvalid(
        param,
        `A thin event destination names v1 events with the v1. prefix (v1.${type}).`,
      );
    }
    if (payload === 'snapshot' && versioned)
      throw parameterInvalid(param, `A snapshot event destination takes v1 event types (${type}).`);
  });

const oneOf = <T extends string>(params: Params, name: string, values: readonly T[]): T => {
  const value = params.string(name);
  if (value === undefined) throw parameterMissing(name);
  if (!(values as readonly string[]).includes(value))
    throw parameterInvalid(name, `${name} must be one of ${values.join(', ')}.`);
  return value as T;
};

function destinationType(params: Params): 'webhook_endpoint' | 'amazon_eventbridge' {
  const type = oneOf(params, 'type', [
    'webhook_endpoint',
    'amazon_eventbridge',
    'azure_event_grid',
  ]);
  if (type === 'azure_event_grid') throw parameterInvalid('type', NO_AZURE);
  return type;
}

/** The version snapshot events are rendered in (the sandbox's only one); thin events have none. */
function snapshotApiVersion(params: Params, payload: string, apiVersion: string): string | null {
  const asked = params.string('snapshot_api_version') ?? null;
  if (payload === 'thin' && asked !== null) {
    throw parameterInvalid(
      'snapshot_api_version',
      'Thin events are not pinned to an API version: snapshot_api_version is for snapshot destinations.',
    );
  }
  // As for webhook endpoints: the sandbox renders one version only, and says so.
  if (asked !== null && asked !== apiVersion) {
    throw parameterInvalid(
      'snapshot_api_version',
      `The sandbox renders events in ${apiVersion} only (asked for ${asked}).`,
    );
  }
  return payload === 'snapshot' ? (asked ?? apiVersion) : null;
}

/** The AWS account and region of an `amazon_eventbridge` destination. */
function eventBridgeAccount(aws: Params): { awsAccountId: string; awsRegion: string } {
  const awsAccountId = aws.requiredString('aws_account_id');
  const awsRegion = aws.requiredString('aws_region');
  if (!AWS_ACCOUNT.test(awsAccountId))
    throw parameterInvalid('amazon_eventbridge[aws_account_id]', 'An AWS account id is 12 digits.');
  if (!AWS_REGION.test(awsRegion))
    throw parameterInvalid('amazon_eventbridge[aws_region]', `Invalid AWS region: ${awsRegion}`);
  return { awsAccountId, awsRegion };
}

/** Where the destination's events go: the webhook URL, or the EventBridge account. */
function destinationTarget(
  params: Params,
  type: 'webhook_endpoint' | 'amazon_eventbridge',
): { webhookUrl?: string; eventBridge?: { awsAccountId: string; awsRegion: string } } {
  const webhook = params.hash('webhook_endpoint', ['url']);
  const aws = params.hash('amazon_eventbridge', ['aws_account_id', 'aws_region']);
  if (params.has('azure_event_grid')) throw parameterInvalid('azure_event_grid', NO_AZURE);
  if (type === 'webhook_endpoint') {
    const url = webhookUrl(webhook, 'webhook_endpoint[url]');
    if (url === undefined) throw parameterMissing('webhook_endpoint[url]');
    if (aws) throw parameterInvalid('amazon_eventbridge', 'Only for type amazon_eventbridge.');
    return { webhookUrl: url };
  }
  if (webhook) throw parameterInvalid('webhook_endpoint', 'Only for type webhook_endpoint.');
  if (!aws) throw parameterMissing('amazon_eventbridge');
  return { eventBridge: eventBridgeAccount(aws) };
}

export const createEventDestination: ApiHandler = (context) => {
  const params = new Params(context.raw, CREATE_PARAMS);
  const { state } = context;
  const name = params.requiredString('name');
  const type = destinationType(params);
  const eventPayload = oneOf(params, 'event_payload', ['snapshot', 'thin']);
  const events = destinationEvents(params, eventPayload);
  if (events === undefined) throw parameterMissing('enabled_events');
  const snapshotVersion = snapshotApiVersion(params, eventPayload, state.apiVersion);
  const eventsFrom = params.strings('events_from');
  if (eventsFrom?.some((from) => from !== '@self'))
    throw parameterInvalid('events_from', 'The sandbox has one account: events_from is @self.');
  const include = includes(params, ['webhook_endpoint.signing_secret', 'webhook_endpoint.url']);
  const target = destinationTarget(params, type);
  const destinations = state.delivery.destinations;
  refuseOverLimit(destinations.size, MAX_EVENT_DESTINATIONS, 'event destinations');
  const record = destinations.add(
    {
      name,
      description: params.string('description') ?? '',
      type,
      eventPayload,
      enabledEvents: events,
      snapshotApiVersion: snapshotVersion,
      metadata: mergeMetadata({}, params.metadata()),
      ...target,
    },
    nowSeconds(),
  );
  return shown(record, include);
};

export const retrieveEventDestination: ApiHandler = (context) => {
  const params = new Params(context.raw, ['include']);
  return shown(requireDestination(context), includes(params, ['webhook_endpoint.url']));
};

export const updateEventDestination: ApiHandler = (context) => {
  const params = new Params(context.raw, UPDATE_PARAMS);
  const record = requireDestination(context);
  const { destination } = record;
  const include = includes(params, ['webhook_endpoint.url']);
  const events = destinationEvents(params, destination.event_payload as string);
  const url = webhookUrl(params.hash('webhook_endpoint', ['url']), 'webhook_endpoint[url]');
  if (url !== undefined && destination.type !== 'webhook_endpoint')
    throw parameterInvalid('webhook_endpoint', 'Only for type webhook_endpoint.');
  const name = params.string('name');
  const description = params.string('description');
  if (name !== undefined) destination.name = name;
  if (description !== undefined) destination.description = description;
  if (events !== undefined) destination.enabled_events = events;
  if (url !== undefined) record.url = url;
  destination.metadata = mergeMetadata(
    destination.metadata as Record<string, string>,
    params.metadata(),
  );
  destination.updated = iso(nowSeconds());
  return shown(record, include);
};

/** `POST .../disable` and `.../enable`: a disabled destination gets no delivery attempts. */
const setStatus =
  (status: 'enabled' | 'disabled'): ApiHandler =>
  (context) => {
    new Params(context.raw, []);
    const record = requireDestination(context);
    record.destination.status = status;
    record.destination.status_details =
      status === 'disabled' ? { disabled: { reason: 'user' } } : null;
    record.destination.updated = iso(nowSeconds());
    return shown(record, new Set());
  };

export const disableEventDestination = setStatus('disabled');
export const enableEventDestination = setStatus('enabled');

/** Newest first; `page` is the token a previous page's `next_page_url` carries. */
export const listEventDestinations: ApiHandler = (context) => {
  const params = new Params(context.raw, LIST_PARAMS);
  const limit = params.integer('limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
  const include = includes(params, ['webhook_endpoint.url']);
  const all = context.state.delivery.destinations.list();
  const page = params.string('page');
  let start = 0;
  if (page !== undefined) {
    start = all.findIndex((record) => record.destination.id === page);
    if (start < 0) throw parameterInvalid('page', `Invalid page: ${page}`);
  }
  const items = all.slice(start, start + limit);
  const next = all[start + limit];
  const query = (token: string) => {
    const search = new URLSearchParams({ limit: String(limit), page: token });
    [...include].forEach((value, i) => {
      search.set(`include[${i}]`, value);
    });
    return `/v2/core/event_destinations?${search.toString()}`;
  };
  const previous = start > 0 ? all[Math.max(0, start - limit)] : undefined;
  return {
    data: items.map((record) => shown(record, include)),
    next_page_url: next ? query(next.destination.id as string) : null,
    previous_page_url: previous ? query(previous.destination.id as string) : null,
  };
};

export const deleteEventDestination: ApiHandler = (context) => {
  new Params(context.raw, []);
  const record = requireDestination(context);
  const id = record.destination.id as string;
  context.state.delivery.destinations.remove(id);
  return { id, object: 'v2.core.event_destination' };
};

/** `GET /v2/core/events/:id`: a thin event the sandbox sent (what `fetchEvent()` reads). */
export const retrieveV2Event: ApiHandler = (context) => {
  new Params(context.raw, []);
  const id = pathParam(context, 'id');
  const thin = context.state.delivery.thinEvents.get(id);
  if (!thin) throw resourceMissing('event', id);
  return structuredClone(thin);
};
