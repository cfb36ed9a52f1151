import type { StripeSandbox } from 'stripe-sandbox';

/** The sandbox keeps this many requests at most, then drops the oldest (its `state.ts`). */
const LOG_CAPACITY = 50_000;

/** What Stripe saw of the burst, by endpoint: admitted calls and refusals (429). */
export interface StripeTraffic {
  /** `POST /v1/checkout/sessions` and the like, ids replaced by `{id}`. */
  readonly endpoints: ReadonlyMap<string, { readonly admitted: number; readonly refused: number }>;
  /** Admitted calls in each whole second of the sending, per endpoint and overall. */
  readonly perSecond: readonly ReadonlyMap<string, number>[];
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
  const marks = [first];
  const timer = setInterval(() => marks.push(log.length), 1000);
  return {
    stop: () => {
      clearInterval(timer);
      // The log's indexes hold only while it never dropped an entry.
      if (log.length >= LOG_CAPACITY) throw new Error('the sandbox request log overflowed');
      return traffic(sandbox, first, marks);
    },
  };
}

function traffic(sandbox: StripeSandbox, first: number, marks: readonly number[]): StripeTraffic {
  const log = sandbox.state.requests;
  const endpoints = new Map<string, { admitted: number; refused: number }>();
  for (const record of log.slice(first)) {
    const key = endpointOf(record.method, record.path);
    const seen = endpoints.get(key) ?? { admitted: 0, refused: 0 };
    if (record.status === 429) seen.refused++;
    else seen.admitted++;
    endpoints.set(key, seen);
  }
  const perSecond: Map<string, number>[] = [];
  for (let second = 1; second < marks.length; second++) {
    const counts = new Map<string, number>([[ALL_ENDPOINTS, 0]]);
    for (const record of log.slice(marks[second - 1], marks[second])) {
      if (record.status === 429) continue;
      const key = endpointOf(record.method, record.path);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      counts.set(ALL_ENDPOINTS, (counts.get(ALL_ENDPOINTS) ?? 0) + 1);
    }
    perSecond.push(counts);
  }
  return { endpoints, perSecond };
}
