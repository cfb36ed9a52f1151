import { type Environment, readEnvironment } from '../core/config';
import { ENV } from '../shared/function-environment';
import type { SecretRef } from '../shared/secrets';
import { type EventPipelineConfig, readEventPipelineConfig } from '../stripe-events/config';

export interface WebhookConfig extends EventPipelineConfig {
  readonly stripeWebhookSecret: SecretRef;
}

/** The webhook function's settings, from the environment the stack (or the local run) sets. */
export const loadWebhookConfig = (env: Environment): WebhookConfig =>
  readEnvironment(env, (read) =>
    readEventPipelineConfig(read, () => ({
      stripeWebhookSecret: read.secret(ENV.stripeWebhookSecretName, ENV.stripeWebhookSecretField),
    })),
  );
