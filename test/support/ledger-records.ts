import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/local-stack';
import { EVENT_LEDGER_KEY_PREFIX } from '../../lambda/shared/tables';

/** A Powertools idempotency record, as far as the tests read it. */
export interface LedgerRecord {
  readonly status: string;
  readonly in_progress_expiration?: number;
  readonly [attribute: string]: unknown;
}

/**
 * The event's record in the pipeline's ledger, read directly from the idempotency table:
 * keyed as Powertools keys it, the prefix and the MD5 (base64) of the event id's JSON.
 * Computed here independently of the service, so a drift in the service's key shows.
 */
export async function ledgerRecord(
  documents: DynamoDBDocumentClient,
  stack: Pick<LocalStack, 'names'>,
  stripeEventId: string,
): Promise<LedgerRecord | undefined> {
  const key = `${EVENT_LEDGER_KEY_PREFIX}#${createHash('md5')
    .update(JSON.stringify(stripeEventId))
    .digest('base64')}`;
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.names.eventLedgerTable,
      Key: { eventId: key },
      ConsistentRead: true,
    }),
  );
  return Item as LedgerRecord | undefined;
}
