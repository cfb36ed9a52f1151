import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoReconciliationStateStore } from '../../../../lambda/adapters/dynamo-reconciliation-state';
import { NO_COUNTS, type ReconciliationState } from '../../../../lambda/domain/reconciliation';
import { RECONCILIATION_STATE_TABLE } from '../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import {
  consistentReadsOf,
  recordRequests,
  type SentRequest,
} from '../../../support/dynamo-requests';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The reconciliation's saved cursor on DynamoDB Local: what a run saved is what the next
 * run loads, and a run never overwrites the state of a run that started after it.
 */
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let sent: SentRequest[];
let tableName: string;
let store: DynamoReconciliationStateStore;

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  sent = recordRequests(client);
  db = DynamoDBDocumentClient.from(client);
  tableName = uniqueProjectName('reconciliation-state');
  await createTable(client, RECONCILIATION_STATE_TABLE, tableName);
  store = new DynamoReconciliationStateStore(db, tableName);
});
afterAll(() => {
  client.destroy();
});

const CURSOR = 1_795_000_000;

const runState = (name: string, runStartedAt: string, cursor?: number): ReconciliationState => ({
  name,
  ...(cursor !== undefined ? { cursor } : {}),
  runStartedAt,
  lastRunAt: '2026-11-23T12:00:05.000Z',
  window: { from: '2026-11-23T11:45:00.000Z', to: '2026-11-23T12:00:00.000Z' },
  counts: { ...NO_COUNTS, scanned: 3, published: 1, alreadyProcessed: 2 },
});

const storedItem = async (name: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { name } }))).Item;

describe('DynamoReconciliationStateStore', () => {
  it('has no state for a reconciliation that never saved one', async () => {
    expect(await store.load('never-ran')).toBeUndefined();
  });

  it('loads exactly what a run saved: its cursor, window and counts', async () => {
    const state = runState('saved-run', '2026-11-23T12:00:00.000Z', CURSOR);
    expect(await store.save(state)).toBe(true);
    expect(await store.load('saved-run')).toStrictEqual(state);
  });

  it('writes the cursor readable (ISO 8601) beside it, for whoever looks at the table', async () => {
    await store.save(runState('readable', '2026-11-23T12:00:00.000Z', CURSOR));
    expect(await storedItem('readable')).toMatchObject({
      cursor: CURSOR,
      cursorAt: new Date(CURSOR * 1000).toISOString(),
    });
  });

  it('saves and loads a run that saw no event without any cursor', async () => {
    const state = runState('no-events', '2026-11-23T12:00:00.000Z');
    expect(await store.save(state)).toBe(true);
    expect(await store.load('no-events')).toStrictEqual(state);
    expect(await storedItem('no-events')).not.toHaveProperty('cursorAt');
  });

  it('loads an item holding only a cursor (set by hand) with empty defaults for the rest', async () => {
    await db.send(
      new PutCommand({ TableName: tableName, Item: { name: 'by-hand', cursor: CURSOR } }),
    );
    expect(await store.load('by-hand')).toStrictEqual({
      name: 'by-hand',
      cursor: CURSOR,
      runStartedAt: new Date(0).toISOString(),
      lastRunAt: new Date(0).toISOString(),
      window: { from: '', to: '' },
      counts: NO_COUNTS,
    });
  });

  it('refuses the save of a run that started before the one saved, and keeps the later one', async () => {
    const later = runState('two-runs', '2026-11-23T12:00:00.000Z', CURSOR);
    expect(await store.save(later)).toBe(true);
    const earlier = runState('two-runs', '2026-11-23T11:59:59.999Z', CURSOR - 3600);
    expect(await store.save(earlier)).toBe(false);
    expect(await store.load('two-runs')).toStrictEqual(later);

    // The same start again (the same run saving twice) and a later start are saved.
    const again = { ...later, cursor: CURSOR + 1 };
    expect(await store.save(again)).toBe(true);
    const next = runState('two-runs', '2026-11-23T12:15:00.000Z', CURSOR + 900);
    expect(await store.save(next)).toBe(true);
    expect(await store.load('two-runs')).toStrictEqual(next);
  });

  it('reads strongly consistent, so a run right after another starts from its cursor', async () => {
    sent.length = 0;
    await store.load('saved-run');
    expect(consistentReadsOf(sent, 'GetItemCommand')).toEqual([true]);
  });
});
