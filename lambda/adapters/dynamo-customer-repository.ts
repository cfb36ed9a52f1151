import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerDirectory } from '../domain/billing-event';
import type { CustomerRecord, CustomerRepository } from '../domain/customer';
import { CUSTOMERS_BY_STRIPE_ID_INDEX, CUSTOMERS_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = CUSTOMERS_TABLE.partitionKey.name;

export class DynamoCustomerRepository implements CustomerRepository, CustomerDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<CustomerRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [KEY]: userId }, ConsistentRead: true }),
    );
    return Item as CustomerRecord | undefined;
  }

  async createIfAbsent(record: CustomerRecord): Promise<boolean> {
    return conditionalWrite(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': KEY },
        }),
      ),
    );
  }

  async completeMapping(userId: string, stripeCustomerId: string, now: string): Promise<boolean> {
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [KEY]: userId },
          UpdateExpression: 'SET #customer = :customer, #updatedAt = :now',
          ConditionExpression: 'attribute_exists(#key) AND attribute_not_exists(#customer)',
          ExpressionAttributeNames: {
            '#key': KEY,
            '#customer': 'stripeCustomerId',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: { ':customer': stripeCustomerId, ':now': now },
        }),
      ),
    );
  }

  async updateContact(
    userId: string,
    contact: { email?: string; role?: string },
    now: string,
  ): Promise<void> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#key': KEY };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    for (const field of ['email', 'role'] as const) {
      const value = contact[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [KEY]: userId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async replaceStripeCustomer(
    userId: string,
    from: string,
    to: string,
    now: string,
  ): Promise<boolean> {
    return conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [KEY]: userId },
          UpdateExpression: 'SET #customer = :to, #updatedAt = :now',
          ConditionExpression: '#customer = :from',
          ExpressionAttributeNames: { '#customer': 'stripeCustomerId', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':now': now },
        }),
      ),
    );
  }

  /** Through the GSI on `stripeCustomerId` (eventually consistent, as every GSI read). */
  async userIdForStripeCustomer(stripeCustomerId: string): Promise<string | undefined> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: CUSTOMERS_BY_STRIPE_ID_INDEX.indexName,
        KeyConditionExpression: '#customer = :customer',
        ExpressionAttributeNames: { '#customer': CUSTOMERS_BY_STRIPE_ID_INDEX.partitionKey.name },
        ExpressionAttributeValues: { ':customer': stripeCustomerId },
        Limit: 1,
      }),
    );
    const userId = Items[0]?.[KEY] as unknown;
    return typeof userId === 'string' ? userId : undefined;
  }
}
