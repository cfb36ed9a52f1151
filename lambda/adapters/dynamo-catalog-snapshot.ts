import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  CatalogSnapshotStore,
  SnapshotChunk,
  SnapshotHead,
  SnapshotToPublish,
} from '../domain/catalog-snapshot';
import type { PriceListing } from '../domain/price-listing';
import { CATALOG_SNAPSHOT_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = CATALOG_SNAPSHOT_TABLE.partitionKey.name;
const TTL = CATALOG_SNAPSHOT_TABLE.timeToLiveAttribute;
const HEAD_KEY = 'head';
const chunkKey = (version: string, index: number) => `chunk#${version}#${String(index)}`;

/** DynamoDB's limits on one BatchWriteItem and one BatchGetItem. */
const BATCH_WRITE_LIMIT = 25;
const MAX_UNPROCESSED_RETRIES = 5;

/**
 * Entries are stored as one JSON string per item: one attribute to read instead of a
 * hundred maps, which keeps a page's read and unmarshalling flat in the chunk's size.
 */
interface ChunkItem {
  readonly key: string;
  readonly version: string;
  readonly count: number;
  readonly chunkSize: number;
  readonly entries: string;
  readonly ttl?: number;
}

interface HeadItem extends ChunkItem {
  readonly builtAt: string;
  readonly expiresAt: number;
}

/** The snapshot table (`CATALOG_SNAPSHOT_TABLE`): a head item and immutable chunk items. */
export class DynamoCatalogSnapshotStore implements CatalogSnapshotStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(): Promise<SnapshotHead | undefined> {
    // Eventually consistent: half the cost, and a head a second old is well inside the
    // listing's freshness bound.
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY]: HEAD_KEY } }),
    );
    if (!Item) return undefined;
    const item = Item as HeadItem;
    return {
      version: item.version,
      builtAt: item.builtAt,
      count: item.count,
      chunkSize: item.chunkSize,
      firstChunk: JSON.parse(item.entries) as PriceListing[],
      expiresAt: item.expiresAt,
    };
  }

  async chunks(version: string, indexes: readonly number[]): Promise<Map<number, SnapshotChunk>> {
    const found = new Map<number, SnapshotChunk>();
    const keep = (item: Record<string, unknown>) => {
      const chunk = item as unknown as ChunkItem;
      const index = Number(chunk.key.slice(chunk.key.lastIndexOf('#') + 1));
      found.set(index, {
        entries: JSON.parse(chunk.entries) as PriceListing[],
        count: chunk.count,
        chunkSize: chunk.chunkSize,
      });
    };
    const [only] = indexes;
    if (indexes.length === 1 && only !== undefined) {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { [KEY]: chunkKey(version, only) } }),
      );
      if (Item) keep(Item);
      return found;
    }
    let keys: Record<string, unknown>[] = indexes.map((i) => ({ [KEY]: chunkKey(version, i) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES) {
        throw new Error(`DynamoDB left ${String(keys.length)} snapshot reads unprocessed.`);
      }
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const result = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) keep(item);
      keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return found;
  }

  async publish(snapshot: SnapshotToPublish): Promise<boolean> {
    const count = snapshot.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const common = { version: snapshot.version, count, chunkSize: snapshot.chunkSize };
    const items: ChunkItem[] = snapshot.chunks.map((entries, index) => ({
      [KEY]: chunkKey(snapshot.version, index),
      ...common,
      entries: JSON.stringify(entries),
      [TTL]: snapshot.expiresAt,
    }));
    const batches: ChunkItem[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
      batches.push(items.slice(i, i + BATCH_WRITE_LIMIT));
    }
    await Promise.all(batches.map((batch) => this.writeAll(batch)));

    // Last, so the head never names a version whose chunks are not all written; and only
    // over an older build, so a slow pass cannot put back what a later one replaced.
    const head: HeadItem = {
      [KEY]: HEAD_KEY,
      ...common,
      entries: JSON.stringify(snapshot.chunks[0] ?? []),
      builtAt: snapshot.builtAt,
      expiresAt: snapshot.expiresAt,
    };
    return conditionalWrite(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: head,
          ConditionExpression: 'attribute_not_exists(#key) OR #builtAt <= :builtAt',
          ExpressionAttributeNames: { '#key': KEY, '#builtAt': 'builtAt' },
          ExpressionAttributeValues: { ':builtAt': snapshot.builtAt },
        }),
      ),
    );
  }

  private async writeAll(items: readonly ChunkItem[]): Promise<void> {
    let requests = items.map((item) => ({ PutRequest: { Item: { ...item } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES) {
        throw new Error(`DynamoDB left ${String(requests.length)} snapshot writes unprocessed.`);
      }
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const result = await this.db.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[this.tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: { ...request.PutRequest.Item } } }] : [],
      ) as typeof requests;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
