import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  awsClientSettings,
  DEPENDENCY_BUDGETS,
  dependencyFailureOf,
  namedDependency,
  STALLED_DEPENDENCY_LIMIT_MS,
  USER_RATE_LIMIT_DEADLINE_MS,
  worstCaseMs,
} from '../../../../lambda/core/dependencies';
import { PROJECT_ROOT } from '../../../support/project-root';

const cdkEnvironments = (): Record<string, { lambdaTimeoutSeconds: number }> =>
  (
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
      context: { environments: Record<string, { lambdaTimeoutSeconds: number }> };
    }
  ).context.environments;

describe('dependency budgets (contract section 3)', () => {
  it.each(Object.entries(DEPENDENCY_BUDGETS))(
    '%s: a stalled call fails within 10 s, retries and backoff included',
    (_name, budget) => {
      expect(worstCaseMs(budget)).toBeLessThanOrEqual(STALLED_DEPENDENCY_LIMIT_MS);
    },
  );

  it('keeps a request whose table stalls within 10 s: the limiter deadline, then its own DynamoDB calls', () => {
    expect(USER_RATE_LIMIT_DEADLINE_MS).toBeLessThan(DEPENDENCY_BUDGETS.dynamodb.attemptTimeoutMs);
    expect(
      USER_RATE_LIMIT_DEADLINE_MS + worstCaseMs(DEPENDENCY_BUDGETS.dynamodb),
    ).toBeLessThanOrEqual(STALLED_DEPENDENCY_LIMIT_MS);
  });

  it('counts every attempt and every backoff at its longest', () => {
    const budget = { attemptTimeoutMs: 1_000, maxAttempts: 3, maxRetryDelayMs: (n: number) => n };
    expect(worstCaseMs(budget)).toBe(3_000 + 1 + 2);
  });

  it.each(Object.entries(cdkEnvironments()))(
    '%s: the function timeout leaves room after the slowest stalled call',
    (_env, settings) => {
      const slowest = Math.max(...Object.values(DEPENDENCY_BUDGETS).map(worstCaseMs));
      expect(settings.lambdaTimeoutSeconds * 1000).toBeGreaterThan(slowest + 2_000);
    },
  );

  it('makes the AWS SDK abort a stalled attempt, not only warn', () => {
    expect(awsClientSettings('dynamodb')).toEqual({
      maxAttempts: DEPENDENCY_BUDGETS.dynamodb.maxAttempts,
      requestHandler: {
        connectionTimeout: 1_000,
        requestTimeout: DEPENDENCY_BUDGETS.dynamodb.attemptTimeoutMs,
        throwOnRequestTimeout: true,
      },
    });
  });
});

describe('namedDependency', () => {
  it('names the dependency and the operation on the error a call throws', async () => {
    // Nothing listens on port 9: the connection is refused at once.
    const client = namedDependency(
      new DynamoDBClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
      'dynamodb',
    );
    const error: unknown = await client
      .send(new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } }))
      .catch((e: unknown) => e);
    client.destroy();
    expect(dependencyFailureOf(error)).toEqual({ dependency: 'DynamoDB', operation: 'GetItem' });
  });

  it('finds the name on a wrapped cause, and nothing on an unnamed error', () => {
    const named = Object.assign(new Error('timeout'), {
      dependency: 'Secrets Manager',
      operation: 'GetSecretValue',
    });
    expect(dependencyFailureOf(new Error('wrapped', { cause: named }))).toEqual({
      dependency: 'Secrets Manager',
      operation: 'GetSecretValue',
    });
    expect(dependencyFailureOf(new Error('plain'))).toBeUndefined();
  });
});
