import { parameterNotModelled, resourceMissing } from '../http/errors';
import { Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import type { ObjectKind } from '../state/store';
import { type ApiContext, type ApiHandler, pathParam } from './api-context';
import { expand, LIST_PARAMS, listObject, withFields } from './listing';

/**
 * What every resource's endpoints share: finding the object a request names, answering
 * an object as asked (`expand[]`), the read endpoints of objects the flows create, and
 * refusing by name what the sandbox does not model.
 */

/** Retrieves a live object or answers Stripe's 404 (a 400 when a parameter names it). */
export function requireObject(
  context: ApiContext,
  kind: ObjectKind,
  id: string,
  label: string = kind,
  param = 'id',
): StripeObject {
  const object = context.state.store.get(kind, id);
  if (!object || object.deleted === true) throw resourceMissing(label, id, param);
  return object;
}

/** The customer a request's required `customer` parameter names (a 400 when it is gone). */
export const requiredCustomer = (context: ApiContext, params: Params): StripeObject =>
  requireObject(context, 'customer', params.requiredString('customer'), 'customer', 'customer');

/** The customer an optional `customer` parameter names, if given (a 400 when it is gone). */
export function optionalCustomer(context: ApiContext, params: Params): StripeObject | undefined {
  const id = params.string('customer');
  return id === undefined
    ? undefined
    : requireObject(context, 'customer', id, 'customer', 'customer');
}

/** The object as the request asked for it: with `expand[]` applied, on a copy. */
export const respond = (context: ApiContext, object: StripeObject, params: Params): StripeObject =>
  expand(object, params.expand(), context.state.store);

/** `GET /v1/<resource>/:id` of a live object (the object looked up before the parameters). */
export const retrieveLive =
  (kind: ObjectKind, label: string = kind): ApiHandler =>
  (context) =>
    respond(
      context,
      requireObject(context, kind, pathParam(context, 'id'), label),
      new Params(context.raw, []),
    );

/** Retrieve and list endpoints of objects the sandbox creates in flows, filtered by fields. */
export function readEndpoints(
  kind: ObjectKind,
  url: string,
  filters: string[],
): { retrieve: ApiHandler; list: ApiHandler } {
  return {
    retrieve: (context) => {
      const params = new Params(context.raw, []);
      return respond(context, requireObject(context, kind, pathParam(context, 'id')), params);
    },
    list: (context) => {
      const params = new Params(context.raw, [...LIST_PARAMS, ...filters]);
      const values = Object.fromEntries(filters.map((f) => [f, params.string(f)] as const));
      const items = context.state.store.list(kind).filter(withFields(values));
      return respond(context, listObject(url, items, params), params);
    },
  };
}

/**
 * Refuses by name the parameters whose behaviour the sandbox does not model
 * (`notModelled`: parameter -> what it would do); `emptyAllowed` lets `name=` (clearing
 * it, which changes nothing here) through.
 */
export function refuseNotModelled(
  params: Params,
  notModelled: Readonly<Record<string, string>>,
  options: { readonly emptyAllowed?: boolean } = {},
): void {
  for (const [name, what] of Object.entries(notModelled)) {
    if (!params.has(name) || (options.emptyAllowed === true && params.raw[name] === '')) continue;
    throw parameterNotModelled(name, what);
  }
}

/** `automatic_tax[enabled]=true` (invoices, subscriptions): the sandbox computes no tax. */
export function refuseAutomaticTax(params: Params): void {
  if (params.hash('automatic_tax', ['enabled', 'liability'])?.boolean('enabled') === true)
    throw parameterNotModelled('automatic_tax[enabled]', 'tax');
}

/** Non-empty `discounts` (invoices, subscriptions): the sandbox applies no discounts. */
export function refuseDiscounts(params: Params): void {
  if ((params.strings('discounts') ?? []).length > 0)
    throw parameterNotModelled('discounts', 'discounts');
}

/** An absolute http(s) URL, the only kind Stripe sends a buyer or an event to. */
export const isHttpUrl = (value: string): boolean =>
  URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
