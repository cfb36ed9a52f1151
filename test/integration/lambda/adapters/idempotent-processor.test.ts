import { createHash } from 'node:crypto';
import {
  IdempotencyKeyError,
  IdempotencyPersistenceLayerError,
} from '@aws-lambda-powertools/idempotency';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import {
  COMPLETION_RETRY_DELAYS_MS,
  idempotentProcessor,
} from '../../../../lambda/adapters/idempotent-processor';
import {
  EVENT_LEDGER_RECORD_DAYS,
  EventInProgressError,
  type StripeDelivery,
} from '../../../../lambda/domain/event-ledger';
import { EVENT_LEDGER_KEY_PREFIX, EVENT_LEDGER_TABLE } from '../../../../lambda/shared/tables';
import { localContext } from '../../../../local/http-adapter';
import { createTable } from '../../../../local/services/provision';
import {
  type FaultHandle,
  type InjectedAwsError,
  injectFault,
  serviceUnavailable,
  throttled,
} from '../../../support/aws-fault-injection';
import { patientDynamoClient } from '../../../support/patient-dynamo-client';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The Powertools ledger's own behaviour on DynamoDB Local, beyond the contract every ledger
 * shares (idempotent-processor.contract.test.ts): how long a record is kept, an event
 * without an id, and the window between the processing and its completion write, with
 * faults injected into the ledger's DynamoDB calls (PutItem: the lock; UpdateItem: the
 * completion).
 */
let client: DynamoDBClient;
let tableName: string;
let faults: FaultHandle[];
beforeAll(async () => {
  client = patientDynamoClient(serviceEndpoint('dynamodb'));
  tableName = uniqueProjectName('ledger-faults');
  await createTable(client, EVENT_LEDGER_TABLE, tableName);
});
beforeEach(() => {
  faults = [];
});
afterEach(() => {
  for (const fault of faults) fault.remove();
});
afterAll(() => {
  client.destroy();
});

const delivery = (id: string): StripeDelivery => ({
  event: { id, type: 'payment_intent.succeeded' } as Stripe.Event,
  rawBody: Buffer.from(`{"id":"${id}"}`),
});

/** A processor on the test table that counts its runs. */
function countingProcessor() {
  const runs: string[] = [];
  const processor = idempotentProcessor(
    (d) => {
      runs.push(d.event.id);
      return Promise.resolve({ billingEventId: `${d.event.id}:x` });
    },
    { dynamo: client, tableName, keyPrefix: EVENT_LEDGER_KEY_PREFIX },
  );
  return { processor, runs };
}

/** Fails every completion write (UpdateItem) from now on; `last` is the latest error thrown. */
function completionAlwaysFails() {
  const thrown: { last?: InjectedAwsError } = {};
  const fault = injectFault(client, {
    command: 'UpdateItemCommand',
    nth: 1,
    times: Infinity,
    error: () => (thrown.last = serviceUnavailable()),
  });
  faults.push(fault);
  return { fault, thrown };
}

/** An invocation that always has exactly `remainingMs` left. */
const invocationWith = (remainingMs: number): Context => ({
  ...localContext('ledger-faults'),
  getRemainingTimeInMillis: () => remainingMs,
});

