import type { Context } from 'aws-lambda';
import {
  EventInProgressError,
  type ProcessedEvent,
  type StripeDelivery,
} from '../../lambda/domain/event-ledger';
import type { PublishOutcome } from '../../lambda/stripe-events/use-cases/publish-billing-event';

/**
 * The event ledger in memory: `process` runs at most once per event id; a redelivery gets
 * the stored outcome without running it; a failure records nothing (the next delivery runs
 * it); a delivery that arrives while the same event is being processed is an
 * `EventInProgressError`. The rule is Powertools idempotency's, as `idempotentProcessor`
 * configures it: both are held to one contract (test/support/event-processor-contract.ts).
 */
export function inMemoryLedger<R extends object>(
  process: (delivery: StripeDelivery) => Promise<R>,
  ledger = new Map<string, R>(),
): (delivery: StripeDelivery, context?: Context) => Promise<ProcessedEvent<R>> {
  const inProgress = new Set<string>();
  return async (delivery) => {
    const { id } = delivery.event;
    const done = ledger.get(id);
    if (done) return { outcome: done, alreadyProcessed: true };
    if (inProgress.has(id)) throw new EventInProgressError(id);
    inProgress.add(id);
    try {
      const outcome = await process(delivery);
      ledger.set(id, outcome);
      return { outcome, alreadyProcessed: false };
    } finally {
      inProgress.delete(id);
    }
  };
}

/** What the fake pipeline does with an event the ledger has not seen yet. */
export type FakeBehaviour = 'publish' | 'park' | 'supersede' | 'ignore' | 'busy' | 'fail';

/**
 * The event pipeline as every way in sees it: the in-memory ledger around processing that
 * is scripted per event id (it records and returns).
 */
export class FakePipeline {
  /** What the ledger holds per event id. */
  readonly ledger = new Map<string, PublishOutcome>();
  /** Per event id; `publish` unless set. */
  readonly behaviour = new Map<string, FakeBehaviour>();
  /** Failures thrown, one per call, before anything else happens. */
  readonly failures: Error[] = [];
  /** Every delivery handed in. */
  readonly calls: StripeDelivery[] = [];
  /** The deliveries processed (not found processed, not failed). */
  readonly processed: StripeDelivery[] = [];
  private readonly once: ReturnType<typeof inMemoryLedger<PublishOutcome>>;

  /** `billingEventType` names what a published event's billing event id ends in. */
  constructor(private readonly billingEventType = 'x') {
    this.once = inMemoryLedger((delivery) => this.scripted(delivery), this.ledger);
  }

  readonly process = (
    delivery: StripeDelivery,
    _context?: Context,
  ): Promise<ProcessedEvent<PublishOutcome>> => {
    this.calls.push(delivery);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    return this.once(delivery);
  };

  private scripted(delivery: StripeDelivery): Promise<PublishOutcome> {
    const { id } = delivery.event;
    const behaviour = this.behaviour.get(id) ?? 'publish';
    if (behaviour === 'busy') return Promise.reject(new EventInProgressError(id));
    if (behaviour === 'fail') {
      return Promise.reject(
        Object.assign(new Error('SNS is down'), { dependency: 'SNS', operation: 'Publish' }),
      );
    }
    const outcomes: Record<typeof behaviour, PublishOutcome> = {
      publish: { billingEventId: `${id}:${this.billingEventType}` },
      park: { billingEventId: null, parked: true },
      supersede: { billingEventId: null, superseded: true },
      ignore: { billingEventId: null },
    };
    this.processed.push(delivery);
    return Promise.resolve(outcomes[behaviour]);
  }
}
