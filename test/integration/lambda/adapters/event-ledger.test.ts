import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type Stripe from 'stripe';
import { PowertoolsEventLedger } from '../../../../lambda/adapters/event-ledger';
import { idempotentProcessor } from '../../../../lambda/adapters/idempotent-processor';
import type { StripeDelivery } from '../../../../lambda/domain/event-ledger';
import { EVENT_LEDGER_KEY_PREFIX, EVENT_LEDGER_TABLE } from '../../../../lambda/shared/tables';
import { localContext } from '../../../../local/http-adapter';
import { createTable } from '../../../../local/services/provision';
import { injectFault, serviceUnavailable } from '../../../support/aws-fault-injection';
import { patientDynamoClient } from '../../../support/patient-dynamo-client';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The ledger's one operation for a replay, on DynamoDB Local, against records the
 * pipeline's own ledger (Powertools idempotency) wrote: only a completed "parked" outcome
 * is forgotten.
 */
let client: DynamoDBClient;
let tableName: string;
beforeAll(async () => {
  client = patientDynamoClient(serviceEndpoint('dynamodb'));
  tableName = uniqueProjectName('ledger');
  await createTable(client, EVENT_LEDGER_TABLE, tableName);
});
afterAll(() => {
  client.destroy();
});

const delivery = (id: string): StripeDelivery => ({
  event: { id, type: 'payment_intent.succeeded' } as Stripe.Event,
  rawBody: Buffer.from('{}'),
});

async function processed(id: string, outcome: object): Promise<void> {
  const process = idempotentProcessor(() => Promise.resolve(outcome), {
    dynamo: client,
    tableName,
    keyPrefix: EVENT_LEDGER_KEY_PREFIX,
  });
  await process(delivery(id), localContext('ledger'));
}

describe('PowertoolsEventLedger.forgetParkedOutcome', () => {
  it('forgets a parked outcome, so the pipeline processes the event again', async () => {
    await processed('evt_parked', { billingEventId: null, parked: true });
    const ledger = new PowertoolsEventLedger(client, tableName, EVENT_LEDGER_KEY_PREFIX);
    expect(await ledger.forgetParkedOutcome('evt_parked')).toBe('forgotten');
    expect(await ledger.forgetParkedOutcome('evt_parked')).toBe('absent');
    let runs = 0;
    const again = idempotentProcessor(
      () => {
        runs += 1;
        return Promise.resolve({ billingEventId: 'evt_parked:x' });
      },
      { dynamo: client, tableName, keyPrefix: EVENT_LEDGER_KEY_PREFIX },
    );
    expect((await again(delivery('evt_parked'), localContext('ledger'))).alreadyProcessed).toBe(
      false,
    );
    expect(runs).toBe(1);
  });

  it('never removes a published outcome, nor one under another prefix', async () => {
    await processed('evt_published', { billingEventId: 'evt_published:x' });
    const ledger = new PowertoolsEventLedger(client, tableName, EVENT_LEDGER_KEY_PREFIX);
    expect(await ledger.forgetParkedOutcome('evt_published')).toBe('not-parked');
    await processed('evt_parked_2', { billingEventId: null, parked: true });
    const other = new PowertoolsEventLedger(client, tableName, 'another-prefix');
    expect(await other.forgetParkedOutcome('evt_parked_2')).toBe('absent');
    expect(await ledger.forgetParkedOutcome('evt_parked_2')).toBe('forgotten');
  });

  it('passes a DynamoDB failure on to the replay instead of answering "not parked"', async () => {
    await processed('evt_parked_3', { billingEventId: null, parked: true });
    const ledger = new PowertoolsEventLedger(client, tableName, EVENT_LEDGER_KEY_PREFIX);
    const outage = serviceUnavailable();
    const fault = injectFault(client, { command: 'DeleteItemCommand', nth: 1, error: outage });
    try {
      await expect(ledger.forgetParkedOutcome('evt_parked_3')).rejects.toBe(outage);
    } finally {
      fault.remove();
    }
    // The record is untouched: the replay can ask again once DynamoDB answers.
    expect(await ledger.forgetParkedOutcome('evt_parked_3')).toBe('forgotten');
  });
});
