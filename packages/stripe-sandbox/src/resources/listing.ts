import { parameterInvalid, resourceMissing } from '../http/errors';
import type { Params } from '../http/params';
import type { StripeObject } from '../objects/fixtures';
import type { SandboxStore } from '../state/store';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before'] as const;

/**
 * A Stripe list object over `items` (newest first), with cursor pagination. With
 * `matches`, only matching items are listed, but a cursor is found among all of them:
 * Stripe's cursor is a position, so an object that stopped matching (an event whose
 * deliveries succeeded meanwhile) still marks where the next page starts.
 */
export function listObject(
  url: string,
  items: StripeObject[],
  params: Params,
  matches: (item: StripeObject) => boolean = () => true,
): StripeObject {
  const limit = params.integer('limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw parameterInvalid(
      'ending_before',
      'You may only specify one of starting_after and ending_before.',
    );
  }
  const position = (id: string, param: string): number => {
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) throw resourceMissing('object', id, param);
    return index;
  };
  if (endingBefore !== undefined) {
    // The page just before the cursor, still newest first (the SDK iterates it backwards).
    const before = items.slice(0, position(endingBefore, 'ending_before')).filter(matches);
    const page = before.slice(Math.max(0, before.length - limit));
    return { object: 'list', data: page, has_more: before.length > page.length, url };
  }
  const start = startingAfter === undefined ? 0 : position(startingAfter, 'starting_after') + 1;
  const after = items.slice(start).filter(matches);
  const page = after.slice(0, limit);
  return { object: 'list', data: page, has_more: after.length > page.length, url };
}

/**
 * A list's equality filters (`customer=cus_1&status=open`): an object matches when each
 * field equals the value given; a filter not given (undefined) matches every object.
 */
export const withFields =
  (filters: Readonly<Record<string, unknown>>) =>
  (object: StripeObject): boolean =>
    Object.entries(filters).every(
      ([field, value]) => value === undefined || object[field] === value,
    );

/**
 * `expand[]`: replaces id strings at the given dotted paths with the objects they name
 * (`customer`, `data.subscription`, `subscription.latest_invoice`, ...), on a copy.
 */
export function expand(
  object: StripeObject,
  paths: readonly string[],
  store: SandboxStore,
): StripeObject {
  const result = structuredClone(object);
  for (const path of paths) expandPath(result, path.split('.'), store);
  return result;
}

function expandPath(target: unknown, segments: string[], store: SandboxStore): void {
  if (target === null || typeof target !== 'object') return;
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (Array.isArray(target)) {
    for (const item of target) expandPath(item, segments, store);
    return;
  }
  const record = target as Record<string, unknown>;
  if (head === 'data' && Array.isArray(record.data) && rest.length > 0) {
    for (const item of record.data) expandPath(item, rest, store);
    return;
  }
  let value = record[head];
  if (typeof value === 'string') {
    const found = store.byId(value);
    if (found) record[head] = value = structuredClone(found);
  }
  if (rest.length > 0) expandPath(value, rest, store);
}
