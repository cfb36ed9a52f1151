import { ConfigurationError, type Environment, readEnvironment } from '../core/config';
import { readSecretsCacheMaxAge } from '../core/secrets';
import { ENV } from '../shared/function-environment';
import { isStripePartnerSourceName } from '../stripe-events/event-bridge-pattern';
import { readEventPipelineConfig } from '../webhook/config';
import type { EventPipelineConfig } from '../stripe-events/pipeline';
import type { SecretRef } from '../shared/secrets';

/** The EventBridge function's settings: the webhook's pipeline, its source, the Stripe key. */
export interface EventBridgeConfig extends EventPipelineConfig {
  /** The only `source` the function takes (`aws.partner/stripe.com/...`). */
  readonly eventBridgeSource: string;
  /** Resolves thin notifications and settles same-second ordering ties; never verifies. */
  readonly stripeSecretKey: SecretRef;
  readonly secretsCacheMaxAgeSeconds: number;
}

/** From the environment the stack (or the local stack) sets; every problem named at once. */
export function loadEventBridgeConfig(env: Environment): EventBridgeConfig {
  const config = readEnvironment(env, (read) => ({
    ...readEventPipelineConfig(read),
    eventBridgeSource: read.required(ENV.eventBridgeSource),
    stripeSecretKey: read.secret(ENV.stripeSecretKeyName, ENV.stripeSecretKeyField),
    secretsCacheMaxAgeSeconds: readSecretsCacheMaxAge(read),
  }));
  // A malformed source would make the function reject every event: fail the cold start.
  if (!isStripePartnerSourceName(config.eventBridgeSource)) {
    throw new ConfigurationError(
      `Invalid function configuration: ${ENV.eventBridgeSource} must be a Stripe partner event source (aws.partner/stripe.com/...).`,
    );
  }
  return config;
}
