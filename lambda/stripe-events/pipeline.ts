import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerRepository } from '../adapters/dynamo-customer-repository';
import { DynamoParkedEventStore } from '../adapters/dynamo-parked-event-store';
import { DynamoSubscriptionOrderLedger } from '../adapters/dynamo-subscription-order';
import { idempotentProcessor } from '../adapters/idempotent-processor';
import { SnsEventPublisher } from '../adapters/sns-event-publisher';
import { StripeActiveEntitlementSource } from '../adapters/stripe-active-entitlements';
import { StripeChargeSource } from '../adapters/stripe-charge-source';
import { StripeClientProvider, type StripeConnection } from '../adapters/stripe-client-provider';
import { StripeSubscriptionSource } from '../adapters/stripe-subscription-source';
import { StripeThinEventResolver } from '../adapters/stripe-thin-event-resolver';
import { type ColdStart, coldStart, type FunctionClients } from '../core/cold-start';
import type { BackoffOptions } from '../core/backoff';
import type { Environment } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import { secretStoreFor, secretValueReader, type SecretStore } from '../core/secrets';
import { eventAdmission, stripeKeyMode } from '../domain/event-admission';
import type { ServiceMetrics } from '../domain/metrics';
import type { ThinEventResolver } from '../domain/thin-event';
import { EVENT_LEDGER_KEY_PREFIX } from '../shared/tables';
import type { EventPipelineConfig } from './config';
import type { StateCheckDependencies } from '../reconcile/use-cases/check-subscription-state';
import type { ThinEventIntake } from './intake';
import { publishBillingEvent } from './use-cases/publish-billing-event';
import type { StripeEventIntake } from './use-cases/take-stripe-event';

/** The clients the pipeline talks through: AWS in Lambda, local stand-ins locally. */
export interface EventPipelineInfrastructure {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  /** Where the Stripe key is read from. */
  readonly secrets: SecretStore;
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** Stripe itself when absent; the local sandbox in `npm start`. */
  readonly stripeConnection?: StripeConnection;
  /** The parked-events table's client: `dynamo` unless given (tests fail parking alone). */
  readonly parkedEventsDynamo?: DynamoDBClient;
  /** The stripe SDK's (`StripeThinEventResolver`) unless given (tests). */
  readonly resolver?: ThinEventResolver;
  /**
   * How Stripe's rate limits are waited out on every Stripe request of the function
   * (reconciliation's scheduled budget and deadline); unset, a 429 is the caller's.
   */
  readonly stripeRateLimitBackoff?: BackoffOptions;
}

/**
 * A deployed pipeline function's infrastructure at cold start (the webhook, EventBridge and
 * reconciliation functions): its logger and metrics from the environment, its clients, and
 * Secrets Manager cached for the configured age.
 */
export function deployedPipelineInfrastructure(
  env: Environment,
  config: EventPipelineConfig,
  aws: FunctionClients,
): EventPipelineInfrastructure & ColdStart {
  return {
    ...coldStart(env),
    dynamo: aws.dynamo,
    sns: aws.sns,
    secrets: secretStoreFor(config, aws.secretsManager),
    ...(aws.stripeConnection ? { stripeConnection: aws.stripeConnection } : {}),
  };
}

/** The pipeline, wired: what every way in hands `takeStripeEvent`, and the Stripe it reaches. */
export interface EventPipeline extends StripeEventIntake {
  readonly thinEvents: ThinEventIntake;
  readonly logger: Logger;
  /**
   * One client cache for every Stripe call the function makes (an ordering tie, an
   * entitlement summary, a thin event; reconciliation's listing).
   */
  readonly stripe: StripeClientProvider;
  /**
   * What the state check (reconciliation's, and `replay --subscription`) needs: the same
   * order ledger, Stripe, customers and topic as the pipeline.
   */
  readonly stateCheck: StateCheckDependencies;
}

/**
 * The one pipeline every verified Stripe event goes through, whichever way it came in:
 * once per event id (the ledger), mapped, ordered, published or parked. Built once per
 * function by its composition root.
 */
export function buildEventPipeline(
  config: EventPipelineConfig,
  infrastructure: EventPipelineInfrastructure,
): EventPipeline {
  const logger = infrastructure.logger ?? createLogger();
  const { metrics } = infrastructure;
  const stripeKey = secretValueReader(infrastructure.secrets, config.stripeSecretKey);
  const stripe = new StripeClientProvider(
    stripeKey,
    infrastructure.stripeConnection,
    infrastructure.stripeRateLimitBackoff,
  );
  // The key's mode is what "live and test never mix" compares with: read through the same
  // secrets cache, so it follows a rotation to a key of the other mode.
  const admission = eventAdmission(async () => stripeKeyMode(await stripeKey()));
  // One document client for every table on `dynamo`: each one built costs the cold start.
  const documents = DynamoDBDocumentClient.from(infrastructure.dynamo);
  const parked = new DynamoParkedEventStore(
    infrastructure.parkedEventsDynamo
      ? DynamoDBDocumentClient.from(infrastructure.parkedEventsDynamo)
      : documents,
    config.parkedEventsTable,
  );
  const publishing = {
    customers: new DynamoCustomerRepository(documents, config.customersTable),
    publisher: new SnsEventPublisher(infrastructure.sns, config.billingEventsTopicArn),
    parked,
    admission,
    accessPolicy: config.accessPolicy,
    order: new DynamoSubscriptionOrderLedger(documents, config.subscriptionOrderTable),
    subscriptions: new StripeSubscriptionSource(stripe),
    entitlements: new StripeActiveEntitlementSource(stripe),
    charges: new StripeChargeSource(stripe),
    logger,
    ...(metrics ? { metrics } : {}),
  };
  const process = idempotentProcessor((delivery) => publishBillingEvent(publishing, delivery), {
    dynamo: infrastructure.dynamo,
    tableName: config.eventLedgerTable,
    keyPrefix: EVENT_LEDGER_KEY_PREFIX,
  });
  return {
    process,
    thinEvents: {
      resolver: infrastructure.resolver ?? new StripeThinEventResolver(stripe),
      parked,
      admission,
    },
    logger,
    ...(metrics ? { metrics } : {}),
    stripe,
    // The same ledger, Stripe, customers, topic and policy as publishing.
    stateCheck: publishing,
  };
}
