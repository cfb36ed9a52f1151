import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../../local/services/aws-clients';

/**
 * A DynamoDB Local client for tests of the ledger's conditional writes: it waits for a
 * slow answer instead of timing out and retrying. With the deployed budget (1.5 s an
 * attempt, lambda/core/dependencies.ts), a loaded machine can time out a lock write that
 * DynamoDB Local did make; the retry then finds that lock and the delivery reports itself
 * in progress, which is correct behaviour but not what those tests are about.
 */
export const patientDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 20_000 },
  });
