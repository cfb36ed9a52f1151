import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoParkedEventStore } from '../adapters/dynamo-parked-event-store';
import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import { StripeClientProvider, type StripeConnection } from '../adapters/stripe-client-provider';
import { StripeThinEventResolver } from '../adapters/stripe-thin-event-resolver';
import { parseSecretList, secretValueReader, type SecretStore } from '../core/secrets';
import type { ServiceMetrics } from '../domain/metrics';
import type { WebhookConfig } from './config';
import { buildEventPipeline } from '../stripe-events/pipeline';
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
  // One client cache for every Stripe call the webhook makes (an ordering tie, a thin event).
  const stripe = new StripeClientProvider(
    secretValueReader(infrastructure.secrets, config.stripeSecretKey),
    infrastructure.stripeConnection,
  );
  return createWebhookHandler({
    logger,
    metrics: infrastructure.metrics,
    verifier: new StripeSignatureVerifier(async (options) =>
      parseSecretList(await infrastructure.secrets.get(secret.name, options), secret),
    ),
    process: buildEventPipeline(config, {
      ...infrastructure,
      logger,
      stripe,
    }),
    thinEvents: {
      resolver: new StripeThinEventResolver(stripe),
      parked: new DynamoParkedEventStore(
        DynamoDBDocumentClient.from(infrastructure.parkedEventsDynamo ?? infrastructure.dynamo),
        config.parkedEventsTable,
      ),
    },
  });
}
