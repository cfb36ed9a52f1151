import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { EVENT_LEDGER_TABLE } from '../shared/tables';
import { ledgerKeyPayload } from './idempotent-processor';
import type { ForgetParkedResult, ParkedOutcomeLedger } from '../domain/event-ledger';

/** Powertools' attribute names, as the event pipeline's persistence layer leaves them. */
const STATUS_ATTRIBUTE = 'status';
const DATA_ATTRIBUTE = 'data';
const COMPLETED = 'COMPLETED';

/**
 * Powertools' DynamoDB persistence layer, configured as the event pipeline configures its
 * own (`lambda/adapters/idempotent-processor.ts`: the key is the prefix and the hash of
 * `ledgerKeyPayload`), so the key it computes is the key the pipeline wrote.
 */
class LedgerKeys extends DynamoDBPersistenceLayer {
  constructor(dynamo: DynamoDBClient, tableName: string, keyPrefix: string) {
    super({
      tableName,
      keyAttr: EVENT_LEDGER_TABLE.partitionKey.name,
      expiryAttr: EVENT_LEDGER_TABLE.timeToLiveAttribute,
      awsSdkV3Client: dynamo,
    });
    this.configure({ config: new IdempotencyConfig({}), keyPrefix });
  }

  keyFor(eventId: string): string {
    return this.getHashedIdempotencyKey(ledgerKeyPayload(eventId));
  }
}

/**
 * The event ledger's one operation a replay of a parked event needs: forget the completed
 * record whose result says "parked", and nothing else. The delete is conditional, so a
 * record that says "published" (or a delivery in progress) is never removed, whatever
 * happens between the replay's read of the parked store and this call.
 */
export class PowertoolsEventLedger implements ParkedOutcomeLedger {
  private readonly keys: LedgerKeys;

  constructor(
    private readonly dynamo: DynamoDBClient,
    private readonly tableName: string,
    keyPrefix: string,
  ) {
    this.keys = new LedgerKeys(dynamo, tableName, keyPrefix);
  }

  async forgetParkedOutcome(eventId: string): Promise<ForgetParkedResult> {
    try {
      const { Attributes } = await this.dynamo.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [EVENT_LEDGER_TABLE.partitionKey.name]: { S: this.keys.keyFor(eventId) } },
          ConditionExpression:
            'attribute_not_exists(#key) OR (#status = :completed AND #data.#parked = :true)',
          ExpressionAttributeNames: {
            '#key': EVENT_LEDGER_TABLE.partitionKey.name,
            '#status': STATUS_ATTRIBUTE,
            '#data': DATA_ATTRIBUTE,
            '#parked': 'parked',
          },
          ExpressionAttributeValues: { ':completed': { S: COMPLETED }, ':true': { BOOL: true } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? 'absent' : 'forgotten';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'not-parked';
      throw error;
    }
  }
}
