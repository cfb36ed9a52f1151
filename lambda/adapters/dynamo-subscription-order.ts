import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  claimedMark,
  correctedMark,
  decideClaim,
  type EventPosition,
  type OrderMark,
  type PublishClaim,
  type PublishedMark,
  leasedToAnother,
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
  /** `subscriptionStateOf` the last message published, written by a release. */
  readonly publishedState?: string;
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
      const current = await this.read(position.subscriptionId);
      const decision = await decideClaim(current, position, this.now(), settleTie);
      if (decision.kind === 'busy') throw new SubscriptionBusyError(position.subscriptionId);
      if (decision.kind === 'superseded') return decision;
      const mark = claimedMark(position, this.now());
      if (await this.write(position.subscriptionId, mark, current)) {
        return this.claimed(position.subscriptionId, position.eventId);
      }
    }
    throw new SubscriptionBusyError(position.subscriptionId);
  }

  async published(subscriptionId: string): Promise<PublishedMark | undefined> {
    const item = await this.read(subscriptionId);
    if (!item) return undefined;
    const { lastCreated, lastEventId, publishedState } = item;
    return {
      lastCreated,
      lastEventId,
      ...(publishedState !== undefined ? { publishedState } : {}),
    };
  }

  async claimCorrection(subscriptionId: string, correctionId: string): Promise<PublishClaim> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const current = await this.read(subscriptionId);
      if (leasedToAnother(current, correctionId, this.now())) {
        throw new SubscriptionBusyError(subscriptionId);
      }
      const mark = correctedMark(current, correctionId, this.now());
      if (await this.write(subscriptionId, mark, current)) {
        return this.claimed(subscriptionId, correctionId);
      }
    }
    throw new SubscriptionBusyError(subscriptionId);
  }

  private async read(subscriptionId: string): Promise<OrderItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEY]: subscriptionId },
        ConsistentRead: true,
      }),
    );
    return Item as OrderItem | undefined;
  }

  /**
   * The new mark and the lease, if nobody wrote the item since it was read. The state last
   * published stays until the next release records another.
   */
  private write(
    subscriptionId: string,
    mark: Required<OrderMark>,
    read: OrderItem | undefined,
  ): Promise<boolean> {
    const item: OrderItem = {
      subscriptionId,
      ...mark,
      version: (read?.version ?? 0) + 1,
      ...(read?.publishedState !== undefined ? { publishedState: read.publishedState } : {}),
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

  private claimed(subscriptionId: string, eventId: string): PublishClaim {
    return {
      kind: 'claimed',
      release: async (publishedState?: string) => {
        await conditionalWrite(
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { [KEY]: subscriptionId },
              UpdateExpression:
                'REMOVE #leaseEventId, #leaseUntil' +
                (publishedState !== undefined ? ' SET #publishedState = :state' : ''),
              ConditionExpression: '#leaseEventId = :eventId',
              ExpressionAttributeNames: {
                '#leaseEventId': 'leaseEventId',
                '#leaseUntil': 'leaseUntil',
                ...(publishedState !== undefined ? { '#publishedState': 'publishedState' } : {}),
              },
              ExpressionAttributeValues: {
                ':eventId': eventId,
                ...(publishedState !== undefined ? { ':state': publishedState } : {}),
              },
            }),
          ),
        );
      },
    };
  }
}
