import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import { StripeClientProvider, type StripeConnection } from '../adapters/stripe-client-provider';
import { StripeSubscriptionSource } from '../adapters/stripe-subscription-source';
import { parseSecretList, parseSecretValue, type SecretStore } from '../core/secrets';
import type { ServiceMetrics } from '../domain/metrics';
import type { WebhookConfig } from './config';
import { buildEventPipeline } from './event-pipeline';
import { StripeSignatureVerifier } from './signature-verifier';
import { createWebhookHandler } from './webhook-handler';

/** The clients the webhook function talks through: AWS in Lambda, local stand-ins locally. */
export interface WebhookInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  readonly secrets: SecretStore;
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** The parked-events table's client: `dynamo` unless given (tests fail parking alone). */
  readonly parkedEventsDynamo?: DynamoDBClient;
  /** Stripe itself when absent; the local sandbox in `npm start`. */
  readonly stripeConnection?: StripeConnection;
}

/** Builds the webhook handler's real dependencies from its configuration and clients. */
export function buildWebhookHandler(
  config: WebhookConfig,
  infrastructure: WebhookInfrastructure,
): HttpHandler {
  const logger = infrastructure.logger ?? createLogger();
  const secret = config.stripeWebhookSecret;
  return createWebhookHandler({
    logger,
    metrics: infrastructure.metrics,
    verifier: new StripeSignatureVerifier(async (options) =>
      parseSecretList(await infrastructure.secrets.get(secret.name, options), secret),
    ),
    process: buildEventPipeline(config, {
      ...infrastructure,
      logger,
      subscriptions: new StripeSubscriptionSource(
        new StripeClientProvider(async () => {
          const key = config.stripeSecretKey;
          return parseSecretValue(await infrastructure.secrets.get(key.name), key);
        }, infrastructure.stripeConnection),
      ),
    }),
  });
}
