import type { Context } from 'aws-lambda';
import { createLogger } from '../../lambda/core/logger';
import { buildReconciler } from '../../lambda/reconcile/composition-root';
import type { ReconciliationCounts } from '../../lambda/domain/reconciliation';
import { localContext } from '../../local/http-adapter';
import { CommandFailedError, EXIT, HelpRequested, parseOptions, UsageError } from './cli';
import { TARGET_OPTIONS, type TargetOptions, targetOptions, targetCommand } from './targets';
import type {
  EventResult,
  ReconciliationReport,
} from '../../lambda/reconcile/use-cases/reconciliation-report';
import { overlapSecondsFor } from '../../lambda/reconcile/use-cases/reconcile-window';
import {
  type ReplayReport,
  UnknownEventError,
} from '../../lambda/reconcile/use-cases/replay-event';
import { isStripeEventId } from '../../lambda/domain/stripe-limits';
import type {
  StateCheckOutcome,
  StateCheckResult,
} from '../../lambda/reconcile/use-cases/check-subscription-state';

export const REPLAY_USAGE = `Usage: npm run replay -- [--env <dev|staging|prod>] [--since <ISO time>] [--event <evt_...>] [--subscription <sub_...>] [--json]

Runs the reconciliation by hand: walks Stripe's events of the handled types and feeds each
through the webhook's pipeline. Events already processed change nothing; events never
delivered (or acknowledged by a wrong endpoint) are published.

  (no --env)        against the running local stack (npm start; PORT, DYNAMODB_PORT,
                    SNS_PORT, STRIPE_SANDBOX_PORT, PROJECT_NAME, STRIPE_SECRET_KEY as for it)
  --env <name>      against a deployed environment's resources (cdk.json, the AWS SDK's
                    default credentials and region, the Stripe key from Secrets Manager)
  --context k=v     CDK context as given to cdk deploy (with --env; repeatable)
  --since <time>    walk from this ISO 8601 time instead of from the saved cursor
                    (at most 30 days back: Stripe keeps events 30 days)
  --event <evt_id>  retry one event; a parked event is unparked when it succeeds
  --subscription <sub_id>
                    the state check of one subscription: compares the state last
                    published about it with Stripe's, and publishes Stripe's when they
                    differ (subscription.updated, a stable id)
  --json            print the report as JSON
  --verbose         the service's log lines on stdout`;

/** Each in-flight event gets this long before its ledger lock lapses (a crash frees it then). */
const EVENT_LOCK_MS = 60_000;

/**
 * A Lambda context for the command: the ledger's in-progress record of each event expires
 * a minute after that event started (as a Lambda's expires with its invocation), so a
 * replay killed halfway never blocks an event for long; the run itself has no deadline.
 */
const commandContext = (functionName = 'stripe-replay'): Context => ({
  ...localContext(functionName),
  getRemainingTimeInMillis: () => EVENT_LOCK_MS,
});

export interface ReplayArguments extends TargetOptions {
  readonly since?: Date;
  readonly eventId?: string;
  readonly subscriptionId?: string;
  readonly json: boolean;
  readonly verbose: boolean;
}

