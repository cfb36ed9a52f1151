import { CachedCatalogSnapshot } from '../../../../lambda/adapters/cached-catalog-snapshot';
import type { SnapshotHead } from '../../../../lambda/domain/catalog-snapshot';
import { chunkListing, listingVersion } from '../../../../lambda/domain/price-listing';
import { InMemoryCatalogSnapshot, listingEntries } from '../../../support/fake-catalog-snapshot';

const TTL_MS = 5_000;
const STALE_IF_ERROR_MS = 300_000;

async function setup(size = 450) {
  const store = new InMemoryCatalogSnapshot();
  const listing = listingEntries(size);
  await store.publish({
    version: listingVersion(listing),
    builtAt: '2026-12-01T00:00:00.000Z',
    chunkSize: 100,
    chunks: chunkListing(listing, 100),
    expiresAt: 0,
  });
  let now = 0;
  const cache = new CachedCatalogSnapshot(store, {
    headTtlMs: TTL_MS,
    maxChunks: 2,
    staleIfErrorMs: STALE_IF_ERROR_MS,
    now: () => now,
  });
  return {
    store,
    cache,
    version: listingVersion(listing),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A store whose head reads fail while `failing` is set, counting the reads. */
async function flakyStore() {
  const s = await setup();
  const state = { failing: false, reads: 0 };
  const stale: { error: unknown; staleSeconds: number }[] = [];
  let now = 0;
  const cache = new CachedCatalogSnapshot(
    {
      head: () => {
        state.reads++;
        return state.failing ? Promise.reject(new Error('DynamoDB unavailable')) : s.store.head();
      },
      chunks: (version, indexes) => s.store.chunks(version, indexes),
    },
    {
      headTtlMs: TTL_MS,
      maxChunks: 2,
      staleIfErrorMs: STALE_IF_ERROR_MS,
      onStaleServed: (error, staleSeconds) => stale.push({ error, staleSeconds }),
      now: () => now,
    },
  );
  return {
    ...s,
    cache,
    state,
    stale,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('CachedCatalogSnapshot', () => {
  it('reads the head once per TTL, one read shared by concurrent requests', async () => {
    const s = await setup();
    await Promise.all([s.cache.currentHead(), s.cache.currentHead(), s.cache.currentHead()]);
    s.advance(TTL_MS - 1);
    expect(await s.cache.currentHead()).toEqual({ head: await s.store.head() });
    expect(s.store.reads.head).toBe(2); // one by the cache, one by this test
    s.advance(1);
    await s.cache.currentHead();
    expect(s.store.reads.head).toBe(3);
  });

  it('does not keep a failed head read when no head was read before', async () => {
    const s = await setup();
    const head = jest.fn<Promise<SnapshotHead | undefined>, []>();
    head.mockRejectedValueOnce(new Error('throttled'));
    head.mockResolvedValueOnce(undefined);
    const cache = new CachedCatalogSnapshot(
      { head, chunks: (v, i) => s.store.chunks(v, i) },
      { headTtlMs: TTL_MS, maxChunks: 2, staleIfErrorMs: STALE_IF_ERROR_MS, now: () => 0 },
    );
    await expect(cache.currentHead()).rejects.toThrow('throttled');
    await expect(cache.currentHead()).resolves.toEqual({ head: undefined });
    expect(head).toHaveBeenCalledTimes(2);
  });

  it('serves the last head, marked stale, while reading it fails; tells once per failed read', async () => {
    const s = await flakyStore();
    const fresh = await s.cache.currentHead();
    expect(fresh.staleSeconds).toBeUndefined();

    s.state.failing = true;
    s.advance(12_000);
    expect(await s.cache.currentHead()).toEqual({ head: fresh.head, staleSeconds: 12 });
    // Within the TTL of the failed read: not read again, still stale, told once.
    s.advance(TTL_MS - 1);
    expect(await s.cache.currentHead()).toEqual({ head: fresh.head, staleSeconds: 16 });
    expect(s.state.reads).toBe(2);
    expect(s.stale).toEqual([{ error: new Error('DynamoDB unavailable'), staleSeconds: 12 }]);

    // The next TTL reads again: failing still, told again.
    s.advance(1);
    expect((await s.cache.currentHead()).staleSeconds).toBe(17);
    expect(s.state.reads).toBe(3);
    expect(s.stale.map((report) => report.staleSeconds)).toEqual([12, 17]);

    // Back: fresh again, at the next read.
    s.state.failing = false;
    s.advance(TTL_MS);
    expect(await s.cache.currentHead()).toEqual({ head: fresh.head });
  });

  it('fails as before once the last head is older than the stale-if-error bound, and tries again at once', async () => {
    const s = await flakyStore();
    await s.cache.currentHead();
    s.state.failing = true;
    s.advance(STALE_IF_ERROR_MS);
    expect((await s.cache.currentHead()).staleSeconds).toBe(STALE_IF_ERROR_MS / 1000);
    s.advance(TTL_MS);
    await expect(s.cache.currentHead()).rejects.toThrow('DynamoDB unavailable');
    await expect(s.cache.currentHead()).rejects.toThrow('DynamoDB unavailable');
    expect(s.state.reads).toBe(4);
  });

  it('serves no stale head once a read found none (the snapshot gone)', async () => {
    const s = await flakyStore();
    const head = jest.spyOn(s.store, 'head').mockResolvedValueOnce(undefined);
    expect(await s.cache.currentHead()).toEqual({ head: undefined });
    head.mockRestore();
    s.state.failing = true;
    s.advance(TTL_MS);
    await expect(s.cache.currentHead()).rejects.toThrow('DynamoDB unavailable');
  });

  it('keeps chunks (they never change), reads only the missing ones, evicts the oldest', async () => {
    const s = await setup();
    await s.cache.chunks(s.version, [1, 2]);
    expect(s.store.reads.chunks).toBe(1);
    const again = await s.cache.chunks(s.version, [1, 2]);
    expect([...again.keys()]).toEqual([1, 2]);
    expect(s.store.reads.chunks).toBe(1);
    await s.cache.chunks(s.version, [3]); // evicts chunk 1
    await s.cache.chunks(s.version, [2]);
    expect(s.store.reads.chunks).toBe(2);
    await s.cache.chunks(s.version, [1]);
    expect(s.store.reads.chunks).toBe(3);
  });

  it('does not remember a chunk that was not found', async () => {
    const s = await setup();
    await s.cache.chunks('gone', [1]);
    await s.cache.chunks('gone', [1]);
    expect(s.store.reads.chunks).toBe(2);
  });
});
