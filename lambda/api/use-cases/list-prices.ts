import { HttpError, invalidRequest } from '../../core/errors';
import type {
  ListingSnapshotReader,
  SnapshotChunk,
  SnapshotHead,
} from '../../domain/catalog-snapshot';
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

/**
 * A page, or the news that the caller already has it (`If-None-Match`). `staleSeconds`:
 * answered from a head read that long ago, because reading it now failed (stale-if-error).
 */
export type ListPricesResult = (
  | { readonly status: 'page'; readonly etag: string; readonly page: PriceListingPage }
  | { readonly status: 'not-modified'; readonly etag: string }
) & { readonly staleSeconds?: number };

/**
 * One page of the listing, cut from the current snapshot (or, for a cursor, from the
 * snapshot the first page came from). A first page is one read, of the snapshot's head; a
 * later page is the head (which each container re-reads at most every few seconds) and one
 * read of at most two chunks; a page the caller already holds is known by its ETag alone,
 * since a version never changes.
 *
 * A cursor is the caller's input, and a forged one must not cost more than a real one: its
 * chunk size and offset are checked against the head before any chunk is read (a cursor
 * that cannot be one this listing handed out is 400 `invalid_cursor` without a read), and
 * only the chunks a page can need are read.
 */
export async function listPrices(
  snapshot: ListingSnapshotReader,
  query: ListPricesQuery,
  ifNoneMatch?: string,
): Promise<ListPricesResult> {
  const { cursor, limit } = query;
  if (cursor) {
    const etag = pageEtag(cursor.version, cursor.offset, limit);
    if (etagMatches(ifNoneMatch, etag)) return { status: 'not-modified', etag };
  }
  const { head, staleSeconds } = await snapshot.currentHead();
  if (!head) throw catalogUnavailable();
  const stale = staleSeconds === undefined ? {} : { staleSeconds };
  const start = cursor ?? { version: head.version, offset: 0, chunkSize: head.chunkSize };
  const etag = pageEtag(start.version, start.offset, limit);
  if (!cursor && etagMatches(ifNoneMatch, etag)) return { status: 'not-modified', etag, ...stale };
  const page =
    start.version === head.version
      ? await currentPage(snapshot, head, start, limit)
      : await replacedPage(snapshot, head, start, limit);
  return { status: 'page', etag, page, ...stale };
}

/**
 * A page of the current snapshot: the head knows its size and chunk size, so a cursor
 * past its end or in other chunks is refused unread, and only chunks that exist are read
 * (the first comes with the head).
 */
async function currentPage(
  snapshot: ListingSnapshotReader,
  head: SnapshotHead,
  start: ListingCursor,
  limit: number,
): Promise<PriceListingPage> {
  if (start.chunkSize !== head.chunkSize || (start.offset > 0 && start.offset >= head.count)) {
    throw invalidCursor();
  }
  const known = new Map<number, SnapshotChunk>([
    [0, { entries: head.firstChunk, count: head.count, chunkSize: head.chunkSize }],
  ]);
  const needed = chunkIndexes(start, Math.min(limit, head.count - start.offset)).filter(
    (index) => !known.has(index),
  );
  if (needed.length > 0) {
    for (const [index, chunk] of await snapshot.chunks(head.version, needed)) {
      known.set(index, chunk);
    }
  }
  const page = cut(start, limit, head.count, known);
  if (!page) {
    const which = start.offset === 0 ? ' of its first page' : '';
    throw new Error(`Snapshot ${head.version} is missing a chunk${which}.`);
  }
  return page;
}

/**
 * A page of a snapshot the head no longer names (a client paging while the catalog
 * changed). Its size is known only from its chunks, so the chunks a page of the head's
 * chunk size can span are read at once (at most two for a whole page); a cursor of
 * another chunk size cannot be read at this one, and is told to start again unread.
 */
async function replacedPage(
  snapshot: ListingSnapshotReader,
  head: SnapshotHead,
  cursor: ListingCursor,
  limit: number,
): Promise<PriceListingPage> {
  if (cursor.chunkSize !== head.chunkSize) throw cursorExpired();
  const chunks = await snapshot.chunks(cursor.version, chunkIndexes(cursor, limit));
  const first = chunks.get(Math.floor(cursor.offset / cursor.chunkSize));
  if (!first) throw cursorExpired();
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

/**
 * The headers of a stale answer (stale-if-error): no cache may reuse it without asking
 * again, and it says it is stale (RFC 9111 obsoletes `Warning`, but it is still the one
 * standard way to say so; 110 "Response is Stale", 111 "Revalidation Failed": our own
 * cache could not re-read the catalog).
 */
export const STALE_PRICES_HEADERS = {
  'cache-control': 'public, max-age=0, must-revalidate',
  warning: '110 - "Response is Stale", 111 - "Revalidation Failed"',
} as const;

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

/** A cursor of a snapshot that is gone, or that this deployment can no longer read. */
const cursorExpired = (): HttpError =>
  invalidRequest(
    'The cursor is from a listing that has since changed and expired; start again from the first page.',
    'cursor_expired',
  );

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
