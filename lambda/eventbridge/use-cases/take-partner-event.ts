import type { Context } from 'aws-lambda';
import type { Logger } from '../../core/logger';
import type { EventAdmission } from '../../domain/event-admission';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import type { ThinEventResolver } from '../../domain/thin-event';
import type { StripeEventBridgeEnvelope } from '../../stripe-events/event-bridge-pattern';
import { classifyStripePayload, type IncomingStripePayload } from '../../stripe-events/intake';
import {
  type StripeEventOutcome,
  takeStripeEvent,
} from '../../stripe-events/use-cases/take-stripe-event';
import type { EventProcessor } from '../../domain/event-ledger';
import type { PublishOutcome } from '../../stripe-events/use-cases/publish-billing-event';

export interface EventBridgeIntakeDependencies {
  /** The one partner event source events may come from (context `eventBridgeSource`). */
  readonly source: string;
  /** The event pipeline: the same ledger, mapping, ordering, topic and parking as the webhook's. */
  readonly process: EventProcessor<PublishOutcome>;
  /** Turns a thin notification into its v1 event (Stripe's snapshot event). */
  readonly resolver: ThinEventResolver;
  /** Where a thin notification whose event Stripe does not have, or a detail that is not Stripe's, is parked. */
  readonly parked: ParkedEventStore;
  /** The clock and mode checks a thin notification passes before Stripe is asked. */
  readonly admission: EventAdmission;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
  /** Pauses before trying a busy event again within the invocation (`BUSY_RETRY_DELAYS_MS`). */
  readonly busyRetryDelaysMs?: readonly number[];
}

/**
 * When the event is in progress on the other way in (the webhook took the same event a
 * moment ago: both ways get every event during a migration), or another event of its
 * subscription is being published, the holder is done within a second or so: waiting
 * here settles it as a duplicate (or publishes it) without failing the invocation, which
 * would cost a minute's delay and an alarm. Only when it stays busy is Lambda left to retry.
 */
export const BUSY_RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 3_000];

/** What became of one envelope; the function's result (visible in tests and local runs). */
export type EventBridgeOutcome =
  /** Not from the configured source and account, or not as Stripe builds it: dropped, counted. */
  | { readonly status: 'rejected'; readonly reason: string }
  /** A Stripe event of a type the service does not handle: nothing to do. */
  | { readonly status: 'ignored'; readonly stripeEventId: string; readonly stripeEventType: string }
  /**
   * A thin notification whose event Stripe does not have, or a detail that is not a
   * Stripe event (keyed by the envelope's id): parked, never retried.
   */
  | { readonly status: 'parked'; readonly stripeEventId: string }
  | {
      readonly status: 'processed';
      readonly stripeEventId: string;
      readonly billingEventId: string | null;
      /** Processed before, by whichever way in: nothing was published now. */
      readonly duplicate: boolean;
      readonly parked?: true;
      readonly superseded?: true;
    };

/**
 * One event from the partner event bus, taken as every way in takes it (`takeStripeEvent`).
 *
 * - It must come from the configured partner source **and** this account (`receivedIn`,
 *   the invoked function's account), and its `detail-type` must be its detail's type: the
 *   rule's pattern says so too, but a rule edited by hand, or a put from elsewhere, must
 *   not publish billing events. Anything else is dropped and counted (an alarm): retrying
 *   could not make it acceptable.
 * - Failures are *transient* and thrown (Lambda's asynchronous retries, then the
 *   failure destination keep the event): a dependency failing, the same event still in
 *   progress on the webhook, another event of the subscription still being published. The
 *   *permanent* ones (unmappable, too big, no such event at Stripe) are parked.
 */
export async function takePartnerEvent(
  deps: EventBridgeIntakeDependencies,
  envelope: StripeEventBridgeEnvelope,
  receivedIn: { readonly account: string },
  context: Context,
): Promise<EventBridgeOutcome> {
  const metrics = deps.metrics ?? NO_METRICS;
  const rejection = rejectionOf(deps.source, envelope, receivedIn.account);
  if (rejection !== undefined) return reject(deps, metrics, envelope, rejection);

  const payload = classifyStripePayload(envelope.detail);
  if (payload === undefined) return parkMalformed(deps, metrics, envelope);
  const mismatch = detailTypeMismatch(envelope, payload);
  if (mismatch !== undefined) return reject(deps, metrics, envelope, mismatch);
  metrics.count(METRICS.eventBridgeReceived);

  const fields = { envelopeId: envelope.id };
  let outcome: StripeEventOutcome;
  try {
    outcome = await takeStripeEvent(
      {
        ...deps,
        thinEvents: { resolver: deps.resolver, parked: deps.parked, admission: deps.admission },
      },
      { payload, body: Buffer.from(JSON.stringify(envelope.detail)) },
      { context, busyRetryDelaysMs: deps.busyRetryDelaysMs ?? BUSY_RETRY_DELAYS_MS },
    );
  } catch (error) {
    // A dependency down: worth a retry, which Lambda makes (then the failure destination
    // keeps the event).
    deps.logger.warn('Stripe event not processed; it is retried', { ...fields, error });
    throw error;
  }
  return resultOf(deps, metrics, outcome, fields);
}

