import { createHttpHandler, type HttpHandler } from '../core/http-handler';
import { stripeWebhookRoute, type WebhookRouteDependencies } from './routes/stripe-webhook';

/** The webhook function's one route; the same handler runs in Lambda and locally. */
export function createWebhookHandler(deps: WebhookRouteDependencies): HttpHandler {
  return createHttpHandler({
    logger: deps.logger,
    metrics: deps.metrics,
    routes: { stripeWebhook: stripeWebhookRoute(deps) },
  });
}
