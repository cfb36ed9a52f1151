import { refreshDuringWindow } from '../../../../lambda/catalog/refresh-passes';
import type { RefreshReport } from '../../../../lambda/catalog/use-cases/refresh-catalog-snapshot';
import { METRICS } from '../../../../lambda/domain/metrics';
import { RecordingMetrics } from '../../../support/emf-capture';
import { CapturingLogger } from '../../../support/log-capture';

const REPORT: RefreshReport = { outcome: 'unchanged', version: 'v', count: 1, oversized: 0 };
const SCHEDULE = { intervalSeconds: 30, windowSeconds: 60, passBudgetSeconds: 10 };

/** A clock that only moves when slept on; the invocation has `timeoutMs` in all. */
function fakeClock(timeoutMs: number) {
  let now = 1_000_000;
  const started = now;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    remainingMs: () => timeoutMs - (now - started),
    elapsed: () => now - started,
  };
}

describe('refreshDuringWindow', () => {
  it('refreshes at 0 s and 30 s of the minute', async () => {
    const clock = fakeClock(55_000);
    const starts: number[] = [];
    const reports = await refreshDuringWindow(
      () => {
        starts.push(clock.elapsed());
        return Promise.resolve(REPORT);
      },
      SCHEDULE,
      clock,
      { logger: new CapturingLogger(), metrics: new RecordingMetrics() },
    );
    expect(starts).toEqual([0, 30_000]);
    expect(reports).toHaveLength(2);
  });

  it('starts no pass without its budget left of the invocation', async () => {
    const clock = fakeClock(35_000);
    let passes = 0;
    await refreshDuringWindow(
      () => {
        passes++;
        return Promise.resolve(REPORT);
      },
      SCHEDULE,
      clock,
      { logger: new CapturingLogger(), metrics: new RecordingMetrics() },
    );
    expect(passes).toBe(1);
  });

  it('counts and logs a failed pass, and the next one still runs', async () => {
    const clock = fakeClock(55_000);
    const metrics = new RecordingMetrics();
    const logger = new CapturingLogger();
    let pass = 0;
    const reports = await refreshDuringWindow(
      () => (pass++ === 0 ? Promise.reject(new Error('throttled')) : Promise.resolve(REPORT)),
      SCHEDULE,
      clock,
      { logger, metrics },
    );
    expect(reports).toEqual([REPORT]);
    expect(metrics.totals()[METRICS.catalogSnapshotFailures]).toBe(1);
    expect(logger.lines.filter((line) => line.level === 'ERROR')).toHaveLength(1);
  });

  it('fails the invocation when every pass failed', async () => {
    await expect(
      refreshDuringWindow(
        () => Promise.reject(new Error('table gone')),
        SCHEDULE,
        fakeClock(55_000),
        { logger: new CapturingLogger(), metrics: new RecordingMetrics() },
      ),
    ).rejects.toThrow('table gone');
  });
});
