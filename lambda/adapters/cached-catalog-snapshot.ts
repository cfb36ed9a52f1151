import type {
  CatalogSnapshotReader,
  SnapshotChunk,
  SnapshotHead,
} from '../domain/catalog-snapshot';

export interface SnapshotCacheOptions {
  /** How long a container reuses the head before reading it again. */
  readonly headTtlMs: number;
  /** Chunks kept (they never change: a version's chunks are immutable). */
  readonly maxChunks: number;
  readonly now?: () => number;
}

/**
 * The snapshot as one API container sees it: the head re-read at most every `headTtlMs`
 * (one read shared by the requests that arrive meanwhile), chunks kept until evicted.
 * Hand-written rather than Powertools Parameters' cache: that caches SSM/Secrets/AppConfig
 * values, not DynamoDB items with an in-flight read to share.
 */
export class CachedCatalogSnapshot implements CatalogSnapshotReader {
  private headEntry: { readonly at: number; readonly value: Promise<SnapshotHead | undefined> } = {
    at: Number.NEGATIVE_INFINITY,
    value: Promise.resolve(undefined),
  };
  private readonly chunkCache = new Map<string, SnapshotChunk>();
  private readonly now: () => number;

  constructor(
    private readonly reader: CatalogSnapshotReader,
    private readonly options: SnapshotCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  head(): Promise<SnapshotHead | undefined> {
    const now = this.now();
    if (now - this.headEntry.at >= this.options.headTtlMs) {
      const value = this.reader.head();
      this.headEntry = { at: now, value };
      // A failed read is not reused: the next request tries again.
      value.catch(() => {
        if (this.headEntry.value === value) {
          this.headEntry = { at: Number.NEGATIVE_INFINITY, value: Promise.resolve(undefined) };
        }
      });
    }
    return this.headEntry.value;
  }

  async chunks(version: string, indexes: readonly number[]): Promise<Map<number, SnapshotChunk>> {
    const found = new Map<number, SnapshotChunk>();
    const missing: number[] = [];
    for (const index of indexes) {
      const cached = this.chunkCache.get(cacheKey(version, index));
      if (cached) found.set(index, cached);
      else missing.push(index);
    }
    if (missing.length === 0) return found;
    for (const [index, chunk] of await this.reader.chunks(version, missing)) {
      found.set(index, chunk);
      this.remember(cacheKey(version, index), chunk);
    }
    return found;
  }

  private remember(key: string, chunk: SnapshotChunk): void {
    this.chunkCache.set(key, chunk);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.chunkCache.size > this.options.maxChunks) {
      const oldest = this.chunkCache.keys().next().value;
      if (oldest === undefined) break;
      this.chunkCache.delete(oldest);
    }
  }
}

const cacheKey = (version: string, index: number) => `${version}#${String(index)}`;
