import type { PriceListing } from './price-listing';

/**
 * The price listing as this service stores it: a read model built from the product and
 * pricing services' tables (which give no index to page with), so a listing request reads
 * one small item whatever the size of the catalog.
 *
 * A snapshot is immutable and named by its version (a digest of its content); it is cut
 * into chunks of `chunkSize` entries. The head names the current version and carries its
 * first chunk, so a first page is one read. Earlier versions stay readable for a while
 * (`retainSeconds`), so a client paging through one never sees entries move between pages.
 */
export interface SnapshotHead {
  readonly version: string;
  /** When the catalog reads behind this snapshot started (ISO 8601). */
  readonly builtAt: string;
  readonly count: number;
  readonly chunkSize: number;
  readonly firstChunk: readonly PriceListing[];
  /** When the chunks of this version may be deleted (epoch seconds), unless renewed. */
  readonly expiresAt: number;
}

/** One stored chunk, with what a page cut from it needs to know of its snapshot. */
export interface SnapshotChunk {
  readonly entries: readonly PriceListing[];
  readonly count: number;
  readonly chunkSize: number;
}

export interface SnapshotToPublish {
  readonly version: string;
  readonly builtAt: string;
  readonly chunkSize: number;
  readonly chunks: readonly (readonly PriceListing[])[];
  readonly expiresAt: number;
}

/** The snapshot table, read. */
export interface CatalogSnapshotReader {
  /** The current snapshot's head; undefined before the first snapshot was published. */
  head(): Promise<SnapshotHead | undefined>;
  /** These chunks of that version (one request); an expired or unknown one is absent. */
  chunks(version: string, indexes: readonly number[]): Promise<Map<number, SnapshotChunk>>;
}

/**
 * The current head as the listing gets it. `staleSeconds` is set when the head could not be
 * read and the one read that many seconds ago was served instead (stale-if-error, within
 * `LISTING_STALE_IF_ERROR_SECONDS`): the answer must say so.
 */
export interface ListingHead {
  readonly head: SnapshotHead | undefined;
  readonly staleSeconds?: number;
}

/** What the listing route reads: the head (stale while reading it fails), and chunks. */
export interface ListingSnapshotReader {
  currentHead(): Promise<ListingHead>;
  chunks(version: string, indexes: readonly number[]): Promise<Map<number, SnapshotChunk>>;
}

/** What the snapshot refresh writes (and reads, to skip writing an unchanged catalog). */
export interface CatalogSnapshotStore extends CatalogSnapshotReader {
  /**
   * Writes every chunk, then makes the version current. False (and nothing made current)
   * when a snapshot built later than this one is already current.
   */
  publish(snapshot: SnapshotToPublish): Promise<boolean>;
}

/**
 * How long a snapshot's chunks outlive it: each is written with an expiry `retainSeconds`
 * ahead, renewed while it is current once less than `renewBeforeSeconds` is left. So a
 * version replaced by a newer one stays readable for at least the difference: a cursor is
 * good for an hour after the catalog changed under it.
 */
export const SNAPSHOT_RETENTION = { retainSeconds: 2 * 3600, renewBeforeSeconds: 3600 } as const;

/** Entries per stored chunk: the listing's largest page. */
export const SNAPSHOT_CHUNK_SIZE = 100;
