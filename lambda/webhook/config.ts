import { type Environment, type EnvironmentReader, readEnvironment } from '../core/config';
import { readSecretsCacheMaxAge } from '../core/secrets';
import { ENV } from '../shared/function-environment';
import type { EventPipelineConfig } from '../stripe-events/pipeline';
import type { SecretRef } from '../shared/secrets';

export interface WebhookConfig extends EventPipelineConfig {
  readonly stripeWebhookSecret: SecretRef;
  /** Read only to settle same-second ordering ties against Stripe (contract section 5). */
  readonly stripeSecretKey: SecretRef;
  readonly secretsCacheMaxAgeSeconds: number;
}

/** Where the event pipeline's tables and topic are: every function that runs it reads them. */
export function readEventPipelineConfig(read: EnvironmentReader): EventPipelineConfig {
  return {
    customersTable: read.required(ENV.customersTable),
    eventLedgerTable: read.required(ENV.eventLedgerTable),
    parkedEventsTable: read.required(ENV.parkedEventsTable),
    subscriptionOrderTable: read.required(ENV.subscriptionOrderTable),
    billingEventsTopicArn: read.required(ENV.billingEventsTopicArn),
  };
}

/** The webhook function's settings, from the environment the stack (or the local run) sets. */
export const loadWebhookConfig = (env: Environment): WebhookConfig =>
  readEnvironment(env, (read) => ({
    ...readEventPipelineConfig(read),
    stripeWebhookSecret: read.secret(ENV.stripeWebhookSecretName, ENV.stripeWebhookSecretField),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    secretsCacheMaxAgeSeconds: readSecretsCacheMaxAge(read),
  }));
