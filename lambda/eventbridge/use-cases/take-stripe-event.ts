import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import type { EventProcessor } from '../../adapters/idempotent-processor';
import { HttpError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { METRICS, NO_METRICS, type ServiceMetrics } from '../../domain/metrics';
import type { ParkedEventStore } from '../../domain/parked-event';
import { SubscriptionBusyError } from '../../domain/subscription-order';
import { isHandledStripeEventType } from '../../webhook/billing-event-mapping';
import {
  classifyStripePayload,
  resolveOrParkThinEvent,
  snapshotTypeOf,
  type ThinEventResolver,
} from '../../webhook/stripe-event-intake';
import type { PublishOutcome } from '../../webhook/use-cases/publish-billing-event';

export interface EventBridgeIntakeDependencies {
  /** The one partner event source events may come from (context `eventBridgeSource`). */
  readonly source: string;
  /** The webhook's pipeline: the same ledger, mapping, ordering, topic and parking. */
  readonly process: EventProcessor<PublishOutcome>;
  /** Turns a thin notification into its v1 event (Stripe's snapshot event). */
  readonly resolver: ThinEventResolver;
  /** Where a thin notification whose event Stripe does not have is parked. */
  readonly parked: ParkedEventStore;
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
/** A pause is taken only with this much of the invocation left after it. */
const BUSY_RETRY_RESERVE_MS = 10_000;

/** The fields of an EventBridge envelope the intake reads. */
export interface StripeEventEnvelope {
  readonly id: string;
  readonly source: string;
  readonly account: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

/** What became of one envelope; the function's result (visible in tests and local runs). */
export type EventBridgeOutcome =
  /** Not from the configured source and account: dropped, counted. */
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
 * One event from the partner event bus, through the webhook's pipeline.
 *
 * - It must come from the configured partner source **and** this account (`receivedIn`,
 *   the invoked function's account): the rule's pattern says so too, but a rule edited by
 *   hand, or a put from elsewhere, must not publish billing events. Anything else is
 *   dropped and counted (an alarm): retrying could not make it acceptable.
 * - Snapshot events go to the pipeline as they are; thin notifications are first resolved
 *   to their v1 event, so either kind is keyed by the same Stripe event id the webhook and
 *   reconciliation use: one billing message per event, whichever way in wins.
 * - Failures are *transient* and thrown (Lambda's asynchronous retries, then the
 *   failure destination keep the event): a dependency failing, the same event in progress
 *   on the webhook right now, another event of the subscription being published. The
 *   *permanent* ones (unmappable, too big, no such event at Stripe) are parked.
 */
export async function takeStripeEvent(
  deps: EventBridgeIntakeDependencies,
  envelope: StripeEventEnvelope,
  receivedIn: { readonly account: string },
  context: Context,
): Promise<EventBridgeOutcome> {
  const metrics = deps.metrics ?? NO_METRICS;
  const rejection = rejectionOf(deps.source, envelope, receivedIn.account);
  if (rejection !== undefined) return reject(deps, metrics, envelope, rejection);

  const payload = classifyStripePayload(envelope.detail);
  if (payload === undefined) {
    return parkMalformed(deps, metrics, envelope);
  }
  metrics.count(METRICS.eventBridgeReceived);

  let event: Stripe.Event;
  if (payload.kind === 'snapshot') {
    event = payload.event;
  } else {
    const { notification } = payload;
    const type = snapshotTypeOf(notification.type);
    if (type === undefined || !isHandledStripeEventType(type)) {
      return ignore(deps, notification.snapshot_event ?? notification.id, notification.type);
    }
    const result = await resolveOrParkThinEvent(
      deps,
      notification,
      Buffer.from(JSON.stringify(notification)),
    );
    if (!('event' in result)) return { status: 'parked', stripeEventId: notification.id };
    event = result.event;
  }
  if (!isHandledStripeEventType(event.type)) return ignore(deps, event.id, event.type);

  const fields = { stripeEventId: event.id, stripeEventType: event.type, envelopeId: envelope.id };
  try {
    const delivery = { event, rawBody: Buffer.from(JSON.stringify(event)) };
    const { outcome, alreadyProcessed } = await processWhenFree(deps, delivery, context);
    if (alreadyProcessed) metrics.count(METRICS.eventBridgeDuplicate);
    deps.logger.info(
      alreadyProcessed
        ? 'Stripe event already processed; nothing published'
        : 'Stripe event processed',
      { ...fields, billingEventId: outcome.billingEventId },
    );
    return {
      status: 'processed',
      stripeEventId: event.id,
      billingEventId: outcome.billingEventId,
      duplicate: alreadyProcessed,
      ...(outcome.parked ? { parked: true as const } : {}),
      ...(outcome.superseded ? { superseded: true as const } : {}),
    };
  } catch (error) {
    // In progress elsewhere (409), the subscription busy, a dependency down: all worth a
    // retry, which Lambda makes (then the failure destination keeps the event).
    deps.logger.warn('Stripe event not processed; it is retried', { ...fields, error });
    throw error;
  }
}

/** The pipeline, tried again after a pause while the event (or its subscription) is busy. */
async function processWhenFree(
  deps: EventBridgeIntakeDependencies,
  delivery: Parameters<EventBridgeIntakeDependencies['process']>[0],
  context: Context,
): ReturnType<EventBridgeIntakeDependencies['process']> {
  const delays = deps.busyRetryDelaysMs ?? BUSY_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await deps.process(delivery, context);
    } catch (error) {
      const delay = delays[attempt];
      if (
        !isBusy(error) ||
        delay === undefined ||
        context.getRemainingTimeInMillis() < delay + BUSY_RETRY_RESERVE_MS
      ) {
        throw error;
      }
      deps.logger.info('Stripe event busy elsewhere; trying again shortly', {
        stripeEventId: delivery.event.id,
        delayMs: delay,
      });
      await sleep(delay);
    }
  }
}

/** In progress on another delivery (the ledger's 409), or its subscription being published. */
const isBusy = (error: unknown): boolean =>
  error instanceof SubscriptionBusyError || (error instanceof HttpError && error.status === 409);

function rejectionOf(
  source: string,
  envelope: StripeEventEnvelope,
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
 * A detail from the right source, in this account, that is not a Stripe event or thin
 * notification: Stripe sent something the service does not know. Kept (parked, alarmed)
 * for an operator rather than dropped, and never retried: it would fail the same way.
 */
async function parkMalformed(
  deps: EventBridgeIntakeDependencies,
  metrics: ServiceMetrics,
  envelope: StripeEventEnvelope,
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
  envelope: StripeEventEnvelope,
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

function ignore(
  deps: EventBridgeIntakeDependencies,
  stripeEventId: string,
  stripeEventType: string,
): EventBridgeOutcome {
  deps.logger.info('Stripe event type not handled; ignored', { stripeEventId, stripeEventType });
  return { status: 'ignored', stripeEventId, stripeEventType };
}
