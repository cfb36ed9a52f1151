import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type EventPosition,
  type PublishClaim,
  SubscriptionBusyError,
  type Superseded,
  type SubscriptionOrderLedger,
} from '../domain/subscription-order';
import { SUBSCRIPTION_ORDER_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = SUBSCRIPTION_ORDER_TABLE.partitionKey.name;

/**
 * Longer than any invocation can hold it (the function timeout is 15 s): a holder that
 * crashed blocks the subscription's next event for at most this long.
 */
export const SUBSCRIPTION_LEASE_MS = 20_000;
/** Conditional writes lost to a concurrent claim before the delivery is retried later. */
const MAX_CLAIM_ATTEMPTS = 3;

interface OrderItem {
  readonly subscriptionId: string;
  readonly lastCreated: number;
  readonly lastEventId: string;
  readonly version: number;
  readonly leaseEventId?: string;
  readonly leaseUntil?: number;
}

/**
 * The high-water mark in the subscription-order table, one item per subscription (and one
 * per customer's entitlements, keyed `entitlements:<customer id>`). A claim
 * reads the item, decides, and writes the new mark and the lease in one conditional write
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
      if (current) {
        const leased =
          current.leaseEventId !== undefined &&
          current.leaseEventId !== position.eventId &&
          (current.leaseUntil ?? 0) > this.now();
        if (leased) throw new SubscriptionBusyError(position.subscriptionId);
        const older =
          position.created < current.lastCreated ||
          (position.created === current.lastCreated &&
            position.eventId !== current.lastEventId &&
            !(await settleTie()));
        if (older) return { kind: 'superseded', newerEventId: current.lastEventId };
      }
      if (await this.write(position, current)) return this.claimed(position);
    }
    throw new SubscriptionBusyError(position.subscriptionId);
  }

  /** The new mark and the lease, if nobody wrote the item since it was read. */
  private write(position: EventPosition, read: OrderItem | undefined): Promise<boolean> {
    const item: OrderItem = {
      subscriptionId: position.subscriptionId,
      lastCreated: position.created,
      lastEventId: position.eventId,
      version: (read?.version ?? 0) + 1,
      leaseEventId: position.eventId,
      leaseUntil: this.now() + SUBSCRIPTION_LEASE_MS,
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
