import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerRepository } from '../adapters/dynamo-customer-repository';
import { DynamoParkedEventStore } from '../adapters/dynamo-parked-event-store';
import { idempotentProcessor } from '../adapters/idempotent-processor';
import { SnsEventPublisher } from '../adapters/sns-event-publisher';
import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import { parseSecretList, type SecretStore } from '../core/secrets';
import type { WebhookConfig } from './config';
import { StripeSignatureVerifier } from './signature-verifier';
import { publishBillingEvent } from './use-cases/publish-billing-event';
import { createWebhookHandler } from './webhook-handler';

/** The clients the webhook function talks through: AWS in Lambda, local stand-ins locally. */
export interface WebhookInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  readonly secrets: SecretStore;
  readonly logger?: Logger;
  /** The parked-events table's client: `dynamo` unless given (tests fail parking alone). */
  readonly parkedEventsDynamo?: DynamoDBClient;
}

/** Idempotency keys are `<prefix>#<hash of the event id>`. */
export const WEBHOOK_IDEMPOTENCY_KEY_PREFIX = 'stripe-webhook-event';

/** Builds the webhook handler's real dependencies from its configuration and clients. */
export function buildWebhookHandler(
  config: WebhookConfig,
  infrastructure: WebhookInfrastructure,
): HttpHandler {
  const logger = infrastructure.logger ?? createLogger();
  const customers = new DynamoCustomerRepository(
    DynamoDBDocumentClient.from(infrastructure.dynamo),
    config.customersTable,
  );
  const publisher = new SnsEventPublisher(infrastructure.sns, config.billingEventsTopicArn);
  const parked = new DynamoParkedEventStore(
    DynamoDBDocumentClient.from(infrastructure.parkedEventsDynamo ?? infrastructure.dynamo),
    config.parkedEventsTable,
  );
  const secret = config.stripeWebhookSecret;
  return createWebhookHandler({
    logger,
    verifier: new StripeSignatureVerifier(async (options) =>
      parseSecretList(await infrastructure.secrets.get(secret.name, options), secret),
    ),
    process: idempotentProcessor(
      (delivery) => publishBillingEvent({ customers, publisher, parked, logger }, delivery),
      {
        dynamo: infrastructure.dynamo,
        tableName: config.idempotencyTable,
        keyPrefix: WEBHOOK_IDEMPOTENCY_KEY_PREFIX,
      },
    ),
  });
}
