import { HttpError } from '../../../../../lambda/core/errors';
import {
  decodeCursor,
  encodeCursor,
  etagMatches,
  listPrices,
  type ListPricesResult,
  type PriceListingPage,
} from '../../../../../lambda/api/use-cases/list-prices';
import type { ListingSnapshotReader } from '../../../../../lambda/domain/catalog-snapshot';
import { listingVersion, type PriceListing } from '../../../../../lambda/domain/price-listing';
import { chunkListing } from '../../../../../lambda/domain/price-listing';
import { InMemoryCatalogSnapshot, listingEntries } from '../../../../support/fake-catalog-snapshot';

async function published(listing: PriceListing[], builtAt = '2026-12-01T00:00:00.000Z') {
  const store = new InMemoryCatalogSnapshot();
  await publish(store, listing, builtAt);
  return store;
}

async function publish(
  store: InMemoryCatalogSnapshot,
  listing: PriceListing[],
  builtAt: string,
  chunkSize = 100,
) {
  await store.publish({
    version: listingVersion(listing),
    builtAt,
    chunkSize,
    chunks: chunkListing(listing, chunkSize),
    expiresAt: 0,
  });
}

/** 250 entries stored in chunks of 10: smaller than a page, so a page spans several. */
async function smallChunks() {
  const listing = listingEntries(250);
  const store = new InMemoryCatalogSnapshot();
  await publish(store, listing, '2026-12-01T00:00:00.000Z', 10);
  return { listing, store, version: listingVersion(listing) };
}

/** The store, with the chunk indexes of every chunk read it is asked for. */
function recordingChunkReads(store: InMemoryCatalogSnapshot) {
  const asked: number[][] = [];
  const reader: ListingSnapshotReader = {
    currentHead: () => store.currentHead(),
    chunks: (version, indexes) => {
      asked.push([...indexes]);
      return store.chunks(version, indexes);
    },
  };
  return { reader, asked };
}

function page(result: ListPricesResult): PriceListingPage {
  if (result.status !== 'page') throw new Error(`expected a page, got ${result.status}`);
  return result.page;
}

/** Every page, following nextCursor from the first. */
async function walk(store: InMemoryCatalogSnapshot, limit: number): Promise<PriceListingPage[]> {
  const pages = [page(await listPrices(store, { limit }))];
  for (let cursor = pages[0]?.nextCursor; cursor !== undefined;) {
    const next = page(await listPrices(store, { limit, cursor: decodeCursor(cursor) }));
    pages.push(next);
    cursor = next.nextCursor;
  }
  return pages;
}

const errorOf = async (promise: Promise<unknown>): Promise<HttpError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
};