/** The event's record, keyed as Powertools keys it (computed here, independently). */
async function ledgerItem(eventId: string) {
  const key = `${EVENT_LEDGER_KEY_PREFIX}#${createHash('md5')
    .update(JSON.stringify(eventId))
    .digest('base64')}`;
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { [EVENT_LEDGER_TABLE.partitionKey.name]: { S: key } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('idempotentProcessor (Powertools on DynamoDB Local)', () => {
  it('keeps a processed event’s record for the ledger’s retention, not Powertools’ default hour', async () => {
    const { processor } = countingProcessor();
    const before = Math.floor(Date.now() / 1000);
    await processor(delivery('evt_retained'), localContext('ledger-faults'));
    const after = Math.ceil(Date.now() / 1000);

    const item = await ledgerItem('evt_retained');
    expect(item?.status?.S).toBe('COMPLETED');
    const expiresAt = Number(item?.[EVENT_LEDGER_TABLE.timeToLiveAttribute]?.N);
    const retention = EVENT_LEDGER_RECORD_DAYS * 24 * 3600;
    expect(expiresAt).toBeGreaterThanOrEqual(before + retention);
    expect(expiresAt).toBeLessThanOrEqual(after + retention);
  });

  it('refuses an event without an id instead of processing it under a key every such event shares', async () => {
    const { processor, runs } = countingProcessor();
    const refused = processor(delivery(''), localContext('ledger-faults'));
    await expect(refused).rejects.toBeInstanceOf(IdempotencyPersistenceLayerError);
    await expect(refused).rejects.toMatchObject({
      cause: expect.any(IdempotencyKeyError) as unknown,
    });
    expect(runs).toEqual([]);
    expect(await ledgerItem('')).toBeUndefined();
  });

  it('processes nothing when the lock cannot be written, and fails with the ledger’s error', async () => {
    const { processor, runs } = countingProcessor();
    faults.push(
      injectFault(client, { command: 'PutItemCommand', nth: 1, error: serviceUnavailable() }),
    );
    await expect(
      processor(delivery('evt_no_lock'), localContext('ledger-faults')),
    ).rejects.toBeInstanceOf(IdempotencyPersistenceLayerError);
    expect(runs).toEqual([]);
    expect(await ledgerItem('evt_no_lock')).toBeUndefined();
  });
});

describe('idempotentProcessor when the completion write fails', () => {
  it('writes the completion again in the invocation: the outcome stands and a redelivery is not run', async () => {
    const { processor, runs } = countingProcessor();
    const completion = injectFault(client, {
      command: 'UpdateItemCommand',
      nth: 1,
      error: throttled(),
    });
    faults.push(completion);

    expect(await processor(delivery('evt_healed'), localContext('ledger-faults'))).toEqual({
      outcome: { billingEventId: 'evt_healed:x' },
      alreadyProcessed: false,
    });
    expect([completion.failures, completion.calls]).toEqual([1, 2]);
    expect((await ledgerItem('evt_healed'))?.status?.S).toBe('COMPLETED');

    expect(await processor(delivery('evt_healed'), localContext('ledger-faults'))).toEqual({
      outcome: { billingEventId: 'evt_healed:x' },
      alreadyProcessed: true,
    });
    expect(runs).toEqual(['evt_healed']);
  });

  it('fails the delivery, naming the event and the cause, when no attempt succeeds; the lock holds redeliveries off', async () => {
    const { processor, runs } = countingProcessor();
    const { fault, thrown } = completionAlwaysFails();

    const failed = processor(delivery('evt_unrecorded'), localContext('ledger-faults'));
    await expect(failed).rejects.toThrow(
      'Event evt_unrecorded was processed but its completion could not be recorded; ' +
        'a delivery after the in-progress lock expires processes it again (same billing event id).',
    );
    // Powertools' one completion write, then one per pause.
    expect(fault.calls).toBe(1 + COMPLETION_RETRY_DELAYS_MS.length);
    // The operator's log shows why the last attempt failed.
    await expect(failed).rejects.toMatchObject({ cause: thrown.last });
    expect(thrown.last).toBeDefined();

    fault.remove();
    await expect(
      processor(delivery('evt_unrecorded'), localContext('ledger-faults')),
    ).rejects.toBeInstanceOf(EventInProgressError);
    expect(runs).toEqual(['evt_unrecorded']);
  });

  // An extra attempt needs its pause plus 8 s to spare (one stalled DynamoDB call, its
  // own retries included): the first pause is 100 ms, the second 400 ms.
  it.each([
    ['exactly enough time for the first extra attempt: makes that one only', 8_100, 1],
    ['just short of it: makes none', 8_099, 0],
    ['time for both: makes both', 8_400, 2],
  ])('with %s', async (_, remainingMs, extraAttempts) => {
    const eventId = `evt_deadline_${String(remainingMs)}`;
    const { processor } = countingProcessor();
    const { fault } = completionAlwaysFails();

    await expect(processor(delivery(eventId), invocationWith(remainingMs))).rejects.toThrow(
      `Event ${eventId} was processed but its completion could not be recorded`,
    );
    expect(fault.calls).toBe(1 + extraAttempts);
  });
});
