import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogSyncRecord, CatalogSyncRepository } from '../domain/catalog-sync';
import { CATALOG_SYNC_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = CATALOG_SYNC_TABLE.partitionKey.name;

export class DynamoCatalogSyncRepository implements CatalogSyncRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(priceId: string): Promise<CatalogSyncRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY]: priceId }, ConsistentRead: true }),
    );
    return Item as CatalogSyncRecord | undefined;
  }

  async save(
    record: CatalogSyncRecord,
    expectedStripePriceId: string | undefined,
  ): Promise<boolean> {
    const previous =
      expectedStripePriceId === undefined
        ? 'attribute_not_exists(#key)'
        : '#stripePriceId = :expected';
    return conditionalWrite(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: `${previous} OR #stripePriceId = :new`,
          ExpressionAttributeNames: {
            '#stripePriceId': 'stripePriceId',
            ...(expectedStripePriceId === undefined ? { '#key': KEY } : {}),
          },
          ExpressionAttributeValues: {
            ':new': record.stripePriceId,
            ...(expectedStripePriceId === undefined ? {} : { ':expected': expectedStripePriceId }),
          },
        }),
      ),
    );
  }
}
