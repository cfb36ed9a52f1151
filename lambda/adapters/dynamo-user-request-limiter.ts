import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Admission,
  limitWindow,
  type LimitWindow,
  secondsUntilWindowEnds,
  type UserRequestLimit,
  type UserRequestLimiter,
} from '../domain/request-limit';
import { userKey } from '../domain/stripe-identity';
import { USER_RATE_LIMITS_TABLE } from '../shared/tables';
import { conditionalWrite } from './conditional-write';

const KEY = USER_RATE_LIMITS_TABLE.partitionKey.name;

/** The counter item of a user's window: `<user key>#<window start, epoch seconds>`. */
export const requestCounterKey = (userId: string, window: LimitWindow): string =>
  `${userKey(userId)}#${String(window.startSeconds)}`;

/**
 * The per-user limit in the rate-limits table: one conditional `UpdateItem` per request,
 * which adds one to the window's count only while the count is below the limit. The check
 * and the count are one atomic write, so concurrent requests of one user (in any number of
 * function instances) can never pass more than `requests` in a window; a refused request
 * writes nothing. The item expires by TTL when its window ends.
 *
 * A write the SDK retried after a lost answer may count one request twice: that errs
 * towards refusing early, never towards letting more through.
 */
export class DynamoUserRequestLimiter implements UserRequestLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limit: UserRequestLimit,
    /** The clock (tests move it); `Date.now` by default. */
    private readonly now: () => number = Date.now,
  ) {}

  async admit(userId: string, signal?: AbortSignal): Promise<Admission> {
    const nowMs = this.now();
    const window = limitWindow(nowMs, this.limit.windowSeconds);
    const counted = await conditionalWrite(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [KEY]: requestCounterKey(userId, window) },
          UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: {
            '#count': USER_RATE_LIMITS_TABLE.countAttribute,
            '#ttl': USER_RATE_LIMITS_TABLE.timeToLiveAttribute,
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': this.limit.requests,
            ':ttl': window.endSeconds,
          },
        }),
        // The caller's deadline cancels the HTTP request itself, retries included.
        signal ? { abortSignal: signal } : {},
      ),
    );
    return counted
      ? { admitted: true }
      : { admitted: false, retryAfterSeconds: secondsUntilWindowEnds(window, nowMs) };
  }
}
