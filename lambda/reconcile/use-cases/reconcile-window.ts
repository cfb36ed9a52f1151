import { STRIPE_EVENT_RETENTION_DAYS } from '../../domain/stripe-event-source';

/**
 * Where a reconciliation run starts and ends, and where it leaves its cursor: pure
 * decisions from the clock, the saved cursor and the operator's `--since`.
 */

/** The scheduled reconciliation's name in the reconciliation-state table. */
export const DEFAULT_RECONCILIATION_NAME = 'stripe-events';
/** The overlap never goes below this, however short the interval. */
export const MIN_OVERLAP_SECONDS = 10 * 60;

export const DAY_SECONDS = 24 * 3600;

/**
 * A window is walked a day at a time. A chunk that ended well before now moves the cursor
 * to its end even when it held no event, so a long quiet backlog is crossed once.
 */
export const CHUNK_SECONDS = DAY_SECONDS;

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

/** Unix seconds, both ends inclusive. */
export interface SecondsWindow {
  readonly from: number;
  readonly to: number;
}

export interface WindowPlan extends SecondsWindow {
  /** `since` was older than Stripe keeps events: the window starts at the retention limit. */
  readonly clampedToRetention: boolean;
  /**
   * Whether the run may move the cursor: a run from the cursor may; a run from an
   * operator's `since` only when it began at or before where a scheduled run would have
   * begun, or when there was no cursor yet (the operator chose the starting point).
   */
  readonly mayMoveCursor: boolean;
}

/**
 * The window a run walks: from the saved cursor minus the overlap (from Stripe's
 * retention limit on a first run), or from `since`, never past the retention limit, to now.
 */
export function planWindow(input: {
  readonly nowSeconds: number;
  readonly previousCursor: number | undefined;
  readonly overlapSeconds: number;
  readonly since?: Date | undefined;
}): WindowPlan {
  const { nowSeconds, previousCursor, since } = input;
  const retentionFloor = nowSeconds - STRIPE_EVENT_RETENTION_DAYS * DAY_SECONDS;
  const scheduledFrom =
    previousCursor === undefined
      ? retentionFloor
      : Math.max(retentionFloor, previousCursor - input.overlapSeconds);
  const requestedFrom = since === undefined ? scheduledFrom : Math.floor(since.getTime() / 1000);
  const from = Math.max(retentionFloor, requestedFrom);
  return {
    from,
    to: nowSeconds,
    clampedToRetention: requestedFrom < retentionFloor,
    // Without `since`, `from` is `scheduledFrom`: a run from the cursor always may.
    mayMoveCursor: previousCursor === undefined || from <= scheduledFrom,
  };
}

/** The day-long chunks of a window, oldest first. */
export function* chunksOf(window: SecondsWindow): Generator<SecondsWindow> {
  for (let from = window.from; from <= window.to; from += CHUNK_SECONDS) {
    yield { from, to: Math.min(window.to, from + CHUNK_SECONDS - 1) };
  }
}

/** What a walk settled: the newest `created` settled, the oldest not settled, how far it walked. */
export interface WalkProgress {
  readonly newestSettled?: number;
  /** In progress elsewhere, failed, or not reached in time. */
  readonly oldestUnsettled?: number;
  /** The end of the last chunk walked to its end, when it ended an overlap before now. */
  readonly walkedTo?: number;
  /**
   * The walk stopped listing here (Stripe's rate limits outlasted the backoff): events
   * created at this second or later may not have been listed yet.
   */
  readonly listedBefore?: number;
}

/**
 * The cursor after a walk without failures: every event at or before it was settled (by
 * this run within its window, by earlier runs below it). An unsettled event keeps the
 * cursor just below it, so the next run looks at it again; so does a listing stopped
 * half-way (`listedBefore`).
 */
export function cursorAfter(
  previousCursor: number | undefined,
  progress: WalkProgress,
): number | undefined {
  if (progress.oldestUnsettled !== undefined) return progress.oldestUnsettled - 1;
  const reached = maxDefined(maxDefined(previousCursor, progress.newestSettled), progress.walkedTo);
  if (progress.listedBefore === undefined) return reached;
  // Not past what was listed; never behind the previous cursor, though: what lies at or
  // before it earlier runs settled, and the overlap looks at it again anyway.
  const listed = progress.listedBefore - 1;
  return maxDefined(previousCursor, reached === undefined ? listed : Math.min(reached, listed));
}

const maxDefined = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);
