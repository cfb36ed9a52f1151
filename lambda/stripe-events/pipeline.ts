import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerRepository } from '../adapters/dynamo-customer-repository';
import { DynamoParkedEventStore } from '../adapters/dynamo-parked-event-store';
import { idempotentProcessor } from '../adapters/idempotent-processor';
import { DynamoSubscriptionOrderLedger } from '../adapters/dynamo-subscription-order';
import { SnsEventPublisher } from '../adapters/sns-event-publisher';
import { StripeActiveEntitlementSource } from '../adapters/stripe-active-entitlements';
import type { StripeClientProvider } from '../adapters/stripe-client-provider';
import { StripeSubscriptionSource } from '../adapters/stripe-subscription-source';
import type { Logger } from '../core/logger';
import { NO_METRICS, type ServiceMetrics } from '../domain/metrics';
import { publishBillingEvent, type PublishOutcome } from './use-cases/publish-billing-event';
import type { EventProcessor } from '../domain/event-ledger';

/** Where a verified Stripe event goes: the tables and the topic of the pipeline. */
export interface EventPipelineConfig {
  readonly customersTable: string;
  readonly eventLedgerTable: string;
  readonly parkedEventsTable: string;
  readonly subscriptionOrderTable: string;
  readonly billingEventsTopicArn: string;
}

export interface EventPipelineClients {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  /**
   * Stripe, read by the pipeline for its current subscriptions (to settle same-second
   * ordering ties) and a customer's active entitlements (to complete a one-page
   * entitlement summary and settle its ties). Required of every way in, so none of them
   * can publish a truncated summary or guess a tie.
   */
  readonly stripe: StripeClientProvider;
  /** The parked-events table's client: `dynamo` unless given (tests fail parking alone). */
  readonly parkedEventsDynamo?: DynamoDBClient;
}

/**
 * Idempotency keys are `<prefix>#<hash of the event id>`: one ledger for every way an
 * event comes in (the webhook, reconciliation and replay), so an event processed by one
 * is a no-op for the others.
 */
export const EVENT_LEDGER_KEY_PREFIX = 'stripe-webhook-event';

/**
 * The one pipeline every verified Stripe event goes through, whichever way it came in:
 * once per event id (the idempotency ledger), mapped, ordered, published or parked.
 */
export function buildEventPipeline(
  config: EventPipelineConfig,
  clients: EventPipelineClients,
): EventProcessor<PublishOutcome> {
  const { logger } = clients;
  const metrics = clients.metrics ?? NO_METRICS;
  // One document client for every table on `dynamo`: each one built costs the cold start.
  const documents = DynamoDBDocumentClient.from(clients.dynamo);
  const customers = new DynamoCustomerRepository(documents, config.customersTable);
  const publisher = new SnsEventPublisher(clients.sns, config.billingEventsTopicArn);
  const parked = new DynamoParkedEventStore(
    clients.parkedEventsDynamo
      ? DynamoDBDocumentClient.from(clients.parkedEventsDynamo)
      : documents,
    config.parkedEventsTable,
  );
  const order = new DynamoSubscriptionOrderLedger(documents, config.subscriptionOrderTable);
  const subscriptions = new StripeSubscriptionSource(clients.stripe);
  const entitlements = new StripeActiveEntitlementSource(clients.stripe);
  return idempotentProcessor(
    (delivery) =>
      publishBillingEvent(
        {
          customers,
          publisher,
          parked,
          order,
          subscriptions,
          entitlements,
          logger,
          metrics,
        },
        delivery,
      ),
    {
      dynamo: clients.dynamo,
      tableName: config.eventLedgerTable,
      keyPrefix: EVENT_LEDGER_KEY_PREFIX,
    },
  );
}
