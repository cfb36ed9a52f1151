import type Stripe from 'stripe';
import {
  claimedMark,
  decideClaim,
  type EventPosition,
  type OrderMark,
  type PublishClaim,
  SubscriptionBusyError,
  type Superseded,
  type SubscriptionOrderLedger,
  type SubscriptionStateSource,
} from '../../lambda/domain/subscription-order';

/**
 * The high-water marks in memory. It records and returns: what a claim may do is decided
 * by `decideClaim`, the rule the DynamoDB ledger runs too, so a unit test of publishing
 * meets the real ordering rule.
 */
export class InMemorySubscriptionOrder implements SubscriptionOrderLedger {
  readonly marks = new Map<string, OrderMark>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(
    position: EventPosition,
    settleTie: () => Promise<boolean>,
  ): Promise<PublishClaim | Superseded> {
    const mark = this.marks.get(position.subscriptionId);
    const decision = await decideClaim(mark, position, this.now(), settleTie);
    if (decision.kind === 'busy') throw new SubscriptionBusyError(position.subscriptionId);
    if (decision.kind === 'superseded') return decision;
    this.marks.set(position.subscriptionId, claimedMark(position, this.now()));
    return {
      kind: 'claimed',
      release: () => {
        const current = this.marks.get(position.subscriptionId);
        if (current?.leaseEventId === position.eventId) {
          this.marks.set(position.subscriptionId, {
            lastCreated: current.lastCreated,
            lastEventId: current.lastEventId,
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
