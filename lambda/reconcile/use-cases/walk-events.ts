import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import type { Logger } from '../../core/logger';
import type { StripeEventSource } from '../../domain/stripe-event-source';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../stripe-events/billing-event-mapping';
import {
  snapshotOf,
  type StripeEventIntake,
  takeStripeEvent,
} from '../../stripe-events/use-cases/take-stripe-event';
import { chunksOf, type SecondsWindow, type WalkProgress } from './reconcile-window';
import {
  describeFailure,
  dispositionOf,
  type EventResult,
  type RunTally,
} from './reconciliation-report';

/** After this many transient failures in a row a dependency is down: the run stops. */
export const MAX_CONSECUTIVE_FAILURES = 5;

export interface WalkDependencies {
  readonly source: StripeEventSource;
  readonly intake: StripeEventIntake;
  readonly logger: Logger;
}

export interface WalkOptions {
  readonly window: SecondsWindow;
  readonly overlapSeconds: number;
  readonly context: Context;
  /** Stop taking new events with less than this left in the invocation. */
  readonly reserveMs: number;
  readonly onEvent?: ((result: EventResult) => void) | undefined;
}

/**
 * Walks Stripe's events of the handled types in the window, chunk by chunk, oldest first
 * (listing a chunk costs time before its first event, so a long window, a first run or a
 * backlog, makes progress the cursor can keep), taking each as every way in takes it.
 * Stops early when out of time or when every recent event failed; says how far it got.
 */
export async function walkEvents(
  deps: WalkDependencies,
  options: WalkOptions,
  tally: RunTally,
): Promise<{ readonly complete: boolean; readonly progress: WalkProgress }> {
  const { context, window, overlapSeconds } = options;
  let newestSettled: number | undefined;
  let oldestUnsettled: number | undefined;
  let walkedTo: number | undefined;
  const progress = (): WalkProgress => ({ newestSettled, oldestUnsettled, walkedTo });
  const stopped = () => ({ complete: false, progress: progress() });
  const outOfTime = () => context.getRemainingTimeInMillis() < options.reserveMs;
  let failuresInARow = 0;

  for (const chunk of chunksOf(window)) {
    if (outOfTime()) {
      deps.logger.warn('Reconciliation out of time: the next run continues from here');
      return stopped();
    }
    const listing = {
      types: HANDLED_STRIPE_EVENT_TYPES,
      createdFrom: chunk.from,
      createdTo: chunk.to,
    };
    for await (const event of deps.source.eventsOldestFirst(listing)) {
      if (outOfTime()) {
        deps.logger.warn('Reconciliation out of time: the next run continues from here', {
          stripeEventId: event.id,
        });
        oldestUnsettled = Math.min(oldestUnsettled ?? event.created, event.created);
        return stopped();
      }
      const result = await takeListedEvent(deps, event, context);
      options.onEvent?.(result);
      tally.add(result);
      if (result.disposition === 'failed' || result.disposition === 'in_progress') {
        oldestUnsettled = Math.min(oldestUnsettled ?? event.created, event.created);
      } else {
        newestSettled = Math.max(newestSettled ?? event.created, event.created);
      }
      failuresInARow = result.disposition === 'failed' ? failuresInARow + 1 : 0;
      if (failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
        deps.logger.error('Reconciliation stopped: every recent event failed', { failuresInARow });
        return stopped();
      }
    }
    // A chunk that ended well before now (an overlap before it: nothing of it can still be
    // on its way into Stripe's list) settles its whole time, events or not.
    if (chunk.to < window.to - overlapSeconds) walkedTo = chunk.to;
  }
  return { complete: true, progress: progress() };
}

/** One listed event through the shared flow, never throwing: what happened, as a result. */
async function takeListedEvent(
  deps: WalkDependencies,
  event: Stripe.Event,
  context: Context,
): Promise<EventResult> {
  const base = { eventId: event.id, type: event.type, created: event.created };
  try {
    const outcome = await takeStripeEvent(deps.intake, snapshotOf(event), { context });
    const disposition = dispositionOf(outcome);
    if (disposition === 'in_progress') {
      deps.logger.info('Event in progress elsewhere; the next run looks at it again', {
        stripeEventId: event.id,
      });
    }
    const billingEventId = outcome.status === 'published' ? outcome.recorded.billingEventId : null;
    if (billingEventId !== null) {
      deps.logger.info('Reconciliation published an event that had not been processed', {
        stripeEventId: event.id,
        stripeEventType: event.type,
        billingEventId,
      });
    }
    return { ...base, disposition, ...(billingEventId !== null ? { billingEventId } : {}) };
  } catch (error) {
    deps.logger.warn('Reconciliation could not process an event', {
      stripeEventId: event.id,
      stripeEventType: event.type,
      error: error as Error,
    });
    return { ...base, disposition: 'failed', error: describeFailure(error) };
  }
}