/** The shared outcome as this function's result; a busy event is thrown for Lambda to retry. */
function resultOf(
  deps: EventBridgeIntakeDependencies,
  metrics: ServiceMetrics,
  outcome: StripeEventOutcome,
  fields: { readonly envelopeId: string },
): EventBridgeOutcome {
  const { stripeEventId, stripeEventType } = outcome;
  switch (outcome.status) {
    case 'not_handled':
      return { status: 'ignored', stripeEventId, stripeEventType };
    case 'unresolved':
      return { status: 'parked', stripeEventId };
    case 'busy':
      deps.logger.warn('Stripe event not processed; it is retried', {
        ...fields,
        stripeEventId,
        error: outcome.error,
      });
      throw outcome.error;
    default: {
      const duplicate = outcome.status === 'duplicate';
      const { recorded } = outcome;
      if (duplicate) metrics.count(METRICS.eventBridgeDuplicate);
      deps.logger.info(
        duplicate ? 'Stripe event already processed; nothing published' : 'Stripe event processed',
        { ...fields, stripeEventId, stripeEventType, billingEventId: recorded.billingEventId },
      );
      return {
        status: 'processed',
        stripeEventId,
        billingEventId: recorded.billingEventId,
        duplicate,
        ...(recorded.parked ? { parked: true as const } : {}),
        ...(recorded.superseded ? { superseded: true as const } : {}),
      };
    }
  }
}

function rejectionOf(
  source: string,
  envelope: StripeEventBridgeEnvelope,
  account: string,
): string | undefined {
  if (envelope.source !== source)
    return `source ${JSON.stringify(envelope.source)} is not ${source}`;
  if (envelope.account !== account) {
    return `account ${JSON.stringify(envelope.account)} is not this function's (${account})`;
  }
  return undefined;
}

/**
 * Stripe's destination puts each event with `detail-type` = its type (a thin
 * notification's own type, `v1.` and all), and the rule lets types through by
 * `detail-type` alone. An envelope whose detail is of another type was not built by
 * Stripe's partner source as it builds them, so nothing in it is trusted: it is rejected
 * like one from another source (dropped, counted, alarmed; never retried). Dropping loses
 * nothing Stripe sent: reconciliation walks Stripe's own events list. The detail's type is
 * not logged (the detail is not known to be Stripe's).
 */
function detailTypeMismatch(
  envelope: StripeEventBridgeEnvelope,
  payload: IncomingStripePayload,
): string | undefined {
  const type = payload.kind === 'snapshot' ? payload.event.type : payload.notification.type;
  if (envelope['detail-type'] === type) return undefined;
  return `detail-type ${JSON.stringify(envelope['detail-type'])} is not the type of its detail`;
}

/**
 * A detail from the right source, in this account, that is not a Stripe event or thin
 * notification: Stripe sent something the service does not know. Kept (parked, alarmed)
 * for an operator rather than dropped, and never retried: it would fail the same way.
 */
async function parkMalformed(
  deps: EventBridgeIntakeDependencies,
  metrics: ServiceMetrics,
  envelope: StripeEventBridgeEnvelope,
): Promise<EventBridgeOutcome> {
  const reason =
    'The EventBridge detail from the partner source is not a Stripe event or thin notification';
  const { rawBodyStored } = await deps.parked.park({
    eventId: envelope.id,
    type: envelope['detail-type'],
    reason,
    parkedAt: (deps.now?.() ?? new Date()).toISOString(),
    rawBody: Buffer.from(JSON.stringify(envelope.detail ?? null)),
  });
  metrics.count(METRICS.eventsParked);
  deps.logger.warn('EventBridge event parked: not a Stripe event', {
    envelopeId: envelope.id,
    detailType: envelope['detail-type'],
    rawBodyStored,
  });
  return { status: 'parked', stripeEventId: envelope.id };
}

function reject(
  deps: EventBridgeIntakeDependencies,
  metrics: ServiceMetrics,
  envelope: StripeEventBridgeEnvelope,
  reason: string,
): EventBridgeOutcome {
  metrics.count(METRICS.eventBridgeRejected);
  // Never the detail: it is not known to be Stripe's, and may carry anything.
  deps.logger.warn('EventBridge event rejected; dropped', {
    envelopeId: envelope.id,
    source: envelope.source,
    account: envelope.account,
    detailType: envelope['detail-type'],
    reason,
  });
  return { status: 'rejected', reason };
}
