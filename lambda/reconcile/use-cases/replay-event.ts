import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { METRICS, NO_METRICS } from '../../domain/metrics';
import type { ParkedEvent } from '../../domain/parked-event';
import type { ReconciliationCounts } from '../../domain/reconciliation';
import { STRIPE_EVENT_RETENTION_DAYS } from '../../domain/stripe-event-source';
import { isHandledStripeEventType } from '../../stripe-events/billing-event-mapping';
import {
  classifyStripePayload,
  eventBody,
  type IncomingStripePayload,
} from '../../stripe-events/intake';
import { takeStripeEvent } from '../../stripe-events/use-cases/take-stripe-event';
import { intakeOf, type ReconcileDependencies } from './reconcile-events';
import { countsOf, dispositionOf, type EventDisposition } from './reconciliation-report';

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

/** No such event at Stripe (unknown, or past its 30 days), and no copy in the parked store. */
export class UnknownEventError extends Error {
  override readonly name = 'UnknownEventError';
}

/** The event to replay and the body to replay it with. */
interface ReplaySource {
  readonly event: Stripe.Event;
  readonly rawBody: Buffer;
  readonly source: ReplayReport['source'];
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
  const parkedBefore = await deps.parked.get(eventId);
  const { event, rawBody, source } = await replaySource(deps, eventId, parkedBefore);
  const base = { eventId, type: event.type, source, wasParked: parkedBefore !== undefined };

  if (!isHandledStripeEventType(event.type)) {
    return { ...base, ...nothingDone('ignored') };
  }
  if (parkedBefore !== undefined) {
    const forgotten = await deps.ledger.forgetParkedOutcome(eventId);
    deps.logger.info('Replaying a parked event', { stripeEventId: eventId, ledger: forgotten });
  }
  const outcome = await takeStripeEvent(
    intakeOf(deps),
    { payload: { kind: 'snapshot', event }, body: rawBody },
    options,
  );
  if (outcome.status === 'busy') return { ...base, ...nothingDone('in_progress') };
  if (!('recorded' in outcome)) throw new Error(`Unexpected replay outcome ${outcome.status}`);
  const disposition = dispositionOf(outcome);
  if (disposition === 'published') (deps.metrics ?? NO_METRICS).count(METRICS.eventsRecovered, 1);

  let unparked = false;
  let parkedReason: string | undefined;
  if (outcome.recorded.parked === true) {
    // Parked again: the first parking is kept, so why it failed this time is beside it.
    const parked = await deps.parked.get(event.id);
    parkedReason = parked?.parkedAgain?.lastReason ?? parked?.reason;
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
    wasParked: base.wasParked,
    unparked,
  });
  return {
    ...base,
    disposition,
    billingEventId: outcome.recorded.billingEventId,
    unparked,
    ...(parkedReason !== undefined ? { parkedReason } : {}),
    counts: countsOf(disposition),
  };
}

const nothingDone = (disposition: EventDisposition) => ({
  disposition,
  billingEventId: null,
  unparked: false,
  counts: countsOf(disposition),
});

/**
 * The event from Stripe; past Stripe's retention, from the parked store's copy: a parked
 * event as it was delivered, or a parked thin notification resolved again (only Stripe can
 * make it an event, so its body is not an event to re-run).
 */
async function replaySource(
  deps: ReconcileDependencies,
  eventId: string,
  parkedBefore: ParkedEvent | undefined,
): Promise<ReplaySource> {
  const fromStripe = await deps.source.retrieve(eventId);
  if (fromStripe !== undefined) {
    return { event: fromStripe, rawBody: eventBody(fromStripe), source: 'stripe' };
  }
  if (parkedBefore?.rawBody === undefined) {
    throw new UnknownEventError(
      parkedBefore === undefined
        ? `Stripe has no event ${eventId} (Stripe keeps events for ${STRIPE_EVENT_RETENTION_DAYS} days).`
        : `Event ${eventId} is parked without its body (too big to keep) and Stripe no longer has it.`,
    );
  }
  const rawBody = parkedBefore.rawBody;
  const kept = parkedCopy(rawBody);
  if (kept?.kind === 'thin') {
    const event = await deps.resolver.resolve(kept.notification);
    if (event === undefined) {
      throw new UnknownEventError(
        `Event ${eventId} is a parked thin notification and Stripe still has no event for it.`,
      );
    }
    return { event, rawBody: eventBody(event), source: 'stripe' };
  }
  const event = (
    kept?.kind === 'snapshot' ? kept.event : JSON.parse(rawBody.toString('utf8'))
  ) as Stripe.Event;
  return { event, rawBody, source: 'parked-store' };
}

/** The parked copy as Stripe sent it: an event, a thin notification, or neither (undefined). */
function parkedCopy(rawBody: Buffer): IncomingStripePayload | undefined {
  try {
    return classifyStripePayload(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return undefined;
  }
}
