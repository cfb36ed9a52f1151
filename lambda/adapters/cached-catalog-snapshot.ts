import type {
  CatalogSnapshotReader,
  ListingHead,
  ListingSnapshotReader,
  SnapshotChunk,
  SnapshotHead,
} from '../domain/catalog-snapshot';

export interface SnapshotCacheOptions {
  /** How long a container reuses the head before reading it again. */
  readonly headTtlMs: number;
  /** Chunks kept (they never change: a version's chunks are immutable). */
  readonly maxChunks: number;
  /**
   * Stale-if-error: how long after the last good read its head is still served when
   * reading it again fails (`LISTING_STALE_IF_ERROR_SECONDS`). 0: never.
   */
  readonly staleIfErrorMs: number;
  /**
   * Told once per failed read that a stale head covers (the request then succeeds, so the
   * HTTP shell never sees the failure: this is where it is logged and counted).
   */
  readonly onStaleServed?: (error: unknown, staleSeconds: number) => void;
  readonly now?: () => number;
}

/** One read of the head: what it found, or how it failed. */
type HeadRead =
  | { readonly ok: true; readonly head: SnapshotHead | undefined }
  | { readonly ok: false; readonly error: unknown };

interface HeadAttempt {
  readonly at: number;
  readonly result: Promise<HeadRead>;
  /** Whether `onStaleServed` was told of this attempt's failure. */
  reported: boolean;
}

/**
 * The snapshot as one API container sees it: the head re-read at most every `headTtlMs`
 * (one read shared by the requests that arrive meanwhile), chunks kept until evicted.
 * Hand-written rather than Powertools Parameters' cache: that caches SSM/Secrets/AppConfig
 * values, not DynamoDB items with an in-flight read to share.
 *
 * When a read of the head fails (after the client's retries) and a head was read within
 * `staleIfErrorMs`, that head is served, marked stale, and the next read is tried a TTL
 * later (not by every request: a failing table is not hammered). With nothing recent
 * enough the failure is thrown as before, and the next request tries again.
 */
export class CachedCatalogSnapshot implements ListingSnapshotReader {
  private attempt: HeadAttempt | undefined;
  /** The last head read successfully, and when that read started. */
  private lastGood: { readonly head: SnapshotHead; readonly at: number } | undefined;
  private readonly chunkCache = new Map<string, SnapshotChunk>();
  private readonly now: () => number;

  constructor(
    private readonly reader: CatalogSnapshotReader,
    private readonly options: SnapshotCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async currentHead(): Promise<ListingHead> {
    const now = this.now();
    if (this.attempt === undefined || now - this.attempt.at >= this.options.headTtlMs) {
      this.attempt = { at: now, result: this.read(now), reported: false };
    }
    const attempt = this.attempt;
    const result = await attempt.result;
    if (result.ok) return { head: result.head };

    const stale = this.lastGood;
    const staleMs = stale === undefined ? Infinity : this.now() - stale.at;
    if (stale === undefined || staleMs > this.options.staleIfErrorMs) {
      // Nothing recent enough to stand in: fail, and let the next request try again.
      if (this.attempt === attempt) this.attempt = undefined;
      throw result.error;
    }
    const staleSeconds = Math.floor(staleMs / 1000);
    if (!attempt.reported) {
      attempt.reported = true;
      this.options.onStaleServed?.(result.error, staleSeconds);
    }
    return { head: stale.head, staleSeconds };
  }

  private async read(at: number): Promise<HeadRead> {
    try {
      const head = await this.reader.head();
      // Only a head can stand in later ("no snapshot" is the 503 it already is); a read
      // that started before the one kept must not replace it.
      if (at >= (this.lastGood?.at ?? Number.NEGATIVE_INFINITY)) {
        this.lastGood = head === undefined ? undefined : { head, at };
      }
      return { ok: true, head };
    } catch (error) {
      return { ok: false, error };
    }
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
