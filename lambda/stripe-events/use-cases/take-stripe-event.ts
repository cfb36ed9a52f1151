import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import type { Logger } from '../../core/logger';
import {
  EventBusyError,
  type EventProcessor,
  type ProcessedEvent,
  type StripeDelivery,
} from '../../domain/event-ledger';
import type { ServiceMetrics } from '../../domain/metrics';
import { snapshotTypeOf } from '../../domain/thin-event';
import { isHandledStripeEventType } from '../billing-event-mapping';
import {
  eventBody,
  type IncomingStripePayload,
  resolveOrParkThinEvent,
  type ThinEventIntake,
} from '../intake';
import type { PublishOutcome } from './publish-billing-event';

/** What every way in (the webhook, EventBridge, reconciliation and replay) hands the flow. */
export interface StripeEventIntake {
  /** The one pipeline (`buildEventPipeline`): the ledger, mapping, ordering, topic, parking. */
  readonly process: EventProcessor<PublishOutcome>;
  /**
   * Thin event notifications. Every composition root wires it; without it (tests that send
   * snapshot events only) a thin notification fails as a transient fault, so its sender
   * keeps it and retries.
   */
  readonly thinEvents?: ThinEventIntake;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => Date;
}

/** One Stripe payload as it came in, and the bytes it came as. */
export interface IncomingStripeEvent {
  readonly payload: IncomingStripePayload;
  /** What is parked for it: the bytes Stripe signed, or the JSON the way in received. */
  readonly body: Buffer;
}

export interface TakeOptions {
  /** The invocation: the ledger's in-progress records expire with it; read for time left. */
  readonly context: Context;
  /**
   * Pauses before taking a busy event again within this invocation. None by default: the
   * webhook answers 409 at once (Stripe retries), reconciliation looks again next run.
   */
  readonly busyRetryDelaysMs?: readonly number[];
}

/** The Stripe event (or thin notification) an outcome is about. */
interface About {
  readonly stripeEventId: string;
  readonly stripeEventType: string;
}

/**
 * What became of one Stripe event, whichever way it came in. Each way in only translates
 * it: the webhook into a status code, EventBridge into a result or a Lambda retry,
 * reconciliation and replay into a report line.
 */
export type StripeEventOutcome =
  /** A type the service does not handle: nothing fetched, recorded or published. */
  | (About & { readonly status: 'not_handled' })
  /**
   * Someone else holds it (another delivery of the event, or an event about the same
   * subscription being published): nothing happened; worth a retry shortly.
   */
  | (About & { readonly status: 'busy'; readonly error: EventBusyError })
  /** A thin notification whose event Stripe does not have: parked under its own id. */
  | (About & { readonly status: 'unresolved' })
  /** Processed now, or found processed before by any way in. */
  | (About & {
      readonly status: 'published' | 'parked' | 'superseded' | 'nothing_to_publish' | 'duplicate';
      /** What the ledger holds for the event (for a duplicate: what the first delivery did). */
      readonly recorded: PublishOutcome;
    });

/**
 * The way in, once, for every way in: a type the service does not handle is left alone;
 * a thin notification is resolved to its v1 event (or parked when Stripe has none); the
 * event goes through the pipeline once per event id; a busy event is tried again after
 * the given pauses while the invocation has time, and is otherwise answered `busy`.
 *
 * Transient failures (a dependency down, Stripe unreachable) are thrown: each way in has
 * its own retry (Stripe's redelivery, Lambda's, the next reconciliation run).
 */
export async function takeStripeEvent(
  intake: StripeEventIntake,
  incoming: IncomingStripeEvent,
  options: TakeOptions,
): Promise<StripeEventOutcome> {
  const { payload } = incoming;
  if (payload.kind === 'thin') {
    const { notification } = payload;
    const about = { stripeEventId: notification.id, stripeEventType: notification.type };
    const type = snapshotTypeOf(notification.type);
    if (type === undefined || !isHandledStripeEventType(type)) {
      return notHandled(intake, {
        stripeEventId: notification.snapshot_event ?? notification.id,
        stripeEventType: notification.type,
      });
    }
    if (!intake.thinEvents) {
      throw new Error('Thin event notifications are not configured on this way in.');
    }
    const resolved = await resolveOrParkThinEvent(
      { ...intake, ...intake.thinEvents },
      notification,
      incoming.body,
    );
    if (!('event' in resolved)) return { ...about, status: 'unresolved' };
    // What the pipeline parks and a replay re-runs is an event, not the notification.
    return takeEvent(
      intake,
      { event: resolved.event, rawBody: eventBody(resolved.event) },
      options,
    );
  }
  return takeEvent(intake, { event: payload.event, rawBody: incoming.body }, options);
}

async function takeEvent(
  intake: StripeEventIntake,
  delivery: StripeDelivery,
  options: TakeOptions,
): Promise<StripeEventOutcome> {
  const { event } = delivery;
  const about = { stripeEventId: event.id, stripeEventType: event.type };
  if (!isHandledStripeEventType(event.type)) return notHandled(intake, about);
  const processed = await processWhenFree(intake, delivery, options);
  if (processed instanceof EventBusyError) return { ...about, status: 'busy', error: processed };
  return { ...about, status: statusOf(processed), recorded: processed.outcome };
}

/** A pause is taken only with this much of the invocation left after it. */
const BUSY_RETRY_RESERVE_MS = 10_000;

/** The pipeline, tried again after each pause while the event (or its subscription) is busy. */
async function processWhenFree(
  intake: StripeEventIntake,
  delivery: StripeDelivery,
  { context, busyRetryDelaysMs = [] }: TakeOptions,
): Promise<ProcessedEvent<PublishOutcome> | EventBusyError> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await intake.process(delivery, context);
    } catch (error) {
      if (!(error instanceof EventBusyError)) throw error;
      const delay = busyRetryDelaysMs[attempt];
      if (
        delay === undefined ||
        context.getRemainingTimeInMillis() < delay + BUSY_RETRY_RESERVE_MS
      ) {
        return error;
      }
      intake.logger.info('Stripe event busy elsewhere; trying again shortly', {
        stripeEventId: delivery.event.id,
        delayMs: delay,
      });
      await sleep(delay);
    }
  }
}

function statusOf({ outcome, alreadyProcessed }: ProcessedEvent<PublishOutcome>) {
  if (alreadyProcessed) return 'duplicate';
  if (outcome.parked === true) return 'parked';
  if (outcome.superseded === true) return 'superseded';
  return outcome.billingEventId === null ? 'nothing_to_publish' : 'published';
}

function notHandled(intake: StripeEventIntake, about: About): StripeEventOutcome {
  intake.logger.info('Stripe event type not handled; nothing to do', { ...about });
  return { ...about, status: 'not_handled' };
}

/** Stripe's event, for the events a caller took from Stripe's own list. */
export const snapshotOf = (event: Stripe.Event): IncomingStripeEvent => ({
  payload: { kind: 'snapshot', event },
  body: eventBody(event),
});
