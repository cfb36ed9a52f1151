import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { loadLocalConfig } from '../../../local/config';
import { type LocalStack, startLocalStack } from '../../../local/local-stack';
import { localDynamoClient } from '../../../local/services/aws-clients';
import { PRICES_TABLE } from '../../../lambda/shared/tables';
import { ROUTES } from '../../../lambda/shared/routes';
import { CapturingLogger } from '../../support/log-capture';
import { serviceEndpoint } from '../../support/services';
import { uniqueProjectName } from '../../support/test-stack';

jest.setTimeout(30_000);

const CONCURRENT_REQUESTS = 4;

let stack: LocalStack;
const logger = new CapturingLogger({ logLevel: 'INFO' });
beforeAll(async () => {
  const base = loadLocalConfig({});
  stack = await startLocalStack({
    config: {
      ...base,
      projectName: uniqueProjectName('logging'),
      ports: { ...base.ports, api: 0, stripeSandbox: 0 },
    },
    endpoints: { dynamodb: serviceEndpoint('dynamodb'), sns: serviceEndpoint('sns') },
    logger,
  });
  // A malformed price: every checkout of it logs a warning mid-request, after reading it
  // (real I/O, so the concurrent requests are all in flight by then).
  const dynamo = localDynamoClient(stack.endpoints.dynamodb);
  await DynamoDBDocumentClient.from(dynamo).send(
    new PutCommand({
      TableName: stack.names.pricesTable,
      Item: { [PRICES_TABLE.partitionKey.name]: 'price-malformed', active: true },
    }),
  );
  dynamo.destroy();
});
afterAll(async () => {
  await stack.stop();
});

function groupBy(lines: readonly LogAttributes[], key: string): Map<unknown, LogAttributes[]> {
  const groups = new Map<unknown, LogAttributes[]>();
  for (const line of lines) groups.set(line[key], [...(groups.get(line[key]) ?? []), line]);
  return groups;
}

describe('npm start: request-scoped logging in the local HTTP adapter', () => {
  it("keeps each concurrent request's log lines to its own request ids", async () => {
    const { token } = (await (
      await fetch(`${stack.apiUrl}/_local/token?userId=logging-buyer`)
    ).json()) as { token: string };
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, () =>
        fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            priceId: 'price-malformed',
            successUrl: `${stack.apiUrl}/success`,
            cancelUrl: `${stack.apiUrl}/`,
          }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT_REQUESTS).fill(404));

    // One shared logger would stamp the last request's ids on every line; each request
    // must instead have its own two lines, under its own API and Lambda request ids. (The
    // catalog snapshot's passes log too, outside any request.)
    const requestLines = logger.lines.filter((line) => line.apiRequestId !== undefined);
    const byApiRequest = groupBy(requestLines, 'apiRequestId');
    expect(byApiRequest.size).toBe(CONCURRENT_REQUESTS);
    const lambdaRequestIds = new Set<unknown>();
    for (const lines of byApiRequest.values()) {
      expect(lines.map((line) => line.message).sort()).toEqual([
        'Malformed price record',
        'Request rejected',
      ]);
      const [first, second] = lines;
      expect(first?.function_request_id).toBe(second?.function_request_id);
      lambdaRequestIds.add(first?.function_request_id);
    }
    expect(lambdaRequestIds.size).toBe(CONCURRENT_REQUESTS);
  });
});
