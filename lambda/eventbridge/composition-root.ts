import {
  buildEventPipeline,
  deployedPipelineInfrastructure,
  type EventPipelineInfrastructure,
} from '../stripe-events/pipeline';
import { type EventBridgeConfig, loadEventBridgeConfig } from './config';
import { createEventBridgeHandler, type EventBridgeHandler } from './event-bridge-handler';
import type { Environment } from '../core/config';
import type { FunctionClients } from '../core/cold-start';

/** The clients the EventBridge function talks through (it reads the Stripe key only). */
export type EventBridgeInfrastructure = EventPipelineInfrastructure;

/** Builds the EventBridge function's handler: the event pipeline behind another way in. */
export function buildEventBridgeHandler(
  config: EventBridgeConfig,
  infrastructure: EventBridgeInfrastructure,
): EventBridgeHandler {
  const pipeline = buildEventPipeline(config, infrastructure);
  return createEventBridgeHandler({
    source: config.eventBridgeSource,
    process: pipeline.process,
    resolver: pipeline.thinEvents.resolver,
    parked: pipeline.thinEvents.parked,
    admission: pipeline.thinEvents.admission,
    logger: pipeline.logger,
    ...(pipeline.metrics ? { metrics: pipeline.metrics } : {}),
  });
}

/**
 * The deployed function, as its index builds it at cold start: the configuration from
 * the environment the stack sets (a misconfigured function fails here, naming every
 * missing setting), then the composition root with the given AWS clients.
 */
export function eventBridgeFunction(env: Environment, aws: FunctionClients): EventBridgeHandler {
  const config = loadEventBridgeConfig(env);
  const infrastructure = deployedPipelineInfrastructure(env, config, aws);
  return infrastructure.metrics.instrument(buildEventBridgeHandler(config, infrastructure));
}
