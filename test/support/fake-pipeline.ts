import {
  EventInProgressError,
  type ProcessedEvent,
  type StripeDelivery,
} from '../../lambda/domain/event-ledger';
import type { PublishOutcome } from '../../lambda/stripe-events/use-cases/publish-billing-event';

/** What the fake pipeline does with an event the ledger has not seen yet. */
export type FakeBehaviour = 'publish' | 'park' | 'supersede' | 'ignore' | 'busy' | 'fail';

/**
 * The event pipeline as every way in sees it: the ledger processes each event id once and
 * answers "already processed" after; what processing does is scripted per event id.
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

  /** `billingEventType` names what a published event's billing event id ends in. */
  constructor(private readonly billingEventType = 'x') {}

  readonly process = (delivery: StripeDelivery): Promise<ProcessedEvent<PublishOutcome>> => {
    this.calls.push(delivery);
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const { id } = delivery.event;
    const done = this.ledger.get(id);
    if (done) return Promise.resolve({ outcome: done, alreadyProcessed: true });
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
    const outcome = outcomes[behaviour];
    this.ledger.set(id, outcome);
    this.processed.push(delivery);
    return Promise.resolve({ outcome, alreadyProcessed: false });
  };
}
