import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoParkedEventStore } from '../adapters/dynamo-parked-event-store';
import { StripeClientProvider, type StripeConnection } from '../adapters/stripe-client-provider';
import { StripeThinEventResolver } from '../adapters/stripe-thin-event-resolver';
import { createLogger, type Logger } from '../core/logger';
import { secretValueReader, type SecretStore } from '../core/secrets';
import type { ServiceMetrics } from '../domain/metrics';
import { buildEventPipeline } from '../stripe-events/pipeline';
import type { EventBridgeConfig } from './config';
import { createEventBridgeHandler, type EventBridgeHandler } from './event-bridge-handler';
import type { ThinEventResolver } from '../domain/thin-event';

/** The clients the EventBridge function talks through: AWS in Lambda, local ones locally. */
export interface EventBridgeInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  /** Reads the Stripe key only. */
  readonly secrets: SecretStore;
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** Stripe itself when absent; the local sandbox in `npm start`. */
  readonly stripeConnection?: StripeConnection;
  /** The stripe SDK's (`StripeThinEventResolver`) unless given (tests). */
  readonly resolver?: ThinEventResolver;
}

/** Builds the EventBridge function's handler: the webhook's pipeline behind another way in. */
export function buildEventBridgeHandler(
  config: EventBridgeConfig,
  infrastructure: EventBridgeInfrastructure,
): EventBridgeHandler {
  const logger = infrastructure.logger ?? createLogger();
  const stripe = new StripeClientProvider(
    secretValueReader(infrastructure.secrets, config.stripeSecretKey),
    infrastructure.stripeConnection,
  );
  const metrics = infrastructure.metrics ? { metrics: infrastructure.metrics } : {};
  return createEventBridgeHandler({
    source: config.eventBridgeSource,
    process: buildEventPipeline(config, {
      dynamo: infrastructure.dynamo,
      sns: infrastructure.sns,
      logger,
      ...metrics,
      stripe,
    }),
    // The webhook's resolver: the snapshot event by its id, else the related object.
    resolver: infrastructure.resolver ?? new StripeThinEventResolver(stripe),
    parked: new DynamoParkedEventStore(
      DynamoDBDocumentClient.from(infrastructure.dynamo),
      config.parkedEventsTable,
    ),
    logger,
    ...metrics,
  });
}
