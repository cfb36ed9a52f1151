import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerRepository } from '../../../../lambda/adapters/dynamo-customer-repository';
import { CUSTOMERS_TABLE } from '../../../../lambda/shared/tables';
import { localDynamoClient } from '../../../../local/services/aws-clients';
import { createTable } from '../../../../local/services/provision';
import {
  consistentReadsOf,
  recordRequests,
  type SentRequest,
} from '../../../support/dynamo-requests';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(30_000);

/**
 * What the DynamoDB customers adapter does beyond the contract every customers repository
 * keeps (repository-contracts.test.ts): the billing events' lookup of a user by Stripe
 * customer (the table's index), a partial contact update, and its strongly consistent read.
 */
let client: DynamoDBClient;
let sent: SentRequest[];
let repository: DynamoCustomerRepository;

beforeAll(async () => {
  client = localDynamoClient(serviceEndpoint('dynamodb'));
  sent = recordRequests(client);
  const table = uniqueProjectName('customers');
  await createTable(client, CUSTOMERS_TABLE, table);
  repository = new DynamoCustomerRepository(DynamoDBDocumentClient.from(client), table);
});
afterAll(() => {
  client.destroy();
});

const reserve = (userId: string) =>
  repository.createIfAbsent({ userId, createdAt: 't0', updatedAt: 't0' });

describe('DynamoCustomerRepository', () => {
  it('finds the user a Stripe customer belongs to, and no one for an unknown customer', async () => {
    await reserve('user-lookup');
    await repository.completeMapping('user-lookup', 'cus_lookup', 't1');
    await reserve('user-other');
    await repository.completeMapping('user-other', 'cus_other', 't1');
    expect(await repository.userIdForStripeCustomer('cus_lookup')).toBe('user-lookup');
    expect(await repository.userIdForStripeCustomer('cus_unknown')).toBeUndefined();
  });

  it('updates only the contact fields it is given, keeping the others', async () => {
    await reserve('user-contact');
    await repository.updateContact('user-contact', { email: 'a@example.com', role: 'admin' }, 't1');
    await repository.updateContact('user-contact', { email: 'b@example.com' }, 't2');
    expect(await repository.get('user-contact')).toMatchObject({
      email: 'b@example.com',
      role: 'admin',
      updatedAt: 't2',
    });
    await repository.updateContact('user-contact', { role: 'member' }, 't3');
    expect(await repository.get('user-contact')).toMatchObject({
      email: 'b@example.com',
      role: 'member',
      updatedAt: 't3',
    });
  });

  it('reads a user strongly consistent, so a reservation just written is seen', async () => {
    sent.length = 0;
    await repository.get('user-contact');
    expect(consistentReadsOf(sent, 'GetItemCommand')).toEqual([true]);
  });
});
