import type Stripe from 'stripe';
import {
  claimedMark,
  correctedMark,
  decideClaim,
  type EventPosition,
  type OrderMark,
  type PublishClaim,
  type PublishedMark,
  leasedToAnother,
  SubscriptionBusyError,
  type Superseded,
  type SubscriptionOrderLedger,
  type SubscriptionStateSource,
} from '../../lambda/domain/subscription-order';

/** A mark in memory, with the state last published (as the DynamoDB item holds it). */
type MemoryMark = OrderMark & { readonly publishedState?: string };

/**
 * The high-water marks in memory. It records and returns: what a claim may do is decided
 * by `decideClaim` (a correction's mark by `correctedMark`), the rules the DynamoDB ledger
 * runs too, so a unit test of publishing meets the real ordering rule.
 */
export class InMemorySubscriptionOrder implements SubscriptionOrderLedger {
  readonly marks = new Map<string, MemoryMark>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(
    position: EventPosition,
    settleTie: () => Promise<boolean>,
  ): Promise<PublishClaim | Superseded> {
    const mark = this.marks.get(position.subscriptionId);
    const decision = await decideClaim(mark, position, this.now(), settleTie);
    if (decision.kind === 'busy') throw new SubscriptionBusyError(position.subscriptionId);
    if (decision.kind === 'superseded') return decision;
    this.set(position.subscriptionId, claimedMark(position, this.now()), mark);
    return this.claimed(position.subscriptionId, position.eventId);
  }

  published(subscriptionId: string): Promise<PublishedMark | undefined> {
    const mark = this.marks.get(subscriptionId);
    if (!mark) return Promise.resolve(undefined);
    const { lastCreated, lastEventId, publishedState } = mark;
    return Promise.resolve({
      lastCreated,
      lastEventId,
      ...(publishedState !== undefined ? { publishedState } : {}),
    });
  }

  claimCorrection(subscriptionId: string, correctionId: string): Promise<PublishClaim> {
    const mark = this.marks.get(subscriptionId);
    if (leasedToAnother(mark, correctionId, this.now())) {
      return Promise.reject(new SubscriptionBusyError(subscriptionId));
    }
    this.set(subscriptionId, correctedMark(mark, correctionId, this.now()), mark);
    return Promise.resolve(this.claimed(subscriptionId, correctionId));
  }

  private set(subscriptionId: string, mark: OrderMark, before: MemoryMark | undefined): void {
    const kept = before?.publishedState;
    this.marks.set(subscriptionId, {
      ...mark,
      ...(kept !== undefined ? { publishedState: kept } : {}),
    });
  }

  private claimed(subscriptionId: string, eventId: string): PublishClaim {
    return {
      kind: 'claimed',
      release: (publishedState?: string) => {
        const current = this.marks.get(subscriptionId);
        if (current?.leaseEventId === eventId) {
          const state = publishedState ?? current.publishedState;
          this.marks.set(subscriptionId, {
            lastCreated: current.lastCreated,
            lastEventId: current.lastEventId,
            ...(state !== undefined ? { publishedState: state } : {}),
          });
        }
        return Promise.resolve();
      },
    };
  }
}

/** Stripe's current subscriptions, as a test sets them. */
export class FakeSubscriptionSource implements SubscriptionStateSource {
  readonly current_ = new Map<string, Stripe.Subscription>();
  calls = 0;

  current(subscriptionId: string): Promise<Stripe.Subscription | undefined> {
    this.calls += 1;
    return Promise.resolve(this.current_.get(subscriptionId));
  }
}