describe('listPrices', () => {
  it('answers a first page from the head alone: one read, whatever the catalog size', async () => {
    for (const size of [15, 10_000]) {
      const store = await published(listingEntries(size));
      const first = page(await listPrices(store, { limit: 100 }));
      expect(first.prices).toHaveLength(Math.min(size, 100));
      expect(first.prices[0]?.priceId).toBe('price-00000');
      expect(first.nextCursor === undefined).toBe(size <= 100);
      expect(store.reads).toEqual({ head: 1, chunks: 0 });
    }
  });

  it.each([1, 7, 100])(
    'walks 250 entries with limit %i: every entry once, in order, no cursor after the last page',
    async (limit) => {
      const listing = listingEntries(250);
      const store = await published(listing);
      const pages = await walk(store, limit);
      expect(pages.flatMap((p) => p.prices)).toEqual(listing);
      expect(pages).toHaveLength(Math.ceil(250 / limit));
      expect(pages.at(-1)?.nextCursor).toBeUndefined();
      // The head for every page (a container keeps it a few seconds: CachedCatalogSnapshot),
      // and one (batched) chunk read for each page that reaches past the head's chunk.
      const reachingPastTheHead = pages.filter((_, i) => Math.min(250, (i + 1) * limit) > 100);
      expect(store.reads).toEqual({ head: pages.length, chunks: reachingPastTheHead.length });
    },
  );

  it('keeps a paging client on the snapshot it started from when the catalog changes', async () => {
    const before = listingEntries(150);
    const store = await published(before);
    const first = page(await listPrices(store, { limit: 100 }));
    const after = listingEntries(151).slice(1); // price-00000 removed, one added at the end
    await publish(store, after, '2026-12-01T00:01:00.000Z');

    const second = page(
      await listPrices(store, { limit: 100, cursor: decodeCursor(first.nextCursor ?? '') }),
    );
    expect([...first.prices, ...second.prices]).toEqual(before);
    // A client starting again sees the change at once.
    expect(page(await listPrices(store, { limit: 1 })).prices[0]?.priceId).toBe('price-00001');
  });

  it('answers 400 cursor_expired for a replaced snapshot that has expired', async () => {
    const store = await published(listingEntries(150));
    const first = page(await listPrices(store, { limit: 100 }));
    await publish(store, listingEntries(151), '2026-12-01T00:01:00.000Z');
    store.expire(listingVersion(listingEntries(150)));
    const error = await errorOf(
      listPrices(store, { limit: 100, cursor: decodeCursor(first.nextCursor ?? '') }),
    );
    expect([error.status, error.code]).toEqual([400, 'cursor_expired']);
    expect(error.message).toBe(
      'The cursor is from a listing that has since changed and expired; start again from the first page.',
    );
  });

  it('answers 400 invalid_cursor, reading no chunk, for a cursor of the current snapshot past its end or in other chunks', async () => {
    const store = await published(listingEntries(150));
    const version = listingVersion(listingEntries(150));
    const { reader, asked } = recordingChunkReads(store);
    for (const cursor of [
      { version, offset: 150, chunkSize: 100 },
      { version, offset: 50, chunkSize: 50 },
      // The forged cursor of issue 21: chunks of one entry, so a page would be 100 reads.
      { version, offset: 1000, chunkSize: 1 },
      { version, offset: 1, chunkSize: 1 },
      { version, offset: Number.MAX_SAFE_INTEGER, chunkSize: 100 },
    ]) {
      const error = await errorOf(listPrices(reader, { limit: 100, cursor }));
      expect([error.status, error.code]).toEqual([400, 'invalid_cursor']);
      expect(error.message).toBe(
        'The cursor is not one this listing handed out; use nextCursor as given.',
      );
    }
    expect(asked).toEqual([]);
  });

  it('answers 400 cursor_expired, reading no chunk, for another snapshot in chunks of another size', async () => {
    const store = await published(listingEntries(150));
    const { reader, asked } = recordingChunkReads(store);
    for (const chunkSize of [1, 99, 101]) {
      const cursor = { version: 'another', offset: 1000, chunkSize };
      const error = await errorOf(listPrices(reader, { limit: 100, cursor }));
      expect([error.status, error.code]).toEqual([400, 'cursor_expired']);
    }
    expect(asked).toEqual([]);
  });

  it('reads at most the chunks a page of the real chunk size spans, however the cursor is forged', async () => {
    const { store, version } = await smallChunks();
    const { reader, asked } = recordingChunkReads(store);
    const forged = [
      { version, offset: 1, chunkSize: 1 },
      { version, offset: 249, chunkSize: 10 },
      { version: 'unknown', offset: 1_000_005, chunkSize: 10 },
      { version: 'unknown', offset: 1, chunkSize: 1 },
      { version: 'unknown', offset: Number.MAX_SAFE_INTEGER, chunkSize: 10 },
    ];
    for (const cursor of forged) {
      await listPrices(reader, { limit: 25, cursor }).catch(() => undefined);
    }
    // Refused unread: the chunks of one (the first, of the current snapshot; the fourth, of
    // another). Read: the one chunk the current snapshot has at 249, and an unknown
    // snapshot's chunks of a page of 25 in tens (what a real page costs, no more).
    const last = Math.floor(Number.MAX_SAFE_INTEGER / 10);
    expect(asked).toEqual([[24], [100_000, 100_001, 100_002], [last, last + 1, last + 2]]);
  });

  it('answers 503 catalog_unavailable, with Retry-After, before the first snapshot', async () => {
    const error = await errorOf(listPrices(new InMemoryCatalogSnapshot(), { limit: 100 }));
    expect([error.status, error.code]).toEqual([503, 'catalog_unavailable']);
    expect(error.message).toBe('The price list is being prepared; try again shortly.');
    expect(error.headers['retry-after']).toBe('30');
  });

  it('gives each page an ETag, and answers not-modified when If-None-Match has it', async () => {
    const store = await published(listingEntries(150));
    const first = await listPrices(store, { limit: 100 });
    const again = await listPrices(store, { limit: 100 }, first.etag);
    expect(again).toEqual({ status: 'not-modified', etag: first.etag });

    // Another window of the same snapshot, or another snapshot, is another ETag.
    expect((await listPrices(store, { limit: 99 })).etag).not.toBe(first.etag);
    await publish(store, listingEntries(151), '2026-12-01T00:01:00.000Z');
    const changed = await listPrices(store, { limit: 100 }, first.etag);
    expect(changed.status).toBe('page');
    expect(changed.etag).not.toBe(first.etag);
  });

  it('gives every page of a snapshot its own ETag, and never answers one page with another’s', async () => {
    const store = await published(listingEntries(250));
    const first = await listPrices(store, { limit: 100 });
    const pages = [first];
    for (let next = page(first).nextCursor; next !== undefined;) {
      const result = await listPrices(store, { limit: 100, cursor: decodeCursor(next) });
      pages.push(result);
      next = page(result).nextCursor;
    }
    const etags = pages.map((result) => result.etag);
    expect(new Set(etags).size).toBe(3);

    // Asking for page 2 or 3 while holding another page's ETag gets the page itself.
    const cursors = pages.slice(0, 2).map((result) => decodeCursor(page(result).nextCursor ?? ''));
    for (const [index, cursor] of cursors.entries()) {
      for (const foreign of etags.filter((_, other) => other !== index + 1)) {
        const answer = await listPrices(store, { limit: 100, cursor }, foreign);
        expect(answer).toEqual(pages[index + 1]);
      }
    }
    // And the first page, asked with a later page's ETag, too.
    expect(await listPrices(store, { limit: 100 }, `${etags[1] ?? ''}, ${etags[2] ?? ''}`)).toEqual(
      first,
    );
  });

  it('knows a later page the caller holds without reading anything: a version never changes', async () => {
    const store = await published(listingEntries(150));
    const cursor = decodeCursor(page(await listPrices(store, { limit: 100 })).nextCursor ?? '');
    const second = await listPrices(store, { limit: 100, cursor });
    const reads = { ...store.reads };
    expect(await listPrices(store, { limit: 100, cursor }, second.etag)).toEqual({
      status: 'not-modified',
      etag: second.etag,
    });
    expect(store.reads).toEqual(reads);
  });

  it('reads the chunks a first page needs beyond the head in one read, when chunks are smaller than a page', async () => {
    const { listing, store, version } = await smallChunks();
    const { reader, asked } = recordingChunkReads(store);
    const first = page(await listPrices(reader, { limit: 25 }));
    expect(first.prices).toEqual(listing.slice(0, 25));
    expect(decodeCursor(first.nextCursor ?? '')).toEqual({ version, offset: 25, chunkSize: 10 });
    // Chunk 0 came with the head; 1 and 2 are one batched read.
    expect(asked).toEqual([[1, 2]]);
    expect(store.reads).toEqual({ head: 1, chunks: 1 });
  });

  it('asks only for the chunks a later page covers (a batch read takes at most 100 keys)', async () => {
    const { listing, store, version } = await smallChunks();
    const { reader, asked } = recordingChunkReads(store);
    const second = page(
      await listPrices(reader, { limit: 25, cursor: { version, offset: 25, chunkSize: 10 } }),
    );
    expect(second.prices).toEqual(listing.slice(25, 50));
    const last = await listPrices(reader, {
      limit: 25,
      cursor: { version, offset: 240, chunkSize: 10 },
    });
    expect(page(last).prices).toEqual(listing.slice(240));
    // Entries 25..49 lie in chunks 2..4; 240..264 in 24..26, of which the head says only
    // 24 exists: only it is read.
    expect(asked).toEqual([[2, 3, 4], [24]]);
  });

  it('fails (a server error, not a short page) when a chunk of the first page is missing', async () => {
    const { store, version } = await smallChunks();
    store.stored.delete(`${version}#1`);
    await expect(listPrices(store, { limit: 25 })).rejects.toThrow(
      new Error(`Snapshot ${version} is missing a chunk of its first page.`),
    );
  });

  it('fails (a server error, not a short page) when a later chunk of a cursor’s page is missing', async () => {
    const { store, version } = await smallChunks();
    store.stored.delete(`${version}#11`);
    await expect(
      listPrices(store, { limit: 25, cursor: { version, offset: 100, chunkSize: 10 } }),
    ).rejects.toThrow(new Error(`Snapshot ${version} is missing a chunk.`));
  });

  it('fails (a server error, not a short page) on a chunk holding fewer entries than its snapshot counts', async () => {
    const { store, version } = await smallChunks();
    const key = `${version}#11`;
    const chunk = store.stored.get(key);
    if (!chunk) throw new Error('chunk 11 should be stored');
    store.stored.set(key, { ...chunk, entries: chunk.entries.slice(0, 5) });
    await expect(
      listPrices(store, { limit: 25, cursor: { version, offset: 100, chunkSize: 10 } }),
    ).rejects.toThrow(new Error(`Snapshot ${version} is missing a chunk.`));
  });
});