export function parseReplayArguments(argv: readonly string[]): ReplayArguments {
  const values = parseOptions(argv, {
    ...TARGET_OPTIONS,
    since: { type: 'string' },
    event: { type: 'string' },
    subscription: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help === true) throw new HelpRequested();
  const modes = [values.since, values.event, values.subscription].filter((v) => v !== undefined);
  if (modes.length > 1) {
    throw new UsageError('Give one of --since, --event and --subscription.');
  }
  if (values.subscription !== undefined && !/^sub_[A-Za-z0-9]{1,250}$/.test(values.subscription)) {
    throw new UsageError(
      `--subscription takes a Stripe subscription id, sub_... (got "${values.subscription}").`,
    );
  }
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.since) || Number.isNaN(since.getTime())) {
      throw new UsageError(
        `--since must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z (got "${values.since}").`,
      );
    }
    if (since.getTime() > Date.now()) throw new UsageError('--since is in the future.');
  }
  if (values.event !== undefined && !isStripeEventId(values.event)) {
    throw new UsageError(
      `--event takes a Stripe event id, evt_... (got "${String(values.event)}").`,
    );
  }
  return {
    ...targetOptions(values),
    ...(since !== undefined ? { since } : {}),
    ...(values.event !== undefined ? { eventId: values.event } : {}),
    ...(values.subscription !== undefined ? { subscriptionId: values.subscription } : {}),
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

/** `npm run replay`: returns the exit code. */
export const replayCommand = targetCommand(parseReplayArguments, async (args, target, output) => {
  const { config, infrastructure } = await target.reconciliation();
  const logger = createLogger('stripe-replay');
  logger.setLogLevel(args.verbose ? 'INFO' : 'SILENT');
  const reconciler = buildReconciler(config, { ...infrastructure, logger });
  const say = (line: string) => {
    if (!args.json) output.out(line);
  };
  say(`Replaying against ${target.description}, events from ${target.stripeDescription}.`);

  if (args.eventId !== undefined) {
    let report: ReplayReport;
    try {
      report = await reconciler.replayEvent(args.eventId, commandContext());
    } catch (error) {
      if (error instanceof UnknownEventError) throw new CommandFailedError(error.message);
      throw error;
    }
    if (args.json) output.out(JSON.stringify(report, null, 2));
    else printReplay(report, say);
    return replaySucceeded(report) ? EXIT.ok : EXIT.failed;
  }

  if (args.subscriptionId !== undefined) {
    const result = await reconciler.checkSubscription(args.subscriptionId);
    if (args.json) output.out(JSON.stringify(result, null, 2));
    else say(stateCheckLine(result));
    return result.outcome === 'busy' ? EXIT.failed : EXIT.ok;
  }

  const overlap = overlapSecondsFor(config.reconcileIntervalMinutes);
  const report = await reconciler.reconcile({
    context: commandContext(),
    ...(args.since !== undefined ? { since: args.since } : {}),
    onStart: (start) => {
      const from =
        args.since !== undefined
          ? `from --since ${args.since.toISOString()}`
          : start.previousCursor !== undefined
            ? `from cursor ${start.previousCursor} minus ${Math.round(overlap / 60)} min overlap`
            : 'no cursor yet: from as far back as Stripe keeps events';
      const bounded = start.clampedToRetention
        ? ', bounded by the 30 days Stripe keeps events'
        : '';
      say(`Window: ${start.window.from} .. ${start.window.to}`);
      say(`  (${from}${bounded})`);
    },
    onEvent: (result) => {
      const line = eventLine(result);
      if (line !== undefined) say(line);
    },
  });
  if (args.json) output.out(JSON.stringify(report, null, 2));
  else printReconciliation(report, say);
  if (!report.succeeded) {
    output.err(
      `Reconciliation failed${report.error !== undefined ? `: ${report.error.replace(/\.+$/, '')}` : ` (${report.counts.failed} events failed)`}. The cursor was left where it was; run it again.`,
    );
    return EXIT.failed;
  }
  return EXIT.ok;
});

const PAD = 12;

/** One line per event worth telling: published (recovered), parked, in progress, failed. */
function eventLine(result: EventResult): string | undefined {
  const head = (label: string) => `  ${label.padEnd(PAD)} ${result.eventId}  ${result.type}`;
  switch (result.disposition) {
    case 'published':
      return `${head('published')}  -> ${result.billingEventId ?? ''}`;
    case 'parked':
      return `${head('parked')}  (see GET /_local/parked-events or the parked-events table)`;
    case 'in_progress':
      return `${head('in progress')}  (being processed elsewhere; the next run looks again)`;
    case 'failed':
      return `${head('failed')}  ${result.error ?? ''}`;
    default:
      return undefined;
  }
}

function countsLine(counts: ReconciliationCounts): string {
  return (
    `scanned ${counts.scanned}, already processed ${counts.alreadyProcessed}, ` +
    `published ${counts.published}, parked ${counts.parked}, superseded ${counts.superseded}, ` +
    `ignored ${counts.ignored}, in progress ${counts.inProgress}, failed ${counts.failed}`
  );
}

function printReconciliation(report: ReconciliationReport, say: (line: string) => void): void {
  say(countsLine(report.counts));
  const checked = report.stateCheck.counts;
  say(
    `State check: ${checked.checked} subscriptions checked, ${checked.healed} healed, ` +
      `${checked.inStep} in step, ${checked.busy} busy, ${checked.failed} failed, ${checked.skipped} skipped`,
  );
  for (const id of report.stateCheck.healed) say(`  healed       -> ${id}`);
  if (!report.complete && report.succeeded) {
    const why = report.stoppedBy === 'rate_limited' ? " (Stripe's rate limits)" : '';
    say(`Stopped before the end of the window${why}; run again to continue from the cursor.`);
  }
  if (report.cursor.saved !== undefined) say(`Cursor saved: ${report.cursor.saved}`);
  else if (report.cursor.notSaved !== undefined) say(`Cursor not moved: ${report.cursor.notSaved}`);
  else if (report.succeeded) say('No cursor yet: Stripe listed no events of the handled types.');
}

function printReplay(report: ReplayReport, say: (line: string) => void): void {
  const from =
    report.source === 'stripe' ? 'Stripe' : "the parked store's copy (Stripe no longer has it)";
  say(
    `Event ${report.eventId} (${report.type}), from ${from}${report.wasParked ? ', parked' : ''}:`,
  );
  switch (report.disposition) {
    case 'published':
      say(`  published -> ${report.billingEventId ?? ''}`);
      break;
    case 'superseded':
      say('  superseded: a newer event about its subscription was already published');
      break;
    case 'already_processed':
      say('  already processed: nothing published again');
      break;
    case 'ignored':
      say('  nothing to publish (not a billing event)');
      break;
    case 'parked':
      say(`  parked again: ${report.parkedReason ?? 'see the parked-events store'}`);
      break;
    case 'in_progress':
      say('  being processed elsewhere right now: run the command again in a minute');
      break;
    case 'failed':
      break;
  }
  if (report.unparked) say('  unparked (removed from the parked-events store)');
  say(countsLine(report.counts));
}

/** A replay of one event succeeds when it is no longer waiting for anything. */
const replaySucceeded = (report: ReplayReport): boolean =>
  report.disposition !== 'parked' && report.disposition !== 'in_progress';

const STATE_CHECK_LINES: Readonly<Record<StateCheckOutcome, string>> = {
  in_step: "in step: the last state published is Stripe's; nothing published",
  healed: "healed: Stripe's current state published",
  not_published: 'nothing was ever published about it (replay its events with --since)',
  unrecorded: 'published before states were recorded: nothing to compare with',
  not_at_stripe: 'Stripe has no such subscription',
  busy: 'an event about it is being published right now: run the command again in a minute',
};

function stateCheckLine(result: StateCheckResult): string {
  const published = result.billingEventId !== undefined ? ` -> ${result.billingEventId}` : '';
  return `Subscription ${result.subscriptionId}: ${STATE_CHECK_LINES[result.outcome]}${published}`;
}
