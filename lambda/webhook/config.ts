import { type Environment, EnvironmentReader } from '../core/config';
import { DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS } from '../core/secrets';
import { ENV } from '../shared/function-environment';

export interface WebhookConfig {
  readonly customersTable: string;
  readonly idempotencyTable: string;
  readonly billingEventsTopicArn: string;
  readonly stripeWebhookSecretName: string;
  readonly secretsCacheMaxAgeSeconds: number;
}

/** The webhook function's settings, from the environment the stack (or the local run) sets. */
export function loadWebhookConfig(env: Environment): WebhookConfig {
  const read = new EnvironmentReader(env);
  return read.done({
    customersTable: read.required(ENV.customersTable),
    idempotencyTable: read.required(ENV.idempotencyTable),
    billingEventsTopicArn: read.required(ENV.billingEventsTopicArn),
    stripeWebhookSecretName: read.required(ENV.stripeWebhookSecretName),
    secretsCacheMaxAgeSeconds: read.positiveInteger(
      ENV.secretsCacheMaxAgeSeconds,
      DEFAULT_SECRETS_CACHE_MAX_AGE_SECONDS,
    ),
  });
}
