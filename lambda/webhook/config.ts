import { type Environment, EnvironmentReader } from '../core/config';
import { DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS, type SecretRef } from '../core/secrets';
import { ENV } from '../shared/function-environment';

export interface WebhookConfig {
  readonly customersTable: string;
  readonly idempotencyTable: string;
  readonly parkedEventsTable: string;
  readonly subscriptionOrderTable: string;
  readonly billingEventsTopicArn: string;
  readonly stripeWebhookSecret: SecretRef;
  /** Read only to settle same-second ordering ties against Stripe (contract section 5). */
  readonly stripeSecretKey: SecretRef;
  readonly secretsCacheMaxAgeSeconds: number;
}

/** The webhook function's settings, from the environment the stack (or the local run) sets. */
export function loadWebhookConfig(env: Environment): WebhookConfig {
  const read = new EnvironmentReader(env);
  return read.done({
    customersTable: read.required(ENV.customersTable),
    idempotencyTable: read.required(ENV.idempotencyTable),
    parkedEventsTable: read.required(ENV.parkedEventsTable),
    subscriptionOrderTable: read.required(ENV.subscriptionOrderTable),
    billingEventsTopicArn: read.required(ENV.billingEventsTopicArn),
    stripeWebhookSecret: read.secret(ENV.stripeWebhookSecretName, ENV.stripeWebhookSecretField),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    secretsCacheMaxAgeSeconds: read.positiveInteger(
      ENV.secretsCacheMaxAgeSeconds,
      DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
    ),
  });
}
