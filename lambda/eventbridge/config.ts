import { ConfigurationError, type Environment, readEnvironment } from '../core/config';
import { ENV } from '../shared/function-environment';
import { type EventPipelineConfig, readEventPipelineConfig } from '../stripe-events/config';
import { isStripePartnerSourceName } from '../stripe-events/event-bridge-pattern';

/** The EventBridge function's settings: the event pipeline's, and its partner source. */
export interface EventBridgeConfig extends EventPipelineConfig {
  /** The only `source` the function takes (`aws.partner/stripe.com/...`). */
  readonly eventBridgeSource: string;
}

/** From the environment the stack (or the local stack) sets; every problem named at once. */
export function loadEventBridgeConfig(env: Environment): EventBridgeConfig {
  const config = readEnvironment(env, (read) =>
    readEventPipelineConfig(read, () => ({
      eventBridgeSource: read.required(ENV.eventBridgeSource),
    })),
  );
  // A malformed source would make the function reject every event: fail the cold start.
  if (!isStripePartnerSourceName(config.eventBridgeSource)) {
    throw new ConfigurationError(
      `Invalid function configuration: ${ENV.eventBridgeSource} must be a Stripe partner event source (aws.partner/stripe.com/...).`,
    );
  }
  return config;
}
