import type { Context } from 'aws-lambda';
import type { Logger } from '../../core/logger';
import type { EventAdmission } from '../../domain/event-admission';
import type { EventProcessor, ParkedOutcomeLedger } from '../../domain/event-ledger';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import type { ReconciliationStateStore } from '../../domain/reconciliation';
import type { StripeEventSource } from '../../domain/stripe-event-source';
import type { ThinEventResolver } from '../../domain/thin-event';
import type { PublishOutcome } from '../../stripe-events/use-cases/publish-billing-event';
import type { StripeEventIntake } from '../../stripe-events/use-cases/take-stripe-event';
import {
  cursorAfter,
  DEFAULT_RECONCILIATION_NAME,
  planWindow,
  type SecondsWindow,
  type WalkProgress,
} from './reconcile-window';
import {
  describeFailure,
  isoSeconds,
  type EventResult,
  type ReconciliationReport,
  reportSummary,
  type RunStart,
  RunTally,
  type WalkStop,
} from './reconciliation-report';
import type { StateCheckDependencies } from './check-subscription-state';
import {
  ChangedSubscriptions,
  checkSubscriptionStates,
  NO_STATE_CHECK,
  type StateCheckRunReport,
} from './state-check-run';
import { walkEvents } from './walk-events';

export interface ReconcileDependencies {
  readonly source: StripeEventSource;
  /** The one pipeline every verified event goes through (`buildEventPipeline`). */
  readonly process: EventProcessor<PublishOutcome>;
  readonly state: ReconciliationStateStore;
  readonly parked: ParkedEventStore;
  readonly ledger: ParkedOutcomeLedger;
  /** Turns a (parked) thin notification into its event when Stripe has it. */
  readonly resolver: ThinEventResolver;
  /** The clock and mode checks a (parked) thin notification passes before Stripe is asked. */
  readonly admission: EventAdmission;
  /** The state check of the subscriptions a run's events changed (`checkSubscriptionState`). */
  readonly stateCheck: StateCheckDependencies;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/** What every way in hands the shared flow, from reconciliation's dependencies. */
export const intakeOf = (deps: ReconcileDependencies): StripeEventIntake => ({
  process: deps.process,
  thinEvents: { resolver: deps.resolver, parked: deps.parked, admission: deps.admission },
  logger: deps.logger,
  ...(deps.metrics ? { metrics: deps.metrics } : {}),
  ...(deps.now ? { now: deps.now } : {}),
});

export interface ReconcileOptions {
  /** How far before the saved cursor to start (`overlapSecondsFor`). */
  readonly overlapSeconds: number;
  /**
   * Walk from this time instead of from the cursor (bounded by Stripe's retention). The
   * cursor then moves only if the window began at or before where a scheduled run would
   * have begun, or when there was no cursor yet (the operator chose the starting point).
   */
  readonly since?: Date;
  /**
   * The Lambda context handed to the pipeline (the idempotency ledger's in-progress records
   * expire with it) and read for the time left.
   */
  readonly context: Context;
  /**
   * Stop taking new events with less than this left in the invocation (default: a quarter
   * of what was left at the start, between 3 and 30 seconds). The cursor then marks how far
   * the run got, and the next run continues from there.
   */
  readonly reserveMs?: number;
  readonly name?: string;
  /** Called once the window is known, before any event (the CLI prints it). */
  readonly onStart?: (start: RunStart) => void;
  /** Called after each event (the CLI prints what it recovered). */
  readonly onEvent?: (result: EventResult) => void;
}

/** How a run ended, before it is reported. */
interface RunEnd {
  window: SecondsWindow;
  previousCursor?: number;
  clampedToRetention: boolean;
  complete: boolean;
  stoppedBy?: WalkStop;
  cursor: { saved?: number; notSaved?: string };
  stateCheck?: StateCheckRunReport;
  error?: unknown;
}

/**
 * Reconciliation (contract section 8), the one use case behind the scheduled function and
 * `npm run replay`: walks Stripe's events of the handled types from the saved cursor (minus
 * the overlap, never past Stripe's 30-day retention) to now, oldest first, and takes each
 * as every way in takes it (`takeStripeEvent`). An event any way in processed before is a
 * no-op ("already processed"); one that was never delivered, or that a wrong endpoint
 * acknowledged, is published now. Nothing here asks Stripe whether a delivery succeeded
 * (`delivery_success`): a wrong endpoint's 2xx would call it delivered.
 *
 * The cursor (the newest `created` below which every event was settled) is saved only by a
 * run that completed without a failure; an event another way in holds in progress, or that
 * failed, keeps the cursor below it, so the next run looks at it again. Stripe keeps events
 * 30 days and the ledger remembers an event at least as long (`EVENT_LEDGER_RECORD_DAYS`),
 * so every event a window can list is one the ledger still knows.
 */
export async function reconcile(
  deps: ReconcileDependencies,
  options: ReconcileOptions,
): Promise<ReconciliationReport> {
  const now = deps.now ?? (() => new Date());
  const name = options.name ?? DEFAULT_RECONCILIATION_NAME;
  const startedAt = now();
  const nowSeconds = Math.floor(startedAt.getTime() / 1000);
  const tally = new RunTally();
  const end: RunEnd = {
    window: { from: nowSeconds, to: nowSeconds },
    clampedToRetention: false,
    complete: true,
    cursor: {},
  };
  try {
    const previous = await deps.state.load(name);
    end.previousCursor = previous?.cursor;
    const plan = planWindow({ nowSeconds, previousCursor: end.previousCursor, ...options });
    end.window = { from: plan.from, to: plan.to };
    end.clampedToRetention = plan.clampedToRetention;
    options.onStart?.(runStart(end));
    const reserveMs = reserveMsOf(options);
    const changed = new ChangedSubscriptions();
    const onEvent = (result: EventResult) => {
      changed.note(result);
      options.onEvent?.(result);
    };
    const walked = await walkEvents(
      { source: changed.tap(deps.source), intake: intakeOf(deps), logger: deps.logger },
      { ...options, onEvent, window: end.window, reserveMs },
      tally,
    );
    end.complete = walked.complete;
    if (walked.stoppedBy !== undefined) end.stoppedBy = walked.stoppedBy;
    end.cursor = await saveCursor(deps, tally, end, {
      name,
      startedAt,
      mayMoveCursor: plan.mayMoveCursor,
      progress: walked.progress,
      now,
    });
    // After the cursor: the check never holds back event reconciliation. A run Stripe's
    // rate limits stopped leaves every check to the next run (skipped, not failed).
    const rateLimited = walked.stoppedBy === 'rate_limited';
    end.stateCheck = await checkSubscriptionStates(deps.stateCheck, changed.inCheckOrder(), {
      outOfTime: () => rateLimited || options.context.getRemainingTimeInMillis() < reserveMs,
    });
  } catch (error) {
    end.error = error;
    end.complete = false;
  }
  return report(deps, name, tally, end);
}

/** The time a run keeps to finish its event and save its cursor (`ReconcileOptions.reserveMs`). */
export const reserveMsOf = (options: Pick<ReconcileOptions, 'reserveMs' | 'context'>): number =>
  options.reserveMs ??
  Math.min(30_000, Math.max(3_000, options.context.getRemainingTimeInMillis() / 4));

const runStart = (end: RunEnd): RunStart => ({
  window: { from: isoSeconds(end.window.from), to: isoSeconds(end.window.to) },
  ...(end.previousCursor !== undefined ? { previousCursor: isoSeconds(end.previousCursor) } : {}),
  clampedToRetention: end.clampedToRetention,
});

/** Saves the cursor a walk earned, unless the run failed or may not move it. */
async function saveCursor(
  deps: ReconcileDependencies,
  tally: RunTally,
  end: RunEnd,
  run: {
    readonly name: string;
    readonly startedAt: Date;
    readonly mayMoveCursor: boolean;
    readonly progress: WalkProgress;
    readonly now: () => Date;
  },
): Promise<RunEnd['cursor']> {
  if (tally.counts.failed > 0) {
    return { notSaved: 'the run had failures; the next run looks at them again' };
  }
  const cursor = cursorAfter(end.previousCursor, run.progress);
  const finishedAt = run.now().toISOString();
  if (!run.mayMoveCursor) {
    return { notSaved: 'the window began after the scheduled window would have (--since)' };
  }
  const saved = await deps.state.save({
    name: run.name,
    ...(cursor !== undefined ? { cursor } : {}),
    runStartedAt: run.startedAt.toISOString(),
    lastRunAt: finishedAt,
    window: { from: isoSeconds(end.window.from), to: isoSeconds(end.window.to) },
    counts: { ...tally.counts },
  });
  if (!saved) return { notSaved: 'a run that started later saved its cursor first' };
  return cursor !== undefined ? { saved: cursor } : {};
}

/** Counts the run (metrics), logs it, and reports it. */
function report(
  deps: ReconcileDependencies,
  name: string,
  tally: RunTally,
  end: RunEnd,
): ReconciliationReport {
  const metrics = deps.metrics ?? NO_METRICS;
  const stateCheck = end.stateCheck ?? NO_STATE_CHECK;
  const succeeded =
    end.error === undefined && tally.counts.failed === 0 && stateCheck.counts.failed === 0;
  metrics.count(METRICS.eventsRecovered, tally.counts.published);
  // A run Stripe's rate limits cut short: not a failure (it kept its progress), but a
  // capacity signal, counted as the API counts a request they turned away.
  if (end.stoppedBy === 'rate_limited') metrics.count(METRICS.stripeRateLimited);
  if (succeeded) {
    metrics.count(METRICS.reconciliationRuns, 1);
    metrics.count(METRICS.reconciliationFailures, 0);
  } else {
    metrics.count(METRICS.reconciliationFailures, 1);
  }
  const { cursor } = end;
  const result: ReconciliationReport = {
    name,
    succeeded,
    complete: end.complete,
    ...(end.stoppedBy !== undefined ? { stoppedBy: end.stoppedBy } : {}),
    window: { from: isoSeconds(end.window.from), to: isoSeconds(end.window.to) },
    counts: { ...tally.counts },
    cursor: {
      ...(end.previousCursor !== undefined ? { previous: isoSeconds(end.previousCursor) } : {}),
      ...(cursor.saved !== undefined ? { saved: isoSeconds(cursor.saved) } : {}),
      ...(cursor.notSaved !== undefined ? { notSaved: cursor.notSaved } : {}),
    },
    clampedToRetention: end.clampedToRetention,
    recovered: tally.recovered,
    parked: tally.parked,
    inProgress: tally.inProgress,
    failures: tally.failures,
    stateCheck,
    ...(end.error !== undefined ? { error: describeFailure(end.error) } : {}),
  };
  if (succeeded) {
    deps.logger.info('Reconciliation finished', { reconciliation: reportSummary(result) });
  } else {
    deps.logger.error('Reconciliation failed; the cursor is left where it was', {
      reconciliation: reportSummary(result),
      ...(end.error !== undefined ? { error: end.error as Error } : {}),
    });
  }
  return result;
}