describe('etagMatches', () => {
  const etag = '"abc.0.100"';
  it.each([
    [etag, true],
    [`W/${etag}`, true],
    [`"other", ${etag}`, true],
    ['*', true],
    ['"abc.0.99"', false],
    // `W/` marks a weak tag only in front of it; inside the quotes it is part of the tag.
    ['"abc.W/0.100"', false],
    ['abc.0.100', false],
    ['', false],
  ])('If-None-Match %s → %s', (header, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });
  it('matches nothing without the header', () => {
    expect(etagMatches(undefined, etag)).toBe(false);
  });
});

describe('cursors', () => {
  it('round-trip, and are opaque base64url', () => {
    const cursor = { version: 'v1_-A', offset: 300, chunkSize: 100 };
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it('accept the smallest offset and chunk size', () => {
    const cursor = { version: 'v', offset: 1, chunkSize: 1 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  /** A cursor of exactly `length` characters (a multiple of 4), padded inside its JSON. */
  const cursorOfLength = (length: number) => {
    const json = '["v",1,100]';
    const raw = Buffer.from(json.padEnd((length / 4) * 3, ' ')).toString('base64url');
    expect(raw).toHaveLength(length);
    return raw;
  };

  it('accept a cursor of up to 128 characters and reject a longer one, even if well formed', () => {
    expect(decodeCursor(cursorOfLength(128))).toEqual({ version: 'v', offset: 1, chunkSize: 100 });
    expect(() => decodeCursor(cursorOfLength(132))).toThrow(
      'The cursor is not one this listing handed out; use nextCursor as given.',
    );
  });

  const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['an object', encoded({ version: 'v', offset: 1, chunkSize: 100 })],
    ['a zero offset', encoded(['v', 0, 100])],
    ['a fractional offset', encoded(['v', 1.5, 100])],
    ['a negative chunk size', encoded(['v', 1, -100])],
    ['a version with other characters', encoded(['v/../x', 1, 100])],
    ['too long', 'A'.repeat(129)],
    ['an array of four', encoded(['v', 1, 100, 'extra'])],
    // Node's decoder would skip these characters and read the cursor they were added to.
    ['padded', `${encodeCursor({ version: 'v', offset: 1, chunkSize: 100 })}==`],
    ['with a leading space', ` ${encodeCursor({ version: 'v', offset: 1, chunkSize: 100 })}`],
    ['with a leading dot', `.${encodeCursor({ version: 'v', offset: 1, chunkSize: 100 })}`],
  ])('rejects %s with 400 invalid_cursor', (_name, raw) => {
    let caught: unknown;
    try {
      decodeCursor(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect([(caught as HttpError).status, (caught as HttpError).code]).toEqual([
      400,
      'invalid_cursor',
    ]);
  });
});
