import type Stripe from 'stripe';
import { isStripeRateLimited } from '../../core/dependency-metrics';
import type { StripeEventSource } from '../../domain/stripe-event-source';
import {
  checkSubscriptionState,
  type StateCheckDependencies,
  type StateCheckOutcome,
} from './check-subscription-state';
import { describeFailure, type EventResult } from './reconciliation-report';

/**
 * At most this many subscriptions are checked per run: each costs a Stripe call, from the
 * same rate limit as checkouts (25/s in test mode, 100/s live). Those whose events were
 * superseded in the run come first (the one way the last message can lag Stripe), then
 * the most recently changed; the rest are reported as skipped.
 */
export const MAX_STATE_CHECKS_PER_RUN = 100;

/** What the state check of one run did (the report's `stateCheck`). */
export interface StateCheckCounts {
  readonly checked: number;
  readonly inStep: number;
  readonly healed: number;
  readonly notPublished: number;
  readonly unrecorded: number;
  readonly notAtStripe: number;
  readonly busy: number;
  readonly failed: number;
  /** Changed in the window, not checked (over the per-run bound, or out of time). */
  readonly skipped: number;
}

export interface StateCheckRunReport {
  readonly counts: StateCheckCounts;
  /** The corrections published (billing event ids). */
  readonly healed: readonly string[];
  readonly failures: readonly { readonly subscriptionId: string; readonly error: string }[];
}

const NO_COUNTS: StateCheckCounts = {
  checked: 0,
  inStep: 0,
  healed: 0,
  notPublished: 0,
  unrecorded: 0,
  notAtStripe: 0,
  busy: 0,
  failed: 0,
  skipped: 0,
};

/** A run that checked no subscription (it failed before, or none changed). */
export const NO_STATE_CHECK: StateCheckRunReport = { counts: NO_COUNTS, healed: [], failures: [] };

const COUNTED: Readonly<Record<StateCheckOutcome, keyof StateCheckCounts>> = {
  in_step: 'inStep',
  healed: 'healed',
  not_published: 'notPublished',
  unrecorded: 'unrecorded',
  not_at_stripe: 'notAtStripe',
  busy: 'busy',
};

/**
 * The subscriptions a run's events were about, noted as the walk lists them (a tap on the
 * event source, so the walk itself is unchanged), with those whose event was superseded.
 */
export class ChangedSubscriptions {
  private readonly byEvent = new Map<string, string>();
  /** Subscription ids, in the order their newest event was listed (oldest first). */
  private readonly changed = new Map<string, true>();
  private readonly superseded = new Set<string>();

  tap(source: StripeEventSource): StripeEventSource {
    const byEvent = this.byEvent;
    const changed = this.changed;
    return {
      retrieve: (eventId) => source.retrieve(eventId),
      async *eventsOldestFirst(window) {
        for await (const event of source.eventsOldestFirst(window)) {
          const subscriptionId = subscriptionOf(event);
          if (subscriptionId !== undefined) {
            byEvent.set(event.id, subscriptionId);
            changed.delete(subscriptionId);
            changed.set(subscriptionId, true);
          }
          yield event;
        }
      },
    };
  }

  /** Notes a walked event's result (its subscription first in line when superseded). */
  note(result: EventResult): void {
    const subscriptionId = this.byEvent.get(result.eventId);
    if (subscriptionId !== undefined && result.disposition === 'superseded') {
      this.superseded.add(subscriptionId);
    }
  }

  /** Superseded first, then newest first. */
  inCheckOrder(): string[] {
    const newestFirst = [...this.changed.keys()].reverse();
    return [
      ...newestFirst.filter((id) => this.superseded.has(id)),
      ...newestFirst.filter((id) => !this.superseded.has(id)),
    ];
  }
}

/** The subscription a `customer.subscription.*` event is about. */
function subscriptionOf(event: Stripe.Event): string | undefined {
  if (!event.type.startsWith('customer.subscription.')) return undefined;
  const { id } = event.data.object as { id?: unknown };
  return typeof id === 'string' ? id : undefined;
}

/**
 * Checks each subscription in turn (never throwing: a failure is counted and listed, and
 * the next run checks again), stopping at the per-run bound or when out of time.
 */
export async function checkSubscriptionStates(
  deps: StateCheckDependencies,
  subscriptionIds: readonly string[],
  options: { readonly outOfTime: () => boolean; readonly limit?: number },
): Promise<StateCheckRunReport> {
  const counts: Record<keyof StateCheckCounts, number> = { ...NO_COUNTS };
  const healed: string[] = [];
  const failures: { subscriptionId: string; error: string }[] = [];
  const limit = options.limit ?? MAX_STATE_CHECKS_PER_RUN;
  for (const [index, subscriptionId] of subscriptionIds.entries()) {
    if (index >= limit || options.outOfTime()) {
      counts.skipped = subscriptionIds.length - index;
      break;
    }
    counts.checked += 1;
    try {
      const result = await checkSubscriptionState(deps, subscriptionId);
      counts[COUNTED[result.outcome]] += 1;
      if (result.billingEventId !== undefined) healed.push(result.billingEventId);
    } catch (error) {
      if (isStripeRateLimited(error)) {
        // Stripe's limits outlasted the backoff: the rest waits for the next run.
        counts.checked -= 1;
        counts.skipped = subscriptionIds.length - index;
        deps.logger.warn('State check stopped by Stripe rate limits; the next run goes on');
        break;
      }
      counts.failed += 1;
      failures.push({ subscriptionId, error: describeFailure(error) });
      deps.logger.warn('State check failed; the next run checks again', {
        subscriptionId,
        error: error as Error,
      });
    }
  }
  return { counts, healed, failures };
}
