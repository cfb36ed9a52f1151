import type {
  CatalogSnapshotStore,
  ListingHead,
  ListingSnapshotReader,
  SnapshotChunk,
  SnapshotHead,
  SnapshotToPublish,
} from '../../lambda/domain/catalog-snapshot';
import type { PriceListing } from '../../lambda/domain/price-listing';

/**
 * The snapshot table in memory, with the adapter's rules (chunks first, the head only over
 * an older build), counting the reads a listing makes.
 */
export class InMemoryCatalogSnapshot implements CatalogSnapshotStore, ListingSnapshotReader {
  private current: SnapshotHead | undefined;
  readonly stored = new Map<string, SnapshotChunk>();
  readonly reads = { head: 0, chunks: 0 };
  published = 0;

  head(): Promise<SnapshotHead | undefined> {
    this.reads.head++;
    return Promise.resolve(this.current);
  }

  /** The head as the listing reads it: always fresh here (a read the store counts). */
  async currentHead(): Promise<ListingHead> {
    return { head: await this.head() };
  }

  chunks(version: string, indexes: readonly number[]): Promise<Map<number, SnapshotChunk>> {
    this.reads.chunks++;
    const found = new Map<number, SnapshotChunk>();
    for (const index of indexes) {
      const chunk = this.stored.get(`${version}#${String(index)}`);
      if (chunk) found.set(index, chunk);
    }
    return Promise.resolve(found);
  }

  publish(snapshot: SnapshotToPublish): Promise<boolean> {
    const count = snapshot.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    snapshot.chunks.forEach((entries, index) => {
      this.stored.set(`${snapshot.version}#${String(index)}`, {
        entries,
        count,
        chunkSize: snapshot.chunkSize,
      });
    });
    if (this.current && this.current.builtAt > snapshot.builtAt) return Promise.resolve(false);
    this.published++;
    this.current = {
      version: snapshot.version,
      builtAt: snapshot.builtAt,
      count,
      chunkSize: snapshot.chunkSize,
      firstChunk: snapshot.chunks[0] ?? [],
      expiresAt: snapshot.expiresAt,
    };
    return Promise.resolve(true);
  }

  /** Forgets a version's chunks, as the TTL eventually does to a replaced one. */
  expire(version: string): void {
    for (const key of [...this.stored.keys()]) {
      if (key.startsWith(`${version}#`)) this.stored.delete(key);
    }
  }
}

/** `n` one-time listing entries, already in the listing's order. */
export function listingEntries(n: number): PriceListing[] {
  return Array.from({ length: n }, (_, i) => ({
    priceId: `price-${String(i).padStart(5, '0')}`,
    productId: 'prod',
    productName: 'Product',
    unitAmount: 100 + i,
    currency: 'usd',
    type: 'one_time' as const,
  }));
}
