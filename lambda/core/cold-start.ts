import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { StripeConnection } from '../adapters/stripe-sdk-gateway';
import { metricsFromEnvironment, type PowertoolsMetrics } from '../adapters/powertools-metrics';
import type { Environment } from './config';
import { createLogger, type Logger } from './logger';

/** The clients a deployed function is built with (each takes the ones it uses). */
export interface FunctionClients {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  readonly secretsManager: SecretsManagerClient;
  /** Stripe itself when absent (a deployed function); the sandbox in tests. */
  readonly stripeConnection?: StripeConnection;
}

/** What every deployed function builds at cold start, before its composition root. */
export interface ColdStart {
  readonly logger: Logger;
  /** EMF lines on stdout, flushed when each invocation ends (failed ones too); cold starts counted. */
  readonly metrics: PowertoolsMetrics;
}

/** The logger and the metrics of a function, from the environment the stack sets. */
export function coldStart(env: Environment): ColdStart {
  const logger = createLogger();
  return { logger, metrics: metricsFromEnvironment(env, { logger }) };
}
