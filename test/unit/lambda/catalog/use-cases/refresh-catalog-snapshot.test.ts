import { SNAPSHOT_RETENTION } from '../../../../../lambda/domain/catalog-snapshot';
import type { CatalogPrice } from '../../../../../lambda/domain/catalog';
import { METRICS } from '../../../../../lambda/domain/metrics';
import {
  MAX_LISTING_ENTRY_BYTES,
  refreshCatalogSnapshot,
  type RefreshDependencies,
} from '../../../../../lambda/catalog/use-cases/refresh-catalog-snapshot';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { InMemoryCatalog } from '../../../../support/fake-catalog';
import { InMemoryCatalogSnapshot } from '../../../../support/fake-catalog-snapshot';
import { CapturingLogger } from '../../../../support/log-capture';

const price = (priceId: string, unitAmount: number): CatalogPrice => ({
  priceId,
  productId: 'course',
  unitAmount,
  currency: 'usd',
  type: 'one_time',
  active: true,
});

function setup(prices: CatalogPrice[], productName = 'Course') {
  const catalog = new InMemoryCatalog(
    [{ productId: 'course', name: productName, active: true }],
    prices,
  );
  const snapshots = new InMemoryCatalogSnapshot();
  const metrics = new RecordingMetrics();
  const logger = new CapturingLogger();
  let now = new Date('2026-12-01T00:00:00.000Z');
  const deps: RefreshDependencies = { catalog, snapshots, metrics, logger, now: () => now };
  return {
    catalog,
    snapshots,
    metrics,
    logger,
    deps,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

describe('refreshCatalogSnapshot', () => {
  it('publishes the first snapshot, in chunks of 100, with the listing in order', async () => {
    const s = setup(
      Array.from({ length: 250 }, (_, i) => price(`p${String(i).padStart(3, '0')}`, i)),
    );
    const report = await refreshCatalogSnapshot(s.deps);
    expect(report).toMatchObject({ outcome: 'published', count: 250, oversized: 0 });
    const head = await s.snapshots.head();
    expect(head).toMatchObject({ version: report.version, count: 250, chunkSize: 100 });
    expect(head?.firstChunk.map((p) => p.priceId).slice(0, 2)).toEqual(['p000', 'p001']);
    expect(s.snapshots.stored.size).toBe(3);
    expect(s.metrics.totals()).toEqual({
      [METRICS.catalogSnapshotRefreshes]: 1,
      [METRICS.catalogSnapshotChanges]: 1,
    });
  });

  it('writes nothing when the catalog did not change', async () => {
    const s = setup([price('a', 1)]);
    await refreshCatalogSnapshot(s.deps);
    s.advance(30);
    const report = await refreshCatalogSnapshot(s.deps);
    expect(report.outcome).toBe('unchanged');
    expect(s.snapshots.published).toBe(1);
    expect(s.metrics.totals()[METRICS.catalogSnapshotRefreshes]).toBe(2);
  });

  it('publishes a new version when a price changes, is added or is deactivated', async () => {
    const s = setup([price('a', 1), price('b', 2)]);
    const versions = [(await refreshCatalogSnapshot(s.deps)).version];
    const changes: (() => void)[] = [
      () => {
        s.catalog.prices[0] = price('a', 5);
      },
      () => s.catalog.prices.push(price('c', 3)),
      () => {
        s.catalog.prices[1] = { ...price('b', 2), active: false };
      },
    ];
    for (const change of changes) {
      change();
      s.advance(30);
      const report = await refreshCatalogSnapshot(s.deps);
      expect(report.outcome).toBe('published');
      versions.push(report.version);
    }
    expect(new Set(versions).size).toBe(4);
    expect((await s.snapshots.head())?.firstChunk.map((p) => [p.priceId, p.unitAmount])).toEqual([
      ['c', 3],
      ['a', 5],
    ]);
  });

  it('renews an unchanged snapshot before its chunks would expire', async () => {
    const s = setup([price('a', 1)]);
    await refreshCatalogSnapshot(s.deps);
    s.advance(SNAPSHOT_RETENTION.retainSeconds - SNAPSHOT_RETENTION.renewBeforeSeconds - 1);
    expect((await refreshCatalogSnapshot(s.deps)).outcome).toBe('unchanged');
    s.advance(2);
    expect((await refreshCatalogSnapshot(s.deps)).outcome).toBe('renewed');
    const head = await s.snapshots.head();
    expect(head?.expiresAt).toBe(
      Math.floor(Date.parse('2026-12-01T00:00:00.000Z') / 1000) +
        SNAPSHOT_RETENTION.retainSeconds -
        SNAPSHOT_RETENTION.renewBeforeSeconds +
        1 +
        SNAPSHOT_RETENTION.retainSeconds,
    );
    // A renewal is no change: nothing for the listing's readers to notice.
    expect(s.metrics.totals()[METRICS.catalogSnapshotChanges]).toBe(1);
  });

  it('reports superseded when a pass that started later already published', async () => {
    const s = setup([price('a', 1)]);
    s.advance(60);
    await refreshCatalogSnapshot(s.deps);
    s.catalog.prices.push(price('b', 2));
    s.advance(-30);
    const report = await refreshCatalogSnapshot(s.deps);
    expect(report.outcome).toBe('superseded');
    expect((await s.snapshots.head())?.count).toBe(1);
  });

  it('leaves out, and logs, an entry too large to store; the rest is listed', async () => {
    const s = setup([price('a', 1)], 'x'.repeat(MAX_LISTING_ENTRY_BYTES));
    s.catalog.products.push({ productId: 'ok', name: 'Fine', active: true });
    s.catalog.prices.push({ ...price('b', 2), productId: 'ok' });
    const report = await refreshCatalogSnapshot(s.deps);
    expect(report).toMatchObject({ count: 1, oversized: 1 });
    expect(s.logger.lines.some((line) => line.priceId === 'a' && line.level === 'WARN')).toBe(true);
  });
});
