import type { HttpHandler } from '../core/http-handler';
import { createLogger, type Logger } from '../core/logger';
import type { SecretStore } from '../core/secrets';
import type { WebhookConfig } from './config';
import { createWebhookHandler } from './webhook-handler';

/** The clients the webhook function talks through: AWS in Lambda, local stand-ins locally. */
export interface WebhookInfrastructure {
  readonly secrets: SecretStore;
  readonly logger?: Logger;
}

/** Builds the webhook handler's real dependencies from its configuration and clients. */
export function buildWebhookHandler(
  _config: WebhookConfig,
  infrastructure: WebhookInfrastructure,
): HttpHandler {
  return createWebhookHandler({ logger: infrastructure.logger ?? createLogger() });
}
