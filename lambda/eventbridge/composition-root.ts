import { buildEventPipeline, type EventPipelineInfrastructure } from '../stripe-events/pipeline';
import type { EventBridgeConfig } from './config';
import { createEventBridgeHandler, type EventBridgeHandler } from './event-bridge-handler';

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
    logger: pipeline.logger,
    ...(pipeline.metrics ? { metrics: pipeline.metrics } : {}),
  });
}
