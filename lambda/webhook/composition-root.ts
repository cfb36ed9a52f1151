import { parseSecretList } from '../core/secrets';
import type { HttpHandler } from '../core/http-handler';
import type { WebhookConfig } from './config';
import { buildEventPipeline, type EventPipelineInfrastructure } from '../stripe-events/pipeline';
import { StripeSignatureVerifier } from './signature-verifier';
import { createWebhookHandler } from './webhook-handler';

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
