import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { conflict } from '../core/errors';
import { WEBHOOK_IDEMPOTENCY_RECORD_DAYS, WEBHOOK_IDEMPOTENCY_TABLE } from '../shared/tables';

export interface IdempotencyOptions {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /**
   * Explicit, because Powertools' default prefix embeds the function name: two wrapped
   * functions with equal payloads would collide, and a renamed function would forget.
   */
  readonly keyPrefix: string;
}

export type EventProcessor<R> = (event: Stripe.Event, context: Context) => Promise<R>;

/**
 * Runs `process` at most once per Stripe event id, through Powertools idempotency on the
 * idempotency table (`eventId` key, `ttl` expiry, records kept 30 days):
 * - a redelivered event returns the stored result without running `process`;
 * - a delivery that finds the event in progress elsewhere is a 409 (Stripe retries);
 * - a thrown failure deletes the in-progress record (so the retry processes the event)
 *   and is rethrown.
 * The Lambda context is registered on every invocation, so an in-progress record expires
 * with the invocation that wrote it instead of blocking the event for 30 days.
 */
export function idempotentProcessor<R extends object>(
  process: (event: Stripe.Event) => Promise<R>,
  options: IdempotencyOptions,
): EventProcessor<R> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: WEBHOOK_IDEMPOTENCY_RECORD_DAYS * 24 * 3600,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: WEBHOOK_IDEMPOTENCY_TABLE.partitionKey.name,
    expiryAttr: WEBHOOK_IDEMPOTENCY_TABLE.timeToLiveAttribute,
    awsSdkV3Client: options.dynamo,
  });
  const once = makeIdempotent(process, {
    persistenceStore,
    config,
    keyPrefix: options.keyPrefix,
  });
  return async (event, context) => {
    config.registerLambdaContext(context);
    try {
      return await once(event);
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw conflict(
          `Event ${event.id} is being processed by another delivery; retry later.`,
          'event_in_progress',
        );
      }
      throw error;
    }
  };
}
