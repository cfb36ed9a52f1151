import type { StripeSandbox } from 'stripe-sandbox';

/** The sandbox keeps this many requests at most, then drops the oldest (its `state.ts`). */
const LOG_CAPACITY = 50_000;

/** What Stripe saw of the burst, by endpoint: admitted calls and refusals (429). */
export interface StripeTraffic {
  /** `POST /v1/checkout/sessions` and the like, ids replaced by `{id}`. */
  readonly endpoints: ReadonlyMap<string, { readonly admitted: number; readonly refused: number }>;
  /**
   * Admitted calls in each interval between two marks (about a second each; a busy event
   * loop stretches them, so each says how long it really was), per endpoint and overall.
   */
  readonly intervals: readonly {
    readonly seconds: number;
    readonly admitted: ReadonlyMap<string, number>;
  }[];
}

/** Stripe's name for an endpoint: the method and the route, whatever the object's id. */
export const endpointOf = (method: string, path: string): string =>
  `${method} ${path.replace(/\/[a-z]+_[A-Za-z0-9]+/g, '/{id}')}`;

export const ALL_ENDPOINTS = 'all endpoints';

/**
 * Watches the sandbox's request log from now: a mark every second, so the admitted calls
 * can be counted per second. `stop` returns what was seen.
 */
export function watchStripeLog(sandbox: StripeSandbox): { stop: () => StripeTraffic } {
  const log = sandbox.state.requests;
  const first = log.length;
  const marks: Mark[] = [{ at: performance.now(), index: first }];
  const timer = setInterval(() => marks.push({ at: performance.now(), index: log.length }), 1000);
  return {
    stop: () => {
      clearInterval(timer);
      // The log's indexes hold only while it never dropped an entry.
      if (log.length >= LOG_CAPACITY) throw new Error('the sandbox request log overflowed');
      return traffic(sandbox, first, marks);
    },
  };
}

interface Mark {
  readonly at: number;
  readonly index: number;
}

function traffic(sandbox: StripeSandbox, first: number, marks: readonly Mark[]): StripeTraffic {
  const log = sandbox.state.requests;
  const endpoints = new Map<string, { admitted: number; refused: number }>();
  for (const record of log.slice(first)) {
    const key = endpointOf(record.method, record.path);
    const seen = endpoints.get(key) ?? { admitted: 0, refused: 0 };
    if (record.status === 429) seen.refused++;
    else seen.admitted++;
    endpoints.set(key, seen);
  }
  const intervals: StripeTraffic['intervals'][number][] = [];
  for (const [i, mark] of marks.entries()) {
    const previous = marks[i - 1];
    if (!previous) continue;
    const counts = new Map<string, number>([[ALL_ENDPOINTS, 0]]);
    for (const record of log.slice(previous.index, mark.index)) {
      if (record.status === 429) continue;
      const key = endpointOf(record.method, record.path);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      counts.set(ALL_ENDPOINTS, (counts.get(ALL_ENDPOINTS) ?? 0) + 1);
    }
    intervals.push({ seconds: (mark.at - previous.at) / 1000, admitted: counts });
  }
  return { endpoints, intervals };
}
