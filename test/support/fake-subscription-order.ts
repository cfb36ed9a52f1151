import type Stripe from 'stripe';
import type {
  EventPosition,
  PublishClaim,
  Superseded,
  SubscriptionOrderLedger,
  SubscriptionStateSource,
} from '../../lambda/domain/subscription-order';
import { SubscriptionBusyError } from '../../lambda/domain/subscription-order';

/** The high-water mark in memory, with the DynamoDB ledger's rules (no lease expiry). */
export class InMemorySubscriptionOrder implements SubscriptionOrderLedger {
  readonly marks = new Map<string, { created: number; eventId: string; leasedBy?: string }>();

  async claim(
    position: EventPosition,
    settleTie: () => Promise<boolean>,
  ): Promise<PublishClaim | Superseded> {
    const mark = this.marks.get(position.subscriptionId);
    if (mark?.leasedBy !== undefined && mark.leasedBy !== position.eventId) {
      throw new SubscriptionBusyError(position.subscriptionId);
    }
    if (mark) {
      const older =
        position.created < mark.created ||
        (position.created === mark.created &&
          position.eventId !== mark.eventId &&
          !(await settleTie()));
      if (older) return { kind: 'superseded', newerEventId: mark.eventId };
    }
    this.marks.set(position.subscriptionId, {
      created: position.created,
      eventId: position.eventId,
      leasedBy: position.eventId,
    });
    return {
      kind: 'claimed',
      release: () => {
        const current = this.marks.get(position.subscriptionId);
        if (current?.leasedBy === position.eventId) {
          this.marks.set(position.subscriptionId, {
            created: current.created,
            eventId: current.eventId,
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
