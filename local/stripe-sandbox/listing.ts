import { parameterInvalid, resourceMissing } from './errors';
import type { StripeObject } from './fixtures';
import type { Params } from './params';
import type { SandboxStore } from './store';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before'] as const;

/** A Stripe list object over `items` (newest first), with cursor pagination. */
export function listObject(url: string, items: StripeObject[], params: Params): StripeObject {
  const limit = params.integer('limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw parameterInvalid(
      'ending_before',
      'You may only specify one of starting_after and ending_before.',
    );
  }
  let start = 0;
  let end = items.length;
  if (startingAfter !== undefined) {
    const index = items.findIndex((item) => item.id === startingAfter);
    if (index < 0) throw resourceMissing('object', startingAfter, 'starting_after');
    start = index + 1;
  } else if (endingBefore !== undefined) {
    const index = items.findIndex((item) => item.id === endingBefore);
    if (index < 0) throw resourceMissing('object', endingBefore, 'ending_before');
    end = index;
    start = Math.max(0, end - limit);
  }
  const page = items.slice(start, Math.min(end, start + limit));
  const hasMore = endingBefore !== undefined ? start > 0 : start + page.length < end;
  return { object: 'list', data: page, has_more: hasMore, url };
}

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
