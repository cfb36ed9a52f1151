import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoUserRequestLimiter,
  requestCounterKey,
} from '../../../../lambda/adapters/dynamo-user-request-limiter';
import {
  type Admission,
  limitWindow,
  type UserRequestLimit,
} from '../../../../lambda/domain/request-limit';
import { USER_RATE_LIMITS_TABLE } from '../../../../lambda/shared/tables';
import { createTable } from '../../../../local/services/provision';
import { patientDynamoClient } from '../../../support/patient-dynamo-client';
import { serviceEndpoint } from '../../../support/services';
import { uniqueProjectName } from '../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * The per-user limit's counters on DynamoDB Local: one conditional write per request
 * decides, so concurrent requests of one user (through any number of instances) admit
 * exactly the limit in a window; other users and the next window are untouched. The clock
 * is the test's, so no window boundary falls in a burst by chance. The clients wait out a
 * slow answer: the deployed 1.5 s attempt timeout on a loaded machine would retry a write
 * DynamoDB Local had made and count it twice (refusing early, which is not what these
 * tests are about).
 */
const LIMIT: UserRequestLimit = { requests: 5, windowSeconds: 60 };
/** Ten seconds into a window: 50 seconds are left of it. */
const WINDOW_START_MS = Date.parse('2026-11-23T10:00:00Z');
const NOW_MS = WINDOW_START_MS + 10_000;

/** Two clients: two function instances. */
let clients: [DynamoDBClient, DynamoDBClient];
let db: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  clients = [
    patientDynamoClient(serviceEndpoint('dynamodb')),
    patientDynamoClient(serviceEndpoint('dynamodb')),
  ];
  db = DynamoDBDocumentClient.from(clients[0]);
  tableName = uniqueProjectName('rate-limits');
  await createTable(clients[0], USER_RATE_LIMITS_TABLE, tableName);
});
afterAll(() => {
  for (const client of clients) client.destroy();
});

/** A limiter as one function instance has it (its own client), on the test's clock. */
const limiter = (clock: () => number, instance: 0 | 1 = 0, limit = LIMIT) =>
  new DynamoUserRequestLimiter(
    DynamoDBDocumentClient.from(clients[instance]),
    tableName,
    limit,
    clock,
  );

const admitted = (answers: readonly Admission[]) => answers.filter((a) => a.admitted).length;

const counterOf = async (userId: string, nowMs: number) =>
  (
    await db.send(
      new GetCommand({
        TableName: tableName,
        Key: {
          [USER_RATE_LIMITS_TABLE.partitionKey.name]: requestCounterKey(
            userId,
            limitWindow(nowMs, LIMIT.windowSeconds),
          ),
        },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('DynamoUserRequestLimiter', () => {
  it('admits exactly the limit of a burst of concurrent requests, from two instances at once', async () => {
    const userId = 'burst-user';
    const instances = [limiter(() => NOW_MS, 0), limiter(() => NOW_MS, 1)] as const;
    const answers = await Promise.all(
      Array.from({ length: 4 * LIMIT.requests }, (_, i) =>
        (i % 2 === 0 ? instances[0] : instances[1]).admit(userId),
      ),
    );
    expect(admitted(answers)).toBe(LIMIT.requests);
    // Every refusal says when the window ends: 50 of its 60 seconds are left.
    expect(answers.filter((a) => !a.admitted)).toEqual(
      Array.from({ length: 3 * LIMIT.requests }, () => ({
        admitted: false,
        retryAfterSeconds: 50,
      })),
    );
    // A refused request wrote nothing: the count is the limit, not the requests sent.
    expect(await counterOf(userId, NOW_MS)).toEqual({
      [USER_RATE_LIMITS_TABLE.partitionKey.name]: requestCounterKey(
        userId,
        limitWindow(NOW_MS, LIMIT.windowSeconds),
      ),
      [USER_RATE_LIMITS_TABLE.countAttribute]: LIMIT.requests,
      // Expires when its window does.
      [USER_RATE_LIMITS_TABLE.timeToLiveAttribute]: WINDOW_START_MS / 1000 + LIMIT.windowSeconds,
    });
  });

  it('leaves another user unaffected, even one whose id differs only in case or spaces', async () => {
    const limit = limiter(() => NOW_MS);
    for (let i = 0; i < LIMIT.requests; i++) await limit.admit('Neighbour');
    expect(await limit.admit('Neighbour')).toMatchObject({ admitted: false });
    const others = await Promise.all(
      ['neighbour', ' Neighbour', 'Neighbour ', 'someone-else'].map((id) => limit.admit(id)),
    );
    expect(others).toEqual(Array.from({ length: 4 }, () => ({ admitted: true })));
  });

  it('starts again in the next window, and keeps the last window as it was', async () => {
    let now = NOW_MS;
    const limit = limiter(() => now);
    const userId = 'rollover-user';
    for (let i = 0; i < LIMIT.requests; i++) await limit.admit(userId);
    now = WINDOW_START_MS + LIMIT.windowSeconds * 1000 - 1;
    expect(await limit.admit(userId)).toEqual({ admitted: false, retryAfterSeconds: 1 });

    now = WINDOW_START_MS + LIMIT.windowSeconds * 1000;
    const next = await Promise.all(
      Array.from({ length: LIMIT.requests + 2 }, () => limit.admit(userId)),
    );
    expect(admitted(next)).toBe(LIMIT.requests);
    expect(next.filter((a) => !a.admitted)).toEqual([
      { admitted: false, retryAfterSeconds: LIMIT.windowSeconds },
      { admitted: false, retryAfterSeconds: LIMIT.windowSeconds },
    ]);
    expect((await counterOf(userId, NOW_MS))?.requests).toBe(LIMIT.requests);
    expect((await counterOf(userId, now))?.ttl).toBe(
      WINDOW_START_MS / 1000 + 2 * LIMIT.windowSeconds,
    );
  });

  it('counts a user id of 512 four-byte characters: the key is a digest, within DynamoDB’s 2,048 bytes', async () => {
    const userId = '🦊'.repeat(512);
    const limit = limiter(() => NOW_MS, 0, { requests: 1, windowSeconds: 60 });
    expect(await limit.admit(userId)).toEqual({ admitted: true });
    expect(await limit.admit(userId)).toEqual({ admitted: false, retryAfterSeconds: 50 });
  });

  it('gives up when the caller aborts, counting nothing', async () => {
    const userId = 'aborted-user';
    const error: unknown = await limiter(() => NOW_MS)
      .admit(userId, AbortSignal.abort())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(await counterOf(userId, NOW_MS)).toBeUndefined();
  });
});
