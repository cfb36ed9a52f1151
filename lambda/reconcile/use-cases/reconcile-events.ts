import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { HttpError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import { classifyStripePayload, type IncomingStripePayload } from '../../stripe-events/intake';
import {
  NO_COUNTS,
  type ReconciliationCounts,
  type ReconciliationStateStore,
} from '../../domain/reconciliation';
import {
  STRIPE_EVENT_RETENTION_DAYS,
  type StripeEventSource,
} from '../../domain/stripe-event-source';
import {
  HANDLED_STRIPE_EVENT_TYPES,
  isHandledStripeEventType,
} from '../../stripe-events/billing-event-mapping';
import type { PublishOutcome } from '../../stripe-events/use-cases/publish-billing-event';
import {
  EventBusyError,
  type EventProcessor,
  type ParkedOutcomeLedger,
  type ProcessedEvent,
} from '../../domain/event-ledger';
import type { ThinEventResolver } from '../../domain/thin-event';

/** The scheduled reconciliation's name in the reconciliation-state table. */
export const DEFAULT_RECONCILIATION_NAME = 'stripe-events';
/** The overlap never goes below this, however short the interval. */
export const MIN_OVERLAP_SECONDS = 10 * 60;

/**
 * How far before its cursor a run starts: one interval, at least ten minutes. The cursor
 * is the newest `created` a run settled, but Stripe's list is eventually consistent (an
 * event can show up in it a little after its `created`), several events share a second,
 * and `created` is Stripe's clock, not ours. With one interval of overlap every event is
 * looked at by at least two consecutive runs, so one that was not yet listed by the first
 * is caught by the second. Looking again costs one conditional ledger write per event and
 * changes nothing: the ledger answers "already processed".
 */
export const overlapSecondsFor = (intervalMinutes: number): number =>
  Math.max(intervalMinutes * 60, MIN_OVERLAP_SECONDS);

const DAY_SECONDS = 24 * 3600;

/** After this many transient failures in a row a dependency is down: the run stops. */
export const MAX_CONSECUTIVE_FAILURES = 5;
/**
 * A window is walked a day at a time. A chunk that ended well before now moves the cursor
 * to its end even when it held no event, so a long quiet backlog is crossed once.
 */
export const CHUNK_SECONDS = DAY_SECONDS;
/** Ids listed per kind in a report (the counts are always complete). */
const MAX_LISTED = 100;

export interface ReconcileDependencies {
  readonly source: StripeEventSource;
  /** The one pipeline every verified event goes through (`buildEventPipeline`). */
  readonly process: EventProcessor<PublishOutcome>;
  readonly state: ReconciliationStateStore;
  readonly parked: ParkedEventStore;
  readonly ledger: ParkedOutcomeLedger;
  /** Turns a parked thin notification into its event again when Stripe has it now. */
  readonly thinEvents: ThinEventResolver;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/** What happened to one event. */
export type EventDisposition =
  | 'already_processed'
  | 'published'
  | 'parked'
  | 'superseded'
  | 'ignored'
  | 'in_progress'
  | 'failed';

export interface EventResult {
  readonly eventId: string;
  readonly type: string;
  /** Unix seconds. */
  readonly created: number;
  readonly disposition: EventDisposition;
  readonly billingEventId?: string;
  /** A transient failure's message. */
  readonly error?: string;
}

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

export interface RunStart {
  /** ISO 8601, inclusive. */
  readonly window: { readonly from: string; readonly to: string };
  /** ISO 8601: the saved cursor the window starts from (minus the overlap), if any. */
  readonly previousCursor?: string;
  /** `since` was older than Stripe keeps events: the window starts at the retention limit. */
  readonly clampedToRetention: boolean;
}

export interface ReconciliationReport {
  readonly name: string;
  /** True when the run did its work: no transient failure, the cursor saved (if it moves). */
  readonly succeeded: boolean;
  /** False when the run stopped before the end of its window (out of time, or failing). */
  readonly complete: boolean;
  /** ISO 8601, inclusive. */
  readonly window: { readonly from: string; readonly to: string };
  readonly counts: ReconciliationCounts;
  readonly cursor: {
    /** ISO 8601: the cursor the run started from. */
    readonly previous?: string;
    /** ISO 8601: the cursor saved, if it was. */
    readonly saved?: string;
    /** Why the cursor was not saved, when it was not. */
    readonly notSaved?: string;
  };
  /** `since` was older than Stripe keeps events: the window starts at the retention limit. */
  readonly clampedToRetention: boolean;
  readonly recovered: readonly string[];
  readonly parked: readonly string[];
  readonly inProgress: readonly string[];
  readonly failures: readonly { readonly eventId: string; readonly error: string }[];
  /** What stopped the run, when it failed as a whole (listing, loading or saving). */
  readonly error?: string;
}

type MutableCounts = { -readonly [K in keyof ReconciliationCounts]: number };

/**
 * Reconciliation (contract section 8), the one use case behind the scheduled function and
 * `npm run replay`: walks Stripe's events of the handled types from the saved cursor (minus
 * the overlap, never past Stripe's 30-day retention) to now, oldest first, and feeds each
 * through the same idempotent pipeline as the webhook. An event any way in processed before
 * is a no-op ("already processed"); one that was never delivered, or that a wrong endpoint
 * acknowledged, is published now. Nothing here asks Stripe whether a delivery succeeded
 * (`delivery_success`): a wrong endpoint's 2xx would call it delivered.
 *
 * The cursor (the newest `created` below which every event was settled) is saved only by a
 * run that completed without a failure; an event another way in holds in progress, or that
 * failed, keeps the cursor below it, so the next run looks at it again. Stripe keeps events
 * 30 days and the ledger remembers an event 30 days after it was processed (after its
 * `created`), so every event a window can list is one the ledger still knows.
 */
export async function reconcile(
  deps: ReconcileDependencies,
  options: ReconcileOptions,
): Promise<ReconciliationReport> {
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? NO_METRICS;
  const name = options.name ?? DEFAULT_RECONCILIATION_NAME;
  const startedAt = now();
  const nowSeconds = Math.floor(startedAt.getTime() / 1000);
  const retentionFloor = nowSeconds - STRIPE_EVENT_RETENTION_DAYS * DAY_SECONDS;
  const { context } = options;
  const reserveMs =
    options.reserveMs ?? Math.min(30_000, Math.max(3_000, context.getRemainingTimeInMillis() / 4));

  const counts: MutableCounts = { ...NO_COUNTS };
  const lists = { recovered: [] as string[], parked: [] as string[], inProgress: [] as string[] };
  const failures: { eventId: string; error: string }[] = [];
  let window = { from: nowSeconds, to: nowSeconds };
  let previousCursor: number | undefined;
  let clampedToRetention = false;
  let complete = true;
  let runError: unknown;
  let cursorNote: { saved?: number; notSaved?: string } = {};

  try {
    const previous = await deps.state.load(name);
    previousCursor = previous?.cursor;
    const scheduledFrom =
      previousCursor === undefined
        ? retentionFloor
        : Math.max(retentionFloor, previousCursor - options.overlapSeconds);
    const requestedFrom =
      options.since === undefined ? scheduledFrom : Math.floor(options.since.getTime() / 1000);
    clampedToRetention = requestedFrom < retentionFloor;
    window = { from: Math.max(retentionFloor, requestedFrom), to: nowSeconds };
    options.onStart?.({
      window: { from: iso(window.from), to: iso(window.to) },
      ...(previousCursor !== undefined ? { previousCursor: iso(previousCursor) } : {}),
      clampedToRetention,
    });
    const mayMoveCursor =
      options.since === undefined || previousCursor === undefined || window.from <= scheduledFrom;

    /** The newest `created` settled, and the oldest not settled (in progress, failed, not reached). */
    let newestSettled: number | undefined;
    let oldestUnsettled: number | undefined;
    const unsettled = (created: number) => {
      oldestUnsettled = Math.min(oldestUnsettled ?? created, created);
    };
    /** The end of the last chunk walked to its end, when it ended an overlap before now. */
    let walkedTo: number | undefined;
    let failuresInARow = 0;
    const outOfTime = () => context.getRemainingTimeInMillis() < reserveMs;

    // Chunk by chunk, oldest first: listing a chunk costs time before its first event, so
    // a long window (a first run, a backlog) makes progress that the cursor can keep.
    walk: for (let from = window.from; from <= window.to; from += CHUNK_SECONDS) {
      const to = Math.min(window.to, from + CHUNK_SECONDS - 1);
      if (outOfTime()) {
        deps.logger.warn('Reconciliation out of time: the next run continues from here');
        complete = false;
        break;
      }
      for await (const event of deps.source.eventsOldestFirst({
        types: HANDLED_STRIPE_EVENT_TYPES,
        createdFrom: from,
        createdTo: to,
      })) {
        if (outOfTime()) {
          deps.logger.warn('Reconciliation out of time: the next run continues from here', {
            stripeEventId: event.id,
          });
          unsettled(event.created);
          complete = false;
          break walk;
        }
        counts.scanned += 1;
        const result = await processEvent(deps, event, context);
        options.onEvent?.(result);
        tally(counts, result);
        record(lists, failures, result);
        if (result.disposition === 'failed' || result.disposition === 'in_progress') {
          unsettled(event.created);
        } else {
          newestSettled = Math.max(newestSettled ?? event.created, event.created);
        }
        failuresInARow = result.disposition === 'failed' ? failuresInARow + 1 : 0;
        if (failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
          deps.logger.error('Reconciliation stopped: every recent event failed', {
            failuresInARow,
          });
          complete = false;
          break walk;
        }
      }
      // A chunk that ended well before now (an overlap before it: nothing of it can still
      // be on its way into Stripe's list) settles its whole time, events or not.
      if (to < window.to - options.overlapSeconds) walkedTo = to;
    }

    if (counts.failed > 0) {
      cursorNote = { notSaved: 'the run had failures; the next run looks at them again' };
    } else {
      // Every event at or before the cursor was settled (by this run within its window,
      // by earlier runs below it).
      const cursor =
        oldestUnsettled !== undefined
          ? oldestUnsettled - 1
          : maxDefined(maxDefined(previousCursor, newestSettled), walkedTo);
      const finishedAt = now().toISOString();
      if (!mayMoveCursor) {
        cursorNote = {
          notSaved: 'the window began after the scheduled window would have (--since)',
        };
      } else {
        const saved = await deps.state.save({
          name,
          ...(cursor !== undefined ? { cursor } : {}),
          runStartedAt: startedAt.toISOString(),
          lastRunAt: finishedAt,
          window: { from: iso(window.from), to: iso(window.to) },
          counts: { ...counts },
        });
        cursorNote = saved
          ? cursor !== undefined
            ? { saved: cursor }
            : {}
          : { notSaved: 'a run that started later saved its cursor first' };
      }
    }
  } catch (error) {
    runError = error;
    complete = false;
  }

  const succeeded = runError === undefined && counts.failed === 0;
  metrics.count(METRICS.eventsRecovered, counts.published);
  if (succeeded) {
    metrics.count(METRICS.reconciliationRuns, 1);
    metrics.count(METRICS.reconciliationFailures, 0);
  } else {
    metrics.count(METRICS.reconciliationFailures, 1);
  }

  const report: ReconciliationReport = {
    name,
    succeeded,
    complete,
    window: { from: iso(window.from), to: iso(window.to) },
    counts: { ...counts },
    cursor: {
      ...(previousCursor !== undefined ? { previous: iso(previousCursor) } : {}),
      ...(cursorNote.saved !== undefined ? { saved: iso(cursorNote.saved) } : {}),
      ...(cursorNote.notSaved !== undefined ? { notSaved: cursorNote.notSaved } : {}),
    },
    clampedToRetention,
    recovered: lists.recovered,
    parked: lists.parked,
    inProgress: lists.inProgress,
    failures,
    ...(runError !== undefined ? { error: describe(runError) } : {}),
  };
  if (succeeded) {
    deps.logger.info('Reconciliation finished', { reconciliation: summary(report) });
  } else {
    deps.logger.error('Reconciliation failed; the cursor is left where it was', {
      reconciliation: summary(report),
      ...(runError !== undefined ? { error: runError as Error } : {}),
    });
  }
  return report;
}

/** Processes one event through the pipeline, never throwing: what happened, as a result. */
async function processEvent(
  deps: ReconcileDependencies,
  event: Stripe.Event,
  context: Context,
): Promise<EventResult> {
  const base = { eventId: event.id, type: event.type, created: event.created };
  try {
    const result = await deps.process({ event, rawBody: deliveryBody(event) }, context);
    const disposition = dispositionOf(result);
    if (disposition === 'published') {
      deps.logger.info('Reconciliation published an event that had not been processed', {
        stripeEventId: event.id,
        stripeEventType: event.type,
        billingEventId: result.outcome.billingEventId,
      });
    }
    return {
      ...base,
      disposition,
      ...(result.outcome.billingEventId !== null && disposition === 'published'
        ? { billingEventId: result.outcome.billingEventId }
        : {}),
    };
  } catch (error) {
    if (isInProgress(error)) {
      deps.logger.info('Event in progress elsewhere; the next run looks at it again', {
        stripeEventId: event.id,
      });
      return { ...base, disposition: 'in_progress' };
    }
    deps.logger.warn('Reconciliation could not process an event', {
      stripeEventId: event.id,
      stripeEventType: event.type,
      error: error as Error,
    });
    return { ...base, disposition: 'failed', error: describe(error) };
  }
}

/** A replay of one event (`--event`). */
export interface ReplayReport {
  readonly eventId: string;
  readonly type: string;
  /** Where the event came from: Stripe, or (past Stripe's retention) the parked store's copy. */
  readonly source: 'stripe' | 'parked-store';
  readonly disposition: EventDisposition;
  readonly billingEventId: string | null;
  /** It was in the parked store when the replay started. */
  readonly wasParked: boolean;
  /** It was removed from the parked store (processed now, or found processed). */
  readonly unparked: boolean;
  /** Parked again: the reason now recorded. */
  readonly parkedReason?: string;
  readonly counts: ReconciliationCounts;
}

/** The parked copy as Stripe sent it: an event, a thin notification, or neither (undefined). */
function parkedCopy(rawBody: Buffer): IncomingStripePayload | undefined {
  try {
    return classifyStripePayload(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return undefined;
  }
}

/** No such event at Stripe (unknown, or past its 30 days), and no copy in the parked store. */
export class UnknownEventError extends Error {
  override readonly name = 'UnknownEventError';
}

/**
 * Retries one event through the pipeline (`npm run replay -- --event evt_...`): fetched from
 * Stripe (or, when Stripe no longer has it, from the parked store's copy of its body).
 *
 * A parked event's ledger record says "processed, parked", so the pipeline would answer
 * "already processed": for a parked event (and only then) that record is forgotten first.
 * When the retry publishes it (or finds it superseded, or nothing to publish) it is removed
 * from the parked store; when it parks again it stays parked with the new reason.
 */
export async function replayEvent(
  deps: ReconcileDependencies,
  eventId: string,
  options: { readonly context: Context },
): Promise<ReplayReport> {
  const metrics = deps.metrics ?? NO_METRICS;
  const parkedBefore = await deps.parked.get(eventId);
  let event = await deps.source.retrieve(eventId);
  let rawBody: Buffer;
  let source: ReplayReport['source'] = 'stripe';
  if (event !== undefined) {
    rawBody = deliveryBody(event);
  } else if (parkedBefore?.rawBody !== undefined) {
    const kept = parkedCopy(parkedBefore.rawBody);
    if (kept?.kind === 'thin') {
      // A thin notification parked because Stripe had no event for it: only Stripe can
      // make it an event, so it is resolved again (its body is not an event to re-run).
      event = await deps.thinEvents.resolve(kept.notification);
      if (event === undefined) {
        throw new UnknownEventError(
          `Event ${eventId} is a parked thin notification and Stripe still has no event for it.`,
        );
      }
      rawBody = deliveryBody(event);
    } else {
      rawBody = parkedBefore.rawBody;
      event = (
        kept?.kind === 'snapshot' ? kept.event : JSON.parse(rawBody.toString('utf8'))
      ) as Stripe.Event;
      source = 'parked-store';
    }
  } else {
    throw new UnknownEventError(
      parkedBefore === undefined
        ? `Stripe has no event ${eventId} (Stripe keeps events for ${STRIPE_EVENT_RETENTION_DAYS} days).`
        : `Event ${eventId} is parked without its body (too big to keep) and Stripe no longer has it.`,
    );
  }
  const base = { eventId, type: event.type, source, wasParked: parkedBefore !== undefined };
  const counts: MutableCounts = { ...NO_COUNTS, scanned: 1 };

  if (!isHandledStripeEventType(event.type)) {
    counts.ignored = 1;
    return { ...base, disposition: 'ignored', billingEventId: null, unparked: false, counts };
  }
  if (parkedBefore !== undefined) {
    const forgotten = await deps.ledger.forgetParkedOutcome(eventId);
    deps.logger.info('Replaying a parked event', { stripeEventId: eventId, ledger: forgotten });
  }

  let result: ProcessedEvent<PublishOutcome>;
  try {
    result = await deps.process({ event, rawBody }, options.context);
  } catch (error) {
    if (!isInProgress(error)) throw error;
    counts.inProgress = 1;
    return { ...base, disposition: 'in_progress', billingEventId: null, unparked: false, counts };
  }
  const disposition = dispositionOf(result);
  tally(counts, { disposition });
  if (disposition === 'published') metrics.count(METRICS.eventsRecovered, 1);

  const stillParked = result.outcome.parked === true;
  let unparked = false;
  let parkedReason: string | undefined;
  if (stillParked) {
    parkedReason = (await deps.parked.get(event.id))?.reason;
    // A thin notification resolved now and parked again is parked under its event's id.
    if (event.id !== eventId && parkedBefore !== undefined) {
      await deps.parked.remove(eventId);
      unparked = true;
    }
  } else if (parkedBefore !== undefined) {
    await deps.parked.remove(eventId);
    unparked = true;
  }
  deps.logger.info('Event replayed', {
    stripeEventId: eventId,
    disposition,
    wasParked: parkedBefore !== undefined,
    unparked,
  });
  return {
    ...base,
    disposition,
    billingEventId: result.outcome.billingEventId,
    unparked,
    ...(parkedReason !== undefined ? { parkedReason } : {}),
    counts,
  };
}

/** The body a delivery of the event would carry: the event's JSON. */
const deliveryBody = (event: Stripe.Event): Buffer => Buffer.from(JSON.stringify(event), 'utf8');

function dispositionOf(result: ProcessedEvent<PublishOutcome>): EventDisposition {
  if (result.alreadyProcessed) return 'already_processed';
  const { outcome } = result;
  if (outcome.parked === true) return 'parked';
  if (isSuperseded(outcome)) return 'superseded';
  return outcome.billingEventId === null ? 'ignored' : 'published';
}

/** The ordering rule's flag (contract section 5), read whether or not the outcome type has it yet. */
const isSuperseded = (outcome: PublishOutcome): boolean =>
  (outcome as { readonly superseded?: unknown }).superseded === true;

/**
 * Another way in holds the event right now: the ledger's in-progress record (a 409), or
 * the ordering rule's lease on the event's subscription. Left for the next run.
 */
const isInProgress = (error: unknown): boolean => error instanceof EventBusyError;

const COUNTED: Readonly<Record<EventDisposition, keyof ReconciliationCounts>> = {
  already_processed: 'alreadyProcessed',
  published: 'published',
  parked: 'parked',
  superseded: 'superseded',
  ignored: 'ignored',
  in_progress: 'inProgress',
  failed: 'failed',
};

function tally(counts: MutableCounts, result: { disposition: EventDisposition }): void {
  counts[COUNTED[result.disposition]] += 1;
}

/** Keeps the ids a report lists (a bounded number of each kind). */
function record(
  lists: { recovered: string[]; parked: string[]; inProgress: string[] },
  failures: { eventId: string; error: string }[],
  result: EventResult,
): void {
  switch (result.disposition) {
    case 'published':
      push(lists.recovered, result.eventId);
      break;
    case 'parked':
      push(lists.parked, result.eventId);
      break;
    case 'in_progress':
      push(lists.inProgress, result.eventId);
      break;
    case 'failed':
      if (failures.length < MAX_LISTED) {
        failures.push({ eventId: result.eventId, error: result.error ?? '' });
      }
      break;
    default:
      break;
  }
}

function push(list: string[], id: string): void {
  if (list.length < MAX_LISTED) list.push(id);
}

const maxDefined = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

function describe(error: unknown): string {
  if (error instanceof HttpError) {
    const { dependency, operation, stripeMessage } = error.logFields;
    if (dependency === undefined) return error.message;
    const detail = stripeMessage ?? error.message;
    return `${dependency} ${operation ?? ''} failed: ${detail}`.replace(/\s+/g, ' ');
  }
  if (error instanceof Error) {
    const named = error as Error & { dependency?: unknown; operation?: unknown };
    return typeof named.dependency === 'string'
      ? `${named.dependency} ${String(named.operation)} failed: ${error.message}`
      : `${error.name}: ${error.message}`;
  }
  return String(error);
}

/** The report without its id lists, for one log line. */
const summary = (report: ReconciliationReport) => ({
  name: report.name,
  succeeded: report.succeeded,
  complete: report.complete,
  window: report.window,
  counts: report.counts,
  cursor: report.cursor,
  recovered: report.recovered.slice(0, 20),
  parked: report.parked.slice(0, 20),
  failures: report.failures.slice(0, 5),
});
