import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildApiHandler } from '../lambda/api/composition-root';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES } from '../lambda/shared/routes';
import { buildWebhookHandler } from '../lambda/webhook/composition-root';
import { LOCAL_SECRET_DEFAULTS, loadLocalConfig } from '../local/config';
import { type LocalStack, startLocalStack } from '../local/local-stack';
import { LOCAL_REGION } from '../local/services/aws-clients';
import type { RunningService } from '../local/services/child-service';
import { startDynamoDbLocal } from '../local/services/dynamodb-local';
import { findFreePort } from '../local/services/ports';
import { startSnsEmulator } from '../local/services/sns-emulator';
import { apiEvent } from '../test/support/api-events';
import { signatureFor } from '../test/support/stripe-events';
import { CallCounter } from './support';

/** The processes of the local stand-ins, whose CPU the load benchmark reports. */
export interface BenchServices {
  readonly dynamodb: RunningService;
  readonly sns: RunningService;
}

/**
 * The per-user limit is on, as deployed, so its write is on the measured critical path; but
 * high enough that the benchmarks' one buyer (more checkouts a minute than a person makes)
 * is never refused.
 */
const BENCH_USER_RATE_LIMIT = { requests: 1_000_000, windowSeconds: 60 };

/** The local stack on free ports, with its own DynamoDB Local and SNS/SQS emulator. */
export async function startBenchStack(): Promise<{
  stack: LocalStack;
  services: BenchServices;
  stop: () => Promise<void>;
}> {
  const [dynamoPort, snsPort] = await Promise.all([findFreePort(), findFreePort()]);
  const services: RunningService[] = await Promise.all([
    startDynamoDbLocal(dynamoPort),
    startSnsEmulator(snsPort),
  ]);
  const [dynamo, sns] = services as [RunningService, RunningService];
  const base = loadLocalConfig({});
  const silent = new Logger({ logLevel: 'SILENT' });
  const stack = await startLocalStack({
    config: {
      ...base,
      projectName: 'bench',
      ports: { ...base.ports, api: 0, stripeSandbox: 0 },
      userRateLimit: BENCH_USER_RATE_LIMIT,
    },
    endpoints: { dynamodb: dynamo.endpoint, sns: sns.endpoint },
    logger: silent,
  });
  // The sandbox also delivers its own events to the stack's webhook; the benchmarks drive
  // the handlers directly and count only their own calls.
  stack.stripeSandbox?.state.delivery.configure({ endpoints: [] });
  return {
    stack,
    services: { dynamodb: dynamo, sns },
    stop: async () => {
      await stack.stop();
      await Promise.all(services.map((service) => service.stop()));
    },
  };
}

/** The benchmarks' own clients of a local stand-in: plain SDK clients, fixed credentials. */
export const benchClientConfig = (endpoint: string) => ({
  region: LOCAL_REGION,
  endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

export interface InstrumentedHandlers {
  readonly api: ReturnType<typeof buildApiHandler>;
  readonly webhook: ReturnType<typeof buildWebhookHandler>;
  readonly dynamoCalls: CallCounter;
  readonly snsCalls: CallCounter;
  /** The instrumented clients, for measuring the floor the same calls set on their own. */
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
}

/**
 * The two functions built by their composition roots, as in Lambda, with AWS clients that
 * count their calls and add `latency` to each (a stand-in for the network to AWS).
 */
export function instrumentedHandlers(
  stack: LocalStack,
  options: { dynamoLatencyMs: number; snsLatencyMs: number; failPublish?: () => boolean },
): InstrumentedHandlers {
  const dynamoCalls = new CallCounter();
  const snsCalls = new CallCounter();
  const dynamo = new DynamoDBClient(benchClientConfig(stack.endpoints.dynamodb));
  const sns = new SNSClient({ ...benchClientConfig(stack.endpoints.sns), maxAttempts: 1 });
  dynamoCalls.instrument(dynamo, 'DynamoDB', { latencyMs: options.dynamoLatencyMs });
  snsCalls.instrument(sns, 'SNS', {
    latencyMs: options.snsLatencyMs,
    ...(options.failPublish ? { fail: options.failPublish } : {}),
  });
  const { secrets, stripeConnection } = stack.functions;
  const logger = new Logger({ logLevel: 'SILENT' });
  const api = buildApiHandler(stack.functions.api, {
    dynamo,
    secrets,
    logger,
    ...(stripeConnection ? { stripeConnection } : {}),
  });
  const webhook = buildWebhookHandler(stack.functions.webhook, { dynamo, sns, secrets, logger });
  return { api, webhook, dynamoCalls, snsCalls, dynamo, sns };
}

/** What the webhook function is handed for a delivery of `payload`, signed as Stripe signs. */
export const webhookDelivery = (payload: string): APIGatewayProxyEventV2 =>
  apiEvent(ROUTES.stripeWebhook, {
    headers: {
      'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
    },
    body: payload,
  });
