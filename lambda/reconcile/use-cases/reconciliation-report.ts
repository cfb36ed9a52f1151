import { HttpError } from '../../core/errors';
import { NO_COUNTS, type ReconciliationCounts } from '../../domain/reconciliation';
import type { StripeEventOutcome } from '../../stripe-events/use-cases/take-stripe-event';
import type { StateCheckRunReport } from './state-check-run';

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

export interface RunStart {
  /** ISO 8601, inclusive. */
  readonly window: { readonly from: string; readonly to: string };
  /** ISO 8601: the saved cursor the window starts from (minus the overlap), if any. */
  readonly previousCursor?: string;
  /** `since` was older than Stripe keeps events: the window starts at the retention limit. */
  readonly clampedToRetention: boolean;
}

/**
 * Why a walk stopped before the end of its window: out of the invocation's time, every
 * recent event failing, or Stripe's rate limits outlasting the Stripe client's backoff.
 */
export type WalkStop = 'out_of_time' | 'failing' | 'rate_limited';

export interface ReconciliationReport {
  readonly name: string;
  /** True when the run did its work: no transient failure, the cursor saved (if it moves). */
  readonly succeeded: boolean;
  /** False when the run stopped before the end of its window (`stoppedBy` says why). */
  readonly complete: boolean;
  /** Why the walk stopped early, when it did (the cursor keeps how far it got). */
  readonly stoppedBy?: WalkStop;
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
  /** The state check of the subscriptions the window's events changed. */
  readonly stateCheck: StateCheckRunReport;
  /** What stopped the run, when it failed as a whole (listing, loading or saving). */
  readonly error?: string;
}

/** How reconciliation and replay report the outcome every way in shares. */
export function dispositionOf(outcome: StripeEventOutcome): EventDisposition {
  switch (outcome.status) {
    case 'duplicate':
      return 'already_processed';
    case 'busy':
      return 'in_progress';
    case 'not_handled':
    case 'nothing_to_publish':
      return 'ignored';
    case 'unresolved':
      return 'parked';
    default:
      return outcome.status;
  }
}

type MutableCounts = { -readonly [K in keyof ReconciliationCounts]: number };

const COUNTED: Readonly<Record<EventDisposition, keyof ReconciliationCounts>> = {
  already_processed: 'alreadyProcessed',
  published: 'published',
  parked: 'parked',
  superseded: 'superseded',
  ignored: 'ignored',
  in_progress: 'inProgress',
  failed: 'failed',
};

/** The counts of one event looked at (a replay's). */
export function countsOf(disposition: EventDisposition): ReconciliationCounts {
  return { ...NO_COUNTS, scanned: 1, [COUNTED[disposition]]: 1 };
}

/** Ids listed per kind in a report (the counts are always complete). */
const MAX_LISTED = 100;

/** What a run has looked at so far: complete counts, a bounded list of ids of each kind. */
export class RunTally {
  readonly counts: MutableCounts = { ...NO_COUNTS };
  readonly recovered: string[] = [];
  readonly parked: string[] = [];
  readonly inProgress: string[] = [];
  readonly failures: { eventId: string; error: string }[] = [];

  add(result: EventResult): void {
    this.counts.scanned += 1;
    this.counts[COUNTED[result.disposition]] += 1;
    const listed = this.listOf(result.disposition);
    if (listed !== undefined && listed.length < MAX_LISTED) listed.push(result.eventId);
    if (result.disposition === 'failed' && this.failures.length < MAX_LISTED) {
      this.failures.push({ eventId: result.eventId, error: result.error ?? '' });
    }
  }

  private listOf(disposition: EventDisposition): string[] | undefined {
    switch (disposition) {
      case 'published':
        return this.recovered;
      case 'parked':
        return this.parked;
      case 'in_progress':
        return this.inProgress;
      default:
        return undefined;
    }
  }
}

/** A failure as one line of a report: the dependency and operation when it names them. */
export function describeFailure(error: unknown): string {
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
export const reportSummary = (report: ReconciliationReport) => ({
  name: report.name,
  succeeded: report.succeeded,
  complete: report.complete,
  ...(report.stoppedBy !== undefined ? { stoppedBy: report.stoppedBy } : {}),
  window: report.window,
  counts: report.counts,
  cursor: report.cursor,
  recovered: report.recovered.slice(0, 20),
  parked: report.parked.slice(0, 20),
  failures: report.failures.slice(0, 5),
  stateCheck: {
    counts: report.stateCheck.counts,
    healed: report.stateCheck.healed.slice(0, 20),
    failures: report.stateCheck.failures.slice(0, 5),
  },
});

export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();
