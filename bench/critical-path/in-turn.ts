import type { InstrumentedHandlers } from '../local-services';
import { callName, percentile, type RecordedCall } from '../support';

/** Warm requests measured per path, after as many unmeasured ones as `WARM_UP`. */
export const REQUESTS = 60;
export const WARM_UP = 5;

/** The `i`th of the prepared requests. */
export function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no request ${String(i)}`);
  return item;
}

/** Time per request and the calls made, for the handler's requests and the floor's. */
export interface Side {
  readonly times: number[];
  readonly calls: RecordedCall[];
}

/** A handler's requests and its floor's, measured in turn. */
export interface InTurnRun {
  readonly own: Side;
  readonly floor: Side;
}

/**
 * A handler request, then its floor, `runs` times in turn: drift on a noisy machine hits
 * both alike. The calls each side made are recorded with their durations.
 */
export async function inTurn(
  handlers: InstrumentedHandlers,
  runs: number,
  request: (i: number) => Promise<void>,
  floor: (i: number) => Promise<void>,
): Promise<InTurnRun> {
  const own: Side = { times: [], calls: [] };
  const base: Side = { times: [], calls: [] };
  for (let i = 0; i < runs; i++) {
    for (const [side, run] of [
      [own, request],
      [base, floor],
    ] as const) {
      const recording = { calls: side.calls, inputs: false };
      handlers.dynamoCalls.recording = recording;
      handlers.snsCalls.recording = recording;
      const started = performance.now();
      await run(i);
      side.times.push(performance.now() - started);
    }
  }
  handlers.dynamoCalls.recording = undefined;
  handlers.snsCalls.recording = undefined;
  return { own, floor: base };
}

/** The p50 and p95 of the handler's requests and the p50 of the floor's. */
export const latencies = (run: InTurnRun) => ({
  p50: percentile(run.own.times, 50),
  p95: percentile(run.own.times, 95),
  floorP50: percentile(run.floor.times, 50),
});

/**
 * `DynamoDB.PutItem × 1 (12.1 ms; floor 11.9 ms)`: the calls per request and the mean time
 * of each, in the handler's requests and in the floor's.
 */
export function callTimes(run: InTurnRun, requests: number): string {
  const byCall = (calls: readonly RecordedCall[]) => {
    const totals = new Map<string, { count: number; ms: number }>();
    for (const { service, command, durationMs } of calls) {
      const name = callName(service, command);
      const total = totals.get(name) ?? { count: 0, ms: 0 };
      totals.set(name, { count: total.count + 1, ms: total.ms + durationMs });
    }
    return totals;
  };
  const floorTotals = byCall(run.floor.calls);
  return [...byCall(run.own.calls).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { count, ms }]) => {
      const perRequest = (count / requests).toFixed(count % requests === 0 ? 0 : 2);
      const floorCall = floorTotals.get(name);
      const floorText = floorCall
        ? `; floor ${(floorCall.ms / floorCall.count).toFixed(1)} ms`
        : '';
      return `${name} × ${perRequest} (${(ms / count).toFixed(1)} ms${floorText})`;
    })
    .join(', ');
}
