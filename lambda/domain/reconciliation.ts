/**
 * Reconciliation (contract section 8): what a run counts, and the saved cursor that lets
 * each run resume where the previous one ended.
 */

/** What a run did with the events it looked at. */
export interface ReconciliationCounts {
  /** Events of the handled types Stripe listed in the window (or the one event replayed). */
  readonly scanned: number;
  /** Already processed by the webhook, an earlier run or a replay: nothing happened. */
  readonly alreadyProcessed: number;
  /** Published by this run: events never delivered, or acknowledged by a wrong endpoint. */
  readonly published: number;
  /** Could never become a billing event: parked (nothing published). */
  readonly parked: number;
  /** Older than the newest event already published about its subscription (not published). */
  readonly superseded: number;
  /** Processed, and nothing to publish (not a billing event). */
  readonly ignored: number;
  /** Being processed by another way in at that moment (the webhook): left for the next run. */
  readonly inProgress: number;
  /** A transient failure (a dependency down): left for the next run. */
  readonly failed: number;
}

export const NO_COUNTS: ReconciliationCounts = {
  scanned: 0,
  alreadyProcessed: 0,
  published: 0,
  parked: 0,
  superseded: 0,
  ignored: 0,
  inProgress: 0,
  failed: 0,
};

/** One reconciliation's saved position (the reconciliation-state table, key `name`). */
export interface ReconciliationState {
  readonly name: string;
  /**
   * Unix seconds: every event of the handled types created at or before it had been
   * settled (processed, or found processed) when the run that saved it ended. Absent until
   * a run saw an event.
   */
  readonly cursor?: number;
  /** ISO 8601: when the run that saved this state started. A later-started run wins. */
  readonly runStartedAt: string;
  /** ISO 8601: when it ended. */
  readonly lastRunAt: string;
  /** The window that run walked (ISO 8601). */
  readonly window: { readonly from: string; readonly to: string };
  readonly counts: ReconciliationCounts;
}

export interface ReconciliationStateStore {
  load(name: string): Promise<ReconciliationState | undefined>;
  /**
   * Saves `state` unless a run that started later has saved already (two runs at once: the
   * scheduled one and a replay by hand); returns whether it was saved.
   */
  save(state: ReconciliationState): Promise<boolean>;
}
