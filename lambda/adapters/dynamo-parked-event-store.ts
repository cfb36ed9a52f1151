import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  EventToPark,
  ParkedEvent,
  ParkedEventPage,
  ParkedEventStore,
  ParkedEventSummary,
} from '../domain/parked-event';
import { PARKED_EVENTS_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = PARKED_EVENTS_TABLE.partitionKey.name;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** DynamoDB's item limit: attribute names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Headroom for what `itemBytes` does not count exactly (number encoding, rounding). */
const ITEM_MARGIN_BYTES = 1024;
/** Reasons are built by the pipeline and short; this only keeps a runaway one storable. */
export const MAX_REASON_CHARS = 2000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

interface ParkedItem {
  readonly eventId: string;
  readonly type: string;
  readonly reason: string;
  readonly parkedAt: string;
  readonly rawBodyStored: boolean;
  /** The body's size as delivered, before compression. */
  readonly rawBodyBytes: number;
  readonly rawBodyEncoding?: 'gzip';
  readonly rawBody?: Uint8Array;
  readonly parkedAgainCount?: number;
  readonly parkedAgainReason?: string;
  readonly parkedAgainAt?: string;
}

/**
 * Parked events in the parked-events table (key `eventId`), one item per event.
 *
 * A webhook body can be up to 1 MiB and an item at most 400 KB, so the body is stored
 * gzip-compressed in a binary attribute (Stripe's JSON compresses 5-20×); when even that
 * does not fit, the item is stored without it (`rawBodyStored: false`) and a replay fetches
 * the event from Stripe by id. Parking never fails for size.
 */
export class DynamoParkedEventStore implements ParkedEventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async park(event: EventToPark): Promise<{ rawBodyStored: boolean }> {
    const base = {
      eventId: event.eventId,
      type: event.type,
      reason: truncate(event.reason, MAX_REASON_CHARS),
      parkedAt: event.parkedAt,
      rawBodyBytes: event.rawBody.length,
    };
    const compressed = await gzipAsync(event.rawBody);
    const withBody: ParkedItem = {
      ...base,
      rawBodyStored: true,
      rawBodyEncoding: 'gzip',
      rawBody: compressed,
    };
    const item: ParkedItem =
      itemBytes(withBody) + ITEM_MARGIN_BYTES <= MAX_ITEM_BYTES
        ? withBody
        : { ...base, rawBodyStored: false };
    // Only the first parking of an event id writes the item: a later one (a redelivery
    // after the parking was written but its ledger record was not, another way in, or
    // anything else claiming the same id) must not replace the body delivered first. Twice
    // at most: the item can be replayed away between the two writes, then it is new again.
    for (let attempt = 0; attempt < 2; attempt++) {
      const first = await conditionalWrite(
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#key)',
            ExpressionAttributeNames: { '#key': KEY },
          }),
        ),
      );
      if (first) return { rawBodyStored: item.rawBodyStored };
      const again = await this.recordParkedAgain(event.eventId, base.reason, event.parkedAt);
      if (again !== undefined) return again;
    }
    throw new Error(`Parking ${event.eventId} raced its removal twice.`);
  }

  /** Beside the first parking: how often the event id was parked since, and the latest why. */
  private async recordParkedAgain(
    eventId: string,
    reason: string,
    parkedAt: string,
  ): Promise<{ rawBodyStored: boolean } | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [KEY]: eventId },
          UpdateExpression: 'ADD #count :one SET #lastReason = :reason, #lastParkedAt = :parkedAt',
          ConditionExpression: 'attribute_exists(#key)',
          ExpressionAttributeNames: {
            '#key': KEY,
            '#count': 'parkedAgainCount',
            '#lastReason': 'parkedAgainReason',
            '#lastParkedAt': 'parkedAgainAt',
          },
          ExpressionAttributeValues: { ':one': 1, ':reason': reason, ':parkedAt': parkedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { rawBodyStored: (Attributes as ParkedItem | undefined)?.rawBodyStored === true };
    } catch (error) {
      // Removed (replayed) in between: nothing to record beside; the caller parks anew.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<ParkedEventPage> {
    const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new ScanCommand({
        TableName: this.tableName,
        // Summaries only: bodies can be hundreds of KB each.
        ProjectionExpression:
          '#eventId, #type, #reason, #parkedAt, #stored, #againCount, #againReason, #againAt',
        ExpressionAttributeNames: {
          '#eventId': KEY,
          '#type': 'type',
          '#reason': 'reason',
          '#parkedAt': 'parkedAt',
          '#stored': 'rawBodyStored',
          '#againCount': 'parkedAgainCount',
          '#againReason': 'parkedAgainReason',
          '#againAt': 'parkedAgainAt',
        },
        Limit: limit,
        ConsistentRead: true,
        ...(options.cursor !== undefined
          ? { ExclusiveStartKey: { [KEY]: decodeCursor(options.cursor) } }
          : {}),
      }),
    );
    const events = Items.map((item) => summary(item as ParkedItem));
    const lastKey = LastEvaluatedKey?.[KEY] as unknown;
    return typeof lastKey === 'string'
      ? { events, nextCursor: Buffer.from(lastKey, 'utf8').toString('base64url') }
      : { events };
  }

  async get(eventId: string): Promise<ParkedEvent | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY]: eventId }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const item = Item as ParkedItem;
    return item.rawBodyStored && item.rawBody
      ? { ...summary(item), rawBody: await gunzipAsync(item.rawBody) }
      : summary(item);
  }

  async remove(eventId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { [KEY]: eventId } }));
  }
}

const summary = (item: ParkedItem): ParkedEventSummary => ({
  eventId: item.eventId,
  type: item.type,
  reason: item.reason,
  parkedAt: item.parkedAt,
  rawBodyStored: item.rawBodyStored,
  ...(item.parkedAgainCount !== undefined
    ? {
        parkedAgain: {
          count: item.parkedAgainCount,
          lastReason: item.parkedAgainReason ?? '',
          lastParkedAt: item.parkedAgainAt ?? '',
        },
      }
    : {}),
});

/**
 * An item's size as DynamoDB counts it: each attribute's name plus its value (UTF-8 bytes
 * of a string, the bytes of a binary, 1 for a boolean, up to 21 for a number).
 */
function itemBytes(item: ParkedItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else if (value instanceof Uint8Array) bytes += value.length;
    else if (typeof value === 'boolean') bytes += 1;
    else bytes += 21;
  }
  return bytes;
}

function decodeCursor(cursor: string): string {
  const eventId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (eventId === '') throw new Error('The parked-events cursor is not valid.');
  return eventId;
}

/** At most `maxChars` UTF-16 units, never ending on half a surrogate pair. */
const truncate = (text: string, maxChars: number): string =>
  text.length <= maxChars
    ? text
    : `${text.slice(0, maxChars - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
