import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  claimedMark,
  decideClaim,
  type EventPosition,
  type OrderMark,
  type PublishClaim,
  SubscriptionBusyError,
  type Superseded,
  type SubscriptionOrderLedger,
} from '../domain/subscription-order';
import { SUBSCRIPTION_ORDER_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = SUBSCRIPTION_ORDER_TABLE.partitionKey.name;

/** Conditional writes lost to a concurrent claim before the delivery is retried later. */
const MAX_CLAIM_ATTEMPTS = 3;

interface OrderItem extends OrderMark {
  readonly subscriptionId: string;
  readonly version: number;
}

/**
 * The high-water mark in the subscription-order table, one item per subscription (and one
 * per customer's entitlements, keyed `entitlements:<customer id>`). A claim
 * reads the item, decides (`decideClaim`, the rule every ledger shares), and writes the
 * new mark and the lease in one conditional write
 * on the version it read (optimistic concurrency), so two claims never both win. The mark
 * moves at the claim, not after the publish: an older event arriving while the newer one
 * is published (or after its publish failed and before Stripe's retry) is superseded, and
 * the newer event's own retry passes (same event id).
 */
export class DynamoSubscriptionOrderLedger implements SubscriptionOrderLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(
    position: EventPosition,
    settleTie: () => Promise<boolean>,
  ): Promise<PublishClaim | Superseded> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [KEY]: position.subscriptionId },
          ConsistentRead: true,
        }),
      );
      const current = Item as OrderItem | undefined;
      const decision = await decideClaim(current, position, this.now(), settleTie);
      if (decision.kind === 'busy') throw new SubscriptionBusyError(position.subscriptionId);
      if (decision.kind === 'superseded') return decision;
      if (await this.write(position, current)) return this.claimed(position);
    }
    throw new SubscriptionBusyError(position.subscriptionId);
  }

  /** The new mark and the lease, if nobody wrote the item since it was read. */
  private write(position: EventPosition, read: OrderItem | undefined): Promise<boolean> {
    const item: OrderItem = {
      subscriptionId: position.subscriptionId,
      ...claimedMark(position, this.now()),
      version: (read?.version ?? 0) + 1,
    };
    return conditionalWrite(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(read
            ? {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': read.version },
              }
            : {
                ConditionExpression: 'attribute_not_exists(#key)',
                ExpressionAttributeNames: { '#key': KEY },
              }),
        }),
      ),
    );
  }

  private claimed(position: EventPosition): PublishClaim {
    return {
      kind: 'claimed',
      release: async () => {
        await conditionalWrite(
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { [KEY]: position.subscriptionId },
              UpdateExpression: 'REMOVE #leaseEventId, #leaseUntil',
              ConditionExpression: '#leaseEventId = :eventId',
              ExpressionAttributeNames: {
                '#leaseEventId': 'leaseEventId',
                '#leaseUntil': 'leaseUntil',
              },
              ExpressionAttributeValues: { ':eventId': position.eventId },
            }),
          ),
        );
      },
    };
  }
}
