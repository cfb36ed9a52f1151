import type { Logger } from '../core/logger';
import { METRICS, type ServiceMetrics } from '../domain/metrics';
import type { RefreshReport } from './use-cases/refresh-catalog-snapshot';

export interface PassSchedule {
  /** Seconds between the starts of two passes. */
  readonly intervalSeconds: number;
  /** The invocation's share of time: the schedule invokes once per this many seconds. */
  readonly windowSeconds: number;
  /** Time a pass may take: none starts with less than this left of the invocation. */
  readonly passBudgetSeconds: number;
}

export interface PassClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** What is left of the invocation (Lambda's `getRemainingTimeInMillis`). */
  remainingMs(): number;
}

/**
 * The passes of one scheduled invocation. EventBridge schedules at most once a minute and
 * the listing must show a change within 60 s, so each invocation refreshes every
 * `intervalSeconds` of its minute. A failed pass is logged and counted, and the next one
 * tries again; the invocation fails only when every pass failed.
 */
export async function refreshDuringWindow(
  refresh: () => Promise<RefreshReport>,
  schedule: PassSchedule,
  clock: PassClock,
  observers: { readonly logger: Logger; readonly metrics: ServiceMetrics },
): Promise<RefreshReport[]> {
  const started = clock.now();
  const reports: RefreshReport[] = [];
  let lastError: unknown;
  let failures = 0;
  for (let pass = 0; pass * schedule.intervalSeconds < schedule.windowSeconds; pass++) {
    const due = started + pass * schedule.intervalSeconds * 1000;
    const wait = Math.max(0, due - clock.now());
    if (clock.remainingMs() - wait < schedule.passBudgetSeconds * 1000) break;
    if (wait > 0) await clock.sleep(wait);
    try {
      reports.push(await refresh());
    } catch (error) {
      failures++;
      lastError = error;
      observers.metrics.count(METRICS.catalogSnapshotFailures);
      observers.logger.error('Catalog snapshot pass failed; the next pass retries', {
        error,
        pass,
      });
    }
  }
  if (reports.length === 0 && failures > 0) throw lastError;
  return reports;
}
