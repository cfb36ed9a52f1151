import { buildApiHandler } from '../../lambda/api/composition-root';
import type { HttpHandler } from '../../lambda/core/http-handler';
import { createLogger, type Logger } from '../../lambda/core/logger';
import { buildEventBridgeHandler } from '../../lambda/eventbridge/composition-root';
import type { EventBridgeHandler } from '../../lambda/eventbridge/event-bridge-handler';
import type { FunctionId } from '../../lambda/shared/routes';
import { buildWebhookHandler } from '../../lambda/webhook/composition-root';
import { pooledHandler } from '../handler-pool';
import type { LocalFunctionSettings } from './function-settings';
import type { LocalClients } from './services';

/**
 * The two functions' handlers, built by their own composition roots with local
 * clients. Each function gets a pool of instances, one per request in flight, as Lambda
 * gives each concurrent request a container of its own; each instance logs through its
 * own child of `logger`, so one request's keys never appear on another's lines. The AWS
 * clients are shared: they hold no request state, and one connection pool per endpoint is
 * enough.
 */
export function buildLocalHandlers(
  settings: LocalFunctionSettings,
  clients: Pick<LocalClients, 'dynamo' | 'sns'>,
  logger: Logger = createLogger(),
): Record<FunctionId, HttpHandler> {
  const { secrets, stripeConnection } = settings;
  return {
    api: pooledHandler(() =>
      buildApiHandler(settings.api, {
        dynamo: clients.dynamo,
        secrets,
        logger: logger.createChild(),
        ...(stripeConnection ? { stripeConnection } : {}),
      }),
    ),
    webhook: pooledHandler(() =>
      buildWebhookHandler(settings.webhook, {
        dynamo: clients.dynamo,
        sns: clients.sns,
        secrets,
        logger: logger.createChild(),
        ...(stripeConnection ? { stripeConnection } : {}),
      }),
    ),
  };
}

/**
 * The EventBridge function's handler (`lambda/eventbridge`), for the local EventBridge
 * stand-in: pooled as the HTTP ones are, one instance per invocation in flight (the
 * idempotency config holds the invocation's context).
 */
export function buildLocalEventBridgeHandler(
  settings: LocalFunctionSettings,
  clients: Pick<LocalClients, 'dynamo' | 'sns'>,
  logger: Logger = createLogger(),
): EventBridgeHandler {
  const { secrets, stripeConnection } = settings;
  const idle: EventBridgeHandler[] = [];
  const build = () =>
    buildEventBridgeHandler(settings.eventBridge, {
      dynamo: clients.dynamo,
      sns: clients.sns,
      secrets,
      logger: logger.createChild(),
      ...(stripeConnection ? { stripeConnection } : {}),
    });
  return async (event, context) => {
    const instance = idle.pop() ?? build();
    const result = await instance(event, context);
    idle.push(instance);
    return result;
  };
}
