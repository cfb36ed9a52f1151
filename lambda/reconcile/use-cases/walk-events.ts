import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { isStripeRateLimited } from '../../core/dependency-metrics';
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
  type WalkStop,
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

export interface WalkOutcome {
  readonly complete: boolean;
  readonly progress: WalkProgress;
  readonly stoppedBy?: WalkStop;
}

/** What a walk has settled so far, for the cursor. */
class WalkState {
  newestSettled: number | undefined;
  oldestUnsettled: number | undefined;
  walkedTo: number | undefined;
  listedBefore: number | undefined;
  failuresInARow = 0;

  unsettled(created: number): void {
    this.oldestUnsettled = Math.min(this.oldestUnsettled ?? created, created);
  }

  record(result: EventResult): void {
    if (result.disposition === 'failed' || result.disposition === 'in_progress') {
      this.unsettled(result.created);
    } else {
      this.newestSettled = Math.max(this.newestSettled ?? result.created, result.created);
    }
    this.failuresInARow = result.disposition === 'failed' ? this.failuresInARow + 1 : 0;
  }

  progress(): WalkProgress {
    const { newestSettled, oldestUnsettled, walkedTo, listedBefore } = this;
    return { newestSettled, oldestUnsettled, walkedTo, listedBefore };
  }
}

/**
 * Walks Stripe's events of the handled types in the window, chunk by chunk, oldest first
 * (listing a chunk costs time before its first event, so a long window, a first run or a
 * backlog, makes progress the cursor can keep), taking each as every way in takes it.
 * Stops early, saying how far it got, when out of time, when every recent event failed,
 * or when Stripe's rate limits outlast the Stripe client's backoff (the next run resumes).
 */
export async function walkEvents(
  deps: WalkDependencies,
  options: WalkOptions,
  tally: RunTally,
): Promise<WalkOutcome> {
  const state = new WalkState();
  for (const chunk of chunksOf(options.window)) {
    const stoppedBy = await walkChunk(deps, options, tally, state, chunk);
    if (stoppedBy !== undefined) return { complete: false, progress: state.progress(), stoppedBy };
    // A chunk that ended well before now (an overlap before it: nothing of it can still be
    // on its way into Stripe's list) settles its whole time, events or not.
    if (chunk.to < options.window.to - options.overlapSeconds) state.walkedTo = chunk.to;
  }
  return { complete: true, progress: state.progress() };
}

/** One chunk of the window; why the walk must stop, if it must. */
async function walkChunk(
  deps: WalkDependencies,
  options: WalkOptions,
  tally: RunTally,
  state: WalkState,
  chunk: SecondsWindow,
): Promise<WalkStop | undefined> {
  const outOfTime = () => options.context.getRemainingTimeInMillis() < options.reserveMs;
  const timeIsUp = (fields?: { stripeEventId: string }) => {
    deps.logger.warn('Reconciliation out of time: the next run continues from here', fields ?? {});
    return 'out_of_time' as const;
  };
  if (outOfTime()) return timeIsUp();
  const listing = {
    types: HANDLED_STRIPE_EVENT_TYPES,
    createdFrom: chunk.from,
    createdTo: chunk.to,
  };
  let lastListed: number | undefined;
  try {
    for await (const event of deps.source.eventsOldestFirst(listing)) {
      lastListed = event.created;
      if (outOfTime()) {
        state.unsettled(event.created);
        return timeIsUp({ stripeEventId: event.id });
      }
      const result = await takeListedEvent(deps, event, options.context);
      if (result === RATE_LIMITED) {
        state.unsettled(event.created);
        return rateLimited(deps, { stripeEventId: event.id });
      }
      options.onEvent?.(result);
      tally.add(result);
      state.record(result);
      if (state.failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
        deps.logger.error('Reconciliation stopped: every recent event failed', {
          failuresInARow: state.failuresInARow,
        });
        return 'failing';
      }
    }
  } catch (error) {
    // Refused a page of the listing: everything listed so far was taken; what was not
    // (from the last listed second on) is the next run's.
    if (!isStripeRateLimited(error)) throw error;
    state.listedBefore = lastListed ?? chunk.from;
    return rateLimited(deps, { error });
  }
  return undefined;
}

/** The walk's answer when Stripe's rate limits outlasted the backoff: stop, resumably. */
function rateLimited(
  deps: WalkDependencies,
  fields: { readonly stripeEventId: string } | { readonly error: unknown },
): WalkStop {
  deps.logger.warn(
    "Reconciliation stopped: Stripe's rate limits outlasted the backoff; the next run continues from here",
    fields,
  );
  return 'rate_limited';
}

/** What `takeListedEvent` answers for an event Stripe's rate limits kept from being taken. */
const RATE_LIMITED = Symbol('rate limited');

/** One listed event through the shared flow, never throwing: what happened, as a result. */
async function takeListedEvent(
  deps: WalkDependencies,
  event: Stripe.Event,
  context: Context,
): Promise<EventResult | typeof RATE_LIMITED> {
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
    // Not a failure of the event: nothing was done (the ledger released it), and the run
    // stops here rather than fail every event after it the same way.
    if (isStripeRateLimited(error)) return RATE_LIMITED;
    deps.logger.warn('Reconciliation could not process an event', {
      stripeEventId: event.id,
      stripeEventType: event.type,
      error: error as Error,
    });
    return { ...base, disposition: 'failed', error: describeFailure(error) };
  }
}
