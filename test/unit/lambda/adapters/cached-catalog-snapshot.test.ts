import { CachedCatalogSnapshot } from '../../../../lambda/adapters/cached-catalog-snapshot';
import { chunkListing, listingVersion } from '../../../../lambda/domain/price-listing';
import { InMemoryCatalogSnapshot, listingEntries } from '../../../support/fake-catalog-snapshot';

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
    headTtlMs: 5_000,
    maxChunks: 2,
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

describe('CachedCatalogSnapshot', () => {
  it('reads the head once per TTL, one read shared by concurrent requests', async () => {
    const s = await setup();
    await Promise.all([s.cache.head(), s.cache.head(), s.cache.head()]);
    s.advance(4_999);
    await s.cache.head();
    expect(s.store.reads.head).toBe(1);
    s.advance(1);
    await s.cache.head();
    expect(s.store.reads.head).toBe(2);
  });

  it('does not keep a failed head read', async () => {
    const s = await setup();
    const head = jest.fn<ReturnType<InMemoryCatalogSnapshot['head']>, []>();
    head.mockRejectedValueOnce(new Error('throttled'));
    head.mockResolvedValueOnce(undefined);
    const cache = new CachedCatalogSnapshot(
      { head, chunks: (v, i) => s.store.chunks(v, i) },
      { headTtlMs: 5_000, maxChunks: 2, now: () => 0 },
    );
    await expect(cache.head()).rejects.toThrow('throttled');
    await expect(cache.head()).resolves.toBeUndefined();
    expect(head).toHaveBeenCalledTimes(2);
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
