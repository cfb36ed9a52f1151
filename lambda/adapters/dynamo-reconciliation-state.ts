import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  NO_COUNTS,
  type ReconciliationCounts,
  type ReconciliationState,
  type ReconciliationStateStore,
} from '../domain/reconciliation';
import { RECONCILIATION_STATE_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = RECONCILIATION_STATE_TABLE.partitionKey.name;

interface StateItem {
  readonly name: string;
  readonly cursor?: number;
  /** The cursor, readable (ISO 8601), for whoever looks at the table. */
  readonly cursorAt?: string;
  readonly runStartedAt: string;
  readonly lastRunAt: string;
  readonly windowFrom: string;
  readonly windowTo: string;
  readonly counts: ReconciliationCounts;
}

/** One item per reconciliation in the reconciliation-state table (key `name`). */
export class DynamoReconciliationStateStore implements ReconciliationStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(name: string): Promise<ReconciliationState | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY]: name }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const item = Item as Partial<StateItem>;
    return {
      name,
      ...(typeof item.cursor === 'number' ? { cursor: item.cursor } : {}),
      runStartedAt: item.runStartedAt ?? new Date(0).toISOString(),
      lastRunAt: item.lastRunAt ?? new Date(0).toISOString(),
      window: { from: item.windowFrom ?? '', to: item.windowTo ?? '' },
      counts: { ...NO_COUNTS, ...item.counts },
    };
  }

  async save(state: ReconciliationState): Promise<boolean> {
    const item: StateItem = {
      name: state.name,
      ...(state.cursor !== undefined
        ? { cursor: state.cursor, cursorAt: new Date(state.cursor * 1000).toISOString() }
        : {}),
      runStartedAt: state.runStartedAt,
      lastRunAt: state.lastRunAt,
      windowFrom: state.window.from,
      windowTo: state.window.to,
      counts: state.counts,
    };
    return conditionalWrite(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // ISO 8601 strings of one format compare as the times they name.
          ConditionExpression: 'attribute_not_exists(#key) OR #started <= :started',
          ExpressionAttributeNames: { '#key': KEY, '#started': 'runStartedAt' },
          ExpressionAttributeValues: { ':started': state.runStartedAt },
        }),
      ),
    );
  }
}
