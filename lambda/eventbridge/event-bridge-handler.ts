import type { Context } from 'aws-lambda';
import type { StripeEventBridgeEnvelope } from '../stripe-events/event-bridge-pattern';
import {
  type EventBridgeIntakeDependencies,
  type EventBridgeOutcome,
  takePartnerEvent,
} from './use-cases/take-partner-event';

export type EventBridgeHandler = (
  event: StripeEventBridgeEnvelope,
  context: Context,
) => Promise<EventBridgeOutcome>;

/**
 * The account the function runs in, from its own ARN
 * (`arn:<partition>:lambda:<region>:<account>:function:<name>[:<alias>]`): the only one
 * whose partner bus may feed it.
 */
export const accountOf = (context: Pick<Context, 'invokedFunctionArn'>): string =>
  context.invokedFunctionArn.split(':')[4] ?? '';

/**
 * The function behind the partner event bus's rule. Invoked asynchronously: a thrown error
 * is retried by Lambda, and after the retries the event goes to the failure destination.
 */
export function createEventBridgeHandler(deps: EventBridgeIntakeDependencies): EventBridgeHandler {
  return async (event, context) => {
    deps.logger.addContext(context);
    return takePartnerEvent(deps, event, { account: accountOf(context) }, context);
  };
}
