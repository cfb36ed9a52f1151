import { parseSecretList } from '../core/secrets';
import type { HttpHandler } from '../core/http-handler';
import { loadWebhookConfig, type WebhookConfig } from './config';
import {
  buildEventPipeline,
  deployedPipelineInfrastructure,
  type EventPipelineInfrastructure,
} from '../stripe-events/pipeline';
import { StripeSignatureVerifier } from './signature-verifier';
import { createWebhookHandler } from './webhook-handler';
import type { Environment } from '../core/config';
import type { FunctionClients } from '../core/cold-start';

/** The clients the webhook function talks through: AWS in Lambda, local stand-ins locally. */
export type WebhookInfrastructure = EventPipelineInfrastructure;

/** Builds the webhook handler's real dependencies from its configuration and clients. */
export function buildWebhookHandler(
  config: WebhookConfig,
  infrastructure: WebhookInfrastructure,
): HttpHandler {
  const secret = config.stripeWebhookSecret;
  return createWebhookHandler({
    ...buildEventPipeline(config, infrastructure),
    verifier: new StripeSignatureVerifier(async (options) =>
      parseSecretList(await infrastructure.secrets.get(secret.name, options), secret),
    ),
  });
}

/**
 * The deployed function, as its index builds it at cold start: the configuration from
 * the environment the stack sets (a misconfigured function fails here, naming every
 * missing setting), then the composition root with the given AWS clients.
 */
export function webhookFunction(env: Environment, aws: FunctionClients): HttpHandler {
  const config = loadWebhookConfig(env);
  const infrastructure = deployedPipelineInfrastructure(env, config, aws);
  return infrastructure.metrics.instrument(buildWebhookHandler(config, infrastructure));
}
