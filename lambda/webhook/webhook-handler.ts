import { createHttpHandler, type HttpHandler } from '../core/http-handler';
import type { Logger } from '../core/logger';
import { notImplementedRoute } from '../core/not-implemented';

export interface WebhookDependencies {
  readonly logger: Logger;
}

/** POST /stripe/webhook: wired end to end, 501 until the webhook pipeline issue lands. */
export function createWebhookHandler(deps: WebhookDependencies): HttpHandler {
  return createHttpHandler({ logger: deps.logger, routes: { stripeWebhook: notImplementedRoute } });
}
