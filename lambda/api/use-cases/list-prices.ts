import { HttpError, invalidRequest } from '../../core/errors';
import type { CatalogSnapshotReader, SnapshotChunk } from '../../domain/catalog-snapshot';
import { LISTING_FRESHNESS, type PriceListing } from '../../domain/price-listing';

/** Where a page starts: a position in one snapshot version, so paging never skips or repeats. */
export interface ListingCursor {
  readonly version: string;
  readonly offset: number;
  /** The version's chunk size, so the page's chunks are known before anything is read. */
  readonly chunkSize: number;
}

export interface ListPricesQuery {
  readonly limit: number;
  readonly cursor?: ListingCursor;
}

export interface PriceListingPage {
  readonly prices: readonly PriceListing[];
  readonly nextCursor?: string;
}

/** A page, or the news that the caller already has it (`If-None-Match`). */
export type ListPricesResult =
  | { readonly status: 'page'; readonly etag: string; readonly page: PriceListingPage }
  | { readonly status: 'not-modified'; readonly etag: string };

/**
 * One page of the listing, cut from the current snapshot (or, for a cursor, from the
 * snapshot the first page came from). A first page is one read, of the snapshot's head; a
 * later page is one read of at most two chunks; a page the caller already holds is known
 * by its ETag alone, since a version never changes.
 */
export async function listPrices(
  snapshot: CatalogSnapshotReader,
  query: ListPricesQuery,
  ifNoneMatch?: string,
): Promise<ListPricesResult> {
  const { cursor, limit } = query;
  if (cursor) {
    const etag = pageEtag(cursor.version, cursor.offset, limit);
    if (etagMatches(ifNoneMatch, etag)) return { status: 'not-modified', etag };
    return { status: 'page', etag, page: await cursorPage(snapshot, cursor, limit) };
  }

  const head = await snapshot.head();
  if (!head) throw catalogUnavailable();
  const etag = pageEtag(head.version, 0, limit);
  if (etagMatches(ifNoneMatch, etag)) return { status: 'not-modified', etag };
  const known = new Map<number, SnapshotChunk>([
    [0, { entries: head.firstChunk, count: head.count, chunkSize: head.chunkSize }],
  ]);
  const start = { version: head.version, offset: 0, chunkSize: head.chunkSize };
  const needed = chunkIndexes(start, Math.min(limit, head.count)).filter((i) => !known.has(i));
  if (needed.length > 0) {
    for (const [index, chunk] of await snapshot.chunks(head.version, needed)) {
      known.set(index, chunk);
    }
  }
  const page = cut(start, limit, head.count, known);
  if (!page) throw new Error(`Snapshot ${head.version} is missing a chunk of its first page.`);
  return { status: 'page', etag, page };
}

async function cursorPage(
  snapshot: CatalogSnapshotReader,
  cursor: ListingCursor,
  limit: number,
): Promise<PriceListingPage> {
  const chunks = await snapshot.chunks(cursor.version, chunkIndexes(cursor, limit));
  const first = chunks.get(Math.floor(cursor.offset / cursor.chunkSize));
  if (!first) {
    throw invalidRequest(
      'The cursor is from a listing that has since changed and expired; start again from the first page.',
      'cursor_expired',
    );
  }
  if (first.chunkSize !== cursor.chunkSize || cursor.offset >= first.count) {
    throw invalidCursor();
  }
  const page = cut(cursor, limit, first.count, chunks);
  if (!page) throw new Error(`Snapshot ${cursor.version} is missing a chunk.`);
  return page;
}

/** The chunks holding entries `offset .. offset + limit - 1` (some may lie past the end). */
function chunkIndexes(cursor: ListingCursor, limit: number): number[] {
  const first = Math.floor(cursor.offset / cursor.chunkSize);
  const last = Math.floor((cursor.offset + Math.max(limit, 1) - 1) / cursor.chunkSize);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The page, or undefined when a chunk it needs is missing. */
function cut(
  start: ListingCursor,
  limit: number,
  count: number,
  chunks: ReadonlyMap<number, SnapshotChunk>,
): PriceListingPage | undefined {
  const end = Math.min(start.offset + limit, count);
  const prices: PriceListing[] = [];
  for (let position = start.offset; position < end;) {
    const index = Math.floor(position / start.chunkSize);
    const chunk = chunks.get(index);
    if (!chunk) return undefined;
    const from = position - index * start.chunkSize;
    const take = chunk.entries.slice(from, from + (end - position));
    if (take.length === 0) return undefined;
    prices.push(...take);
    position += take.length;
  }
  return end < count ? { prices, nextCursor: encodeCursor({ ...start, offset: end }) } : { prices };
}

/** Names exactly one answer: a version's window never changes. */
const pageEtag = (version: string, offset: number, limit: number): string =>
  `"${version}.${String(offset)}.${String(limit)}"`;

/** `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored; `*` is any. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** The `Cache-Control` of every listing answer: short enough for the freshness bound. */
export const PRICES_CACHE_CONTROL = `public, max-age=${String(LISTING_FRESHNESS.httpMaxAgeSeconds)}`;

/** Opaque to the caller: base64url of the version, offset and chunk size. */
export function encodeCursor(cursor: ListingCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.version, cursor.offset, cursor.chunkSize]),
    'utf8',
  ).toString('base64url');
}

/** Longer than any cursor this service hands out. */
const MAX_CURSOR_LENGTH = 128;

export function decodeCursor(raw: string): ListingCursor {
  // Node's base64url decoder skips characters outside the alphabet (padding, spaces, dots),
  // so only this check keeps an altered cursor from being read as the one handed out. The
  // `+` rejects an empty cursor too.
  if (raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw invalidCursor();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    // Not JSON: `decoded` stays undefined, which the shape check below rejects.
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw invalidCursor();
  const [version, offset, chunkSize] = decoded as unknown[];
  if (
    typeof version !== 'string' ||
    !/^[A-Za-z0-9_-]{1,64}$/.test(version) ||
    !Number.isSafeInteger(offset) ||
    (offset as number) < 1 ||
    !Number.isSafeInteger(chunkSize) ||
    (chunkSize as number) < 1
  ) {
    throw invalidCursor();
  }
  return { version, offset: offset as number, chunkSize: chunkSize as number };
}

const invalidCursor = (): HttpError =>
  invalidRequest(
    'The cursor is not one this listing handed out; use nextCursor as given.',
    'invalid_cursor',
  );

/** 503 until the first snapshot is published (a new stack, within its first minute). */
const catalogUnavailable = (): HttpError =>
  new HttpError(
    503,
    'catalog_unavailable',
    'The price list is being prepared; try again shortly.',
    { 'retry-after': String(LISTING_FRESHNESS.refreshSeconds) },
  );
