import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoParkedEventStore,
  MAX_ITEM_BYTES,
  MAX_REASON_CHARS,
} from '../../../../lambda/adapters/dynamo-parked-event-store';
import { PARKED_EVENTS_TABLE } from '../../../../lambda/shared/tables';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../../lambda/webhook/routes/stripe-webhook';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The parked-event store on its own table in DynamoDB Local, without a local stack (the
 * pipeline's parking through the webhook is dynamo-parked-event-store.test.ts): what fits
 * an item, how reasons are cut, paging and reads. Kept apart so the mutation run's tests
 * of the store do not each start a whole stack.
 */
let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let tableName: string;
let store: DynamoParkedEventStore;
beforeAll(async () => {
  dynamo = localDynamoClient(serviceEndpoint('dynamodb'));
  documents = DynamoDBDocumentClient.from(dynamo);
  tableName = uniqueProjectName('parked');
  await createTable(dynamo, PARKED_EVENTS_TABLE, tableName);
  store = new DynamoParkedEventStore(documents, tableName);
});
afterAll(() => {
  dynamo.destroy();
});

describe('DynamoParkedEventStore', () => {
  it('keeps any body up to 1 MiB: compressed, or without it when even that is over 400 KB', async () => {
    const park = (eventId: string, rawBody: Buffer) =>
      store.park({
        eventId,
        type: 'invoice.payment_failed',
        reason: 'r',
        parkedAt: new Date().toISOString(),
        rawBody,
      });
    const compressible = Buffer.from(`{"pad":"${'ab'.repeat(512 * 1024 - 8)}"}`);
    expect(compressible.length).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES);
    expect(await park('evt_store_compressible', compressible)).toEqual({ rawBodyStored: true });
    expect((await store.get('evt_store_compressible'))?.rawBody?.equals(compressible)).toBe(true);

    // Random bytes do not compress: just under the item limit they still fit, over it not.
    const fits = randomBytes(MAX_ITEM_BYTES - 4 * 1024);
    expect(await park('evt_store_fits', fits)).toEqual({ rawBodyStored: true });
    expect((await store.get('evt_store_fits'))?.rawBody?.equals(fits)).toBe(true);
    expect(await park('evt_store_too_big', randomBytes(MAX_WEBHOOK_BODY_BYTES))).toEqual({
      rawBodyStored: false,
    });
    const { Item } = await documents.send(
      new GetCommand({
        TableName: tableName,
        Key: { eventId: 'evt_store_too_big' },
      }),
    );
    expect(Item).toMatchObject({ rawBodyStored: false, rawBodyBytes: MAX_WEBHOOK_BODY_BYTES });
  });

  it('lists summaries page by page, and removes', async () => {
    const ids = ['evt_list_a', 'evt_list_b', 'evt_list_c'];
    for (const eventId of ids) {
      await store.park({
        eventId,
        type: 't',
        reason: 'r',
        parkedAt: '2026-01-01T00:00:00.000Z',
        rawBody: Buffer.from('{}'),
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(2);
      for (const summary of page.events) expect(summary).not.toHaveProperty('rawBody');
      seen.push(...page.events.map((e) => e.eventId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);

    await store.remove('evt_list_b');
    await store.remove('evt_never_parked');
    expect(await store.get('evt_list_b')).toBeUndefined();
  });

  const parkWith = (eventId: string, reason: string, rawBody = Buffer.from('{}')) =>
    store.park({
      eventId,
      type: 'invoice.payment_failed',
      reason,
      parkedAt: '2026-01-01T00:00:00.000Z',
      rawBody,
    });

  it('keeps the body while the item stays 1 KB under DynamoDB’s limit, and not a byte beyond', async () => {
    // Random bytes barely compress: the stored body is about their size, and the reason
    // (a byte per ASCII character) then brings the item to exactly the size wanted.
    const rawBody = randomBytes(MAX_ITEM_BYTES - 3 * 1024);
    const withoutReason = dynamoItemBytes({
      eventId: 'evt_store_limit_in',
      type: 'invoice.payment_failed',
      reason: '',
      parkedAt: '2026-01-01T00:00:00.000Z',
      rawBodyBytes: rawBody.length,
      rawBodyStored: true,
      rawBodyEncoding: 'gzip',
      // What the store writes: gzip at its default settings is deterministic.
      rawBody: gzipSync(rawBody),
    });
    const reasonChars = MAX_ITEM_BYTES - ITEM_HEADROOM_BYTES - withoutReason;
    expect(reasonChars).toBeGreaterThan(0);
    expect(reasonChars).toBeLessThan(MAX_REASON_CHARS);

    const atTheEdge = await parkWith('evt_store_limit_in', 'r'.repeat(reasonChars), rawBody);
    expect(atTheEdge).toEqual({ rawBodyStored: true });
    expect((await store.get('evt_store_limit_in'))?.rawBody?.equals(rawBody)).toBe(true);
    // The same size of id, one more byte of reason.
    const overIt = await parkWith('evt_store_limit_ox', 'r'.repeat(reasonChars + 1), rawBody);
    expect(overIt).toEqual({ rawBodyStored: false });
    expect(await store.get('evt_store_limit_ox')).toMatchObject({ rawBodyStored: false });
  });

  it('keeps a reason of up to 2,000 characters as it is, and cuts a longer one with an ellipsis', async () => {
    const exact = 'a'.repeat(MAX_REASON_CHARS);
    await parkWith('evt_reason_exact', exact);
    expect((await store.get('evt_reason_exact'))?.reason).toBe(exact);

    await parkWith('evt_reason_long', `${'b'.repeat(MAX_REASON_CHARS)}tail`);
    expect((await store.get('evt_reason_long'))?.reason).toBe(
      `${'b'.repeat(MAX_REASON_CHARS - 1)}…`,
    );
  });

  it('never cuts a reason between the two halves of a character', async () => {
    // The cut (after 1,999 UTF-16 units) falls inside the second emoji; the first one,
    // well before the cut, stays whole.
    const reason = `😀${'c'.repeat(MAX_REASON_CHARS - 4)}😀 and more`;
    await parkWith('evt_reason_pair', reason);
    expect((await store.get('evt_reason_pair'))?.reason).toBe(
      `😀${'c'.repeat(MAX_REASON_CHARS - 4)}…`,
    );
  });

  it('lists as many events per page as asked for', async () => {
    for (const eventId of ['evt_page_a', 'evt_page_b', 'evt_page_c']) await parkWith(eventId, 'r');
    const page = await store.list({ limit: 2 });
    expect(page.events).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(store.list({ cursor: '' })).rejects.toThrow(
      'The parked-events cursor is not valid.',
    );
  });

  it('reads strongly consistently, so an event parked a moment ago is listed and found', async () => {
    // DynamoDB Local is always consistent: what the store asks of DynamoDB is checked.
    const client = localDynamoClient(serviceEndpoint('dynamodb'));
    const consistentReads: Record<string, unknown> = {};
    client.middlewareStack.add(
      (next, context) => (args) => {
        const input = args.input as { ConsistentRead?: boolean };
        if ('ConsistentRead' in input) {
          consistentReads[String(context.commandName)] = input.ConsistentRead;
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordConsistentRead' },
    );
    const recorded = new DynamoParkedEventStore(DynamoDBDocumentClient.from(client), tableName);
    try {
      await recorded.park({
        eventId: 'evt_consistent',
        type: 't',
        reason: 'r',
        parkedAt: '2026-01-01T00:00:00.000Z',
        rawBody: Buffer.from('{}'),
      });
      expect(await recorded.get('evt_consistent')).toMatchObject({ eventId: 'evt_consistent' });
      expect((await recorded.list({ limit: 1 })).events).toHaveLength(1);
    } finally {
      client.destroy();
    }
    expect(consistentReads).toEqual({ GetItemCommand: true, ScanCommand: true });
  });
});

/** The headroom the store keeps under DynamoDB's item limit for what it counts roughly. */
const ITEM_HEADROOM_BYTES = 1024;

/**
 * An item's size as DynamoDB documents it: each attribute's name and value in UTF-8
 * bytes, a binary's bytes, 1 for a boolean, and a number at its maximum of 21.
 */
function dynamoItemBytes(item: Record<string, string | number | boolean | Uint8Array>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (value instanceof Uint8Array) bytes += value.length;
    else bytes += typeof value === 'boolean' ? 1 : 21;
  }
  return bytes;
}
