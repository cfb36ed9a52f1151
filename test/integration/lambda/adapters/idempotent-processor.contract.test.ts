import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { idempotentProcessor } from '../../../../lambda/adapters/idempotent-processor';
import { EVENT_LEDGER_KEY_PREFIX, EVENT_LEDGER_TABLE } from '../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import { eventProcessorContract } from '../../../support/event-processor-contract';
import { inMemoryLedger } from '../../../support/fake-pipeline';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * The event ledger's contract (test/support/event-processor-contract.ts), against the
 * Powertools ledger on DynamoDB Local (a fresh table per test) and against the in-memory
 * ledger the unit tests' FakePipeline runs.
 */
let client: DynamoDBClient;
beforeAll(() => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
});
afterAll(() => {
  client.destroy();
});

describe('idempotentProcessor (Powertools idempotency on DynamoDB Local)', () => {
  eventProcessorContract(async (process) => {
    const tableName = uniqueProjectName('ledger-contract');
    await createTable(client, EVENT_LEDGER_TABLE, tableName);
    return idempotentProcessor(process, {
      dynamo: client,
      tableName,
      keyPrefix: EVENT_LEDGER_KEY_PREFIX,
    });
  });
});

describe('inMemoryLedger (the unit tests’ FakePipeline)', () => {
  eventProcessorContract((process) => Promise.resolve(inMemoryLedger(process)));
});
