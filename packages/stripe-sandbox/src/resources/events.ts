import { parameterInvalid, resourceMissing } from '../http/errors';
import { Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject } from './listing';
import { respond } from './shared';

/** Stripe keeps events for 30 days: older ones are neither listed nor retrievable. */
const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** `types[]` takes at most 20 types, as at Stripe. */
const MAX_TYPES = 20;

const LIST_FILTERS = ['type', 'types', 'created', 'delivery_success'];
const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * The events within retention, newest first: by `created`, and within one second by
 * creation order (the store's order), as Stripe lists them.
 */
function retainedEvents(context: ApiContext): StripeObject[] {
  return context.state.store
    .list('event')
    .filter((event) => retained(context, event))
    .sort((a, b) => (b.created as number) - (a.created as number));
}

const retained = (context: ApiContext, event: StripeObject): boolean =>
  (event.created as number) >= context.state.clock.now() - EVENT_RETENTION_SECONDS;

/** The stored event with what changes after it was sent: how many endpoints still wait. */
function current(context: ApiContext, event: StripeObject): StripeObject {
  return {
    ...event,
    pending_webhooks: context.state.delivery.pendingWebhooks(event.id as string),
  };
}

/** `type=invoice.*`: Stripe's `*` wildcard; anything else matches exactly. */
function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}

function typeFilter(params: Params): (type: string) => boolean {
  const type = params.string('type');
  const types = params.strings('types');
  if (type !== undefined && types !== undefined)
    throw parameterInvalid('types', 'You may pass either type or types, but not both.');
  if (types !== undefined) {
    if (types.length > MAX_TYPES)
      throw parameterInvalid('types', `types may contain at most ${MAX_TYPES} event types.`);
    return (t) => types.includes(t);
  }
  return type === undefined ? () => true : typeMatcher(type);
}

/** `created=<unix>` or `created[gt|gte|lt|lte]=<unix>`. */
function createdFilter(params: Params): (created: number) => boolean {
  const raw = params.raw.created;
  if (raw === undefined) return () => true;
  if (typeof raw === 'string') {
    const exact = params.integer('created');
    return (created) => created === exact;
  }
  const range = params.hash('created', RANGE_KEYS);
  const bound = (key: (typeof RANGE_KEYS)[number]) => range?.integer(key);
  const [gt, gte, lt, lte] = RANGE_KEYS.map(bound);
  return (c) =>
    (gt === undefined || c > gt) &&
    (gte === undefined || c >= gte) &&
    (lt === undefined || c < lt) &&
    (lte === undefined || c <= lte);
}

export const listEvents: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS, ...LIST_FILTERS]);
  const ofType = typeFilter(params);
  const inRange = createdFilter(params);
  const deliverySuccess = params.boolean('delivery_success');
  const delivery = context.state.delivery;
  const list = listObject(
    '/v1/events',
    retainedEvents(context),
    params,
    (event) =>
      ofType(event.type as string) &&
      inRange(event.created as number) &&
      (deliverySuccess === undefined ||
        delivery.deliverySucceeded(event.id as string) === deliverySuccess),
  );
  list.data = (list.data as StripeObject[]).map((event) => current(context, event));
  return respond(context, list, params);
};

export const retrieveEvent: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  const id = pathParam(context, 'id');
  const event = context.state.store.get('event', id);
  if (!event || !retained(context, event)) throw resourceMissing('event', id);
  return respond(context, current(context, event), params);
};
