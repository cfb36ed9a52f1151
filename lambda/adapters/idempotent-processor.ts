import { setTimeout as sleep } from 'node:timers/promises';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  EventInProgressError,
  type EventProcessor,
  type StripeDelivery,
  EVENT_LEDGER_RECORD_DAYS,
} from '../domain/event-ledger';
import { EVENT_LEDGER_TABLE } from '../shared/tables';

export interface IdempotencyOptions {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /**
   * Explicit, because Powertools' default prefix embeds the function name: two wrapped
   * functions with equal payloads would collide, and a renamed function would forget.
   */
  readonly keyPrefix: string;
}

/**
 * What the ledger keys an event by: Powertools' hash of this payload's JSON, the Stripe
 * event id's. Anything that computes a ledger key uses it. (The records written when a
 * JMESPath expression, `event.id`, picked the id out of the delivery have the same keys:
 * the hash was of the id's JSON then too. Handing Powertools the id itself spares every
 * delivery two JMESPath searches.)
 */
export const ledgerKeyPayload = (eventId: string): string => eventId;

/** What Powertools can store as a result: JSON. */
type StoredResult = Parameters<DynamoDBPersistenceLayer['saveSuccess']>[1];

/**
 * Pauses before each extra attempt at the completion write (after Powertools' own one
 * failed). Short: the message is already out, and every millisecond until the record says
 * so is a millisecond in which a failure means the message goes out again.
 */
export const COMPLETION_RETRY_DELAYS_MS: readonly number[] = [100, 400];
/**
 * An extra attempt is made only with this much of the invocation left beyond its pause:
 * one stalled DynamoDB call, its own retries included (lambda/core/dependencies.ts).
 */
const COMPLETION_RETRY_RESERVE_MS = 8_000;

/**
 * Runs `process` at most once per Stripe event id, through Powertools idempotency on the
 * idempotency table (`eventId` key, `ttl` expiry, records kept 30 days):
 * - a redelivered event returns the stored result without running `process`;
 * - a delivery that finds the event in progress elsewhere is an `EventInProgressError`
 *   (a 409 on the webhook: Stripe retries);
 * - a thrown failure deletes the in-progress record (so the retry processes the event)
 *   and is rethrown.
 * The Lambda context is registered on every invocation, so an in-progress record expires
 * with the invocation that wrote it instead of blocking the event for 30 days.
 *
 * The one window in which an event can be processed twice is between `process` returning
 * (the message published) and the record saying so. Powertools makes one completion write;
 * when it fails, the write is retried here at once (`COMPLETION_RETRY_DELAYS_MS`), so a
 * throttle or a blip costs nothing. Only when DynamoDB stays unavailable does the delivery
 * fail (500) with the in-progress record left behind: redeliveries find it and answer 409
 * until the invocation's deadline (the lock cannot tell a dead holder from a live one, and
 * a live one may still publish), and the first redelivery after it processes the event
 * again: one repeated message, with the same `id` (contract section 5).
 */
export function idempotentProcessor<R extends object>(
  process: (delivery: StripeDelivery) => Promise<R>,
  options: IdempotencyOptions,
): EventProcessor<R> {
  const config = new IdempotencyConfig({
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: EVENT_LEDGER_RECORD_DAYS * 24 * 3600,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: EVENT_LEDGER_TABLE.partitionKey.name,
    expiryAttr: EVENT_LEDGER_TABLE.timeToLiveAttribute,
    awsSdkV3Client: options.dynamo,
  });
  // What `process` returned, per delivery: present when a failure came after it, from the
  // completion write.
  const processed = new WeakMap<StripeDelivery, R>();
  // Powertools hashes the first argument: the ledger's key payload.
  const once = makeIdempotent(
    async (_key: string, delivery: StripeDelivery) => {
      const result = await process(delivery);
      processed.set(delivery, result);
      return result;
    },
    { persistenceStore, config, keyPrefix: options.keyPrefix },
  );

  return async (delivery, context) => {
    config.registerLambdaContext(context);
    try {
      const outcome = await once(ledgerKeyPayload(delivery.event.id), delivery);
      return { outcome, alreadyProcessed: !processed.has(delivery) };
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new EventInProgressError(delivery.event.id);
      }
      const result = processed.get(delivery);
      if (result !== undefined && error instanceof IdempotencyPersistenceLayerError) {
        await recordCompletion(persistenceStore, delivery, result, context);
        return { outcome: result, alreadyProcessed: false };
      }
      throw error;
    }
  };
}

/** The completion write again, a bounded number of times within the invocation. */
async function recordCompletion(
  persistenceStore: DynamoDBPersistenceLayer,
  delivery: StripeDelivery,
  result: object,
  context: Context,
): Promise<void> {
  let lastError: unknown;
  for (const delay of COMPLETION_RETRY_DELAYS_MS) {
    if (context.getRemainingTimeInMillis() < delay + COMPLETION_RETRY_RESERVE_MS) break;
    await sleep(delay);
    try {
      // Keyed as Powertools keys it. (The result is JSON, as Powertools stores every
      // result; its types only say so loosely.)
      await persistenceStore.saveSuccess(
        ledgerKeyPayload(delivery.event.id),
        result as StoredResult,
      );
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `Event ${delivery.event.id} was processed but its completion could not be recorded; ` +
      'a delivery after the in-progress lock expires processes it again (same billing event id).',
    { cause: lastError },
  );
}
