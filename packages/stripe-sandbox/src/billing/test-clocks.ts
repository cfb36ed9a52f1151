import { invalidRequest, parameterInvalid, resourceMissing } from '../http/errors';
import { runAtTestClockTime } from '../objects/clock';
import type { StripeObject } from '../objects/fixtures';
import { DAY_SECONDS } from '../objects/invoices';
import { subscriptionItem } from '../objects/subscriptions';
import { newTestClock } from '../objects/test-clocks';
import { NO_REQUEST, type RequestOrigin, type SandboxState } from '../state/state';
import {
  attemptPayment,
  endPeriod,
  TRIAL_WILL_END_SECONDS,
  upcomingInvoice,
} from './subscription-cycles';

/**
 * Stripe's test clocks: customers created on one live on its frozen time, and advancing
 * it moves each of their subscriptions through every boundary it crosses, in time order.
 * Objects made on the way are stamped with the boundary's time; events keep the sandbox's
 * own (real) time, as Stripe's do.
 */

export function requireTestClock(state: SandboxState, id: string, param = 'id'): StripeObject {
  const clock = state.store.get('test_helpers.test_clock', id);
  if (!clock || clock.deleted === true) throw resourceMissing('test_helpers.test_clock', id, param);
  return clock;
}

/** A new test clock at `frozenTime`: `test_helpers.test_clock.created`. */
export function createTestClock(
  state: SandboxState,
  frozenTime: number,
  name: string | null,
  origin: RequestOrigin,
): StripeObject {
  const clock = newTestClock(frozenTime, name);
  state.store.put('test_helpers.test_clock', clock);
  state.emit('test_helpers.test_clock.created', clock, origin);
  return clock;
}

/** The time of a customer's objects: its test clock's frozen time, or undefined (now). */
export function customerClockTime(state: SandboxState, customerId: string): number | undefined {
  const clockId = state.store.get('customer', customerId)?.test_clock;
  if (typeof clockId !== 'string') return undefined;
  return state.store.get('test_helpers.test_clock', clockId)?.frozen_time as number | undefined;
}

/** Runs `run` on the time of `customerId`'s test clock, if it has one. */
export function atCustomerTime<T>(state: SandboxState, customerId: string, run: () => T): T {
  const time = customerClockTime(state, customerId);
  return time === undefined ? run() : runAtTestClockTime(time, run);
}

/** Something that happens to a subscription at `time`. */
interface Boundary {
  readonly key: string;
  readonly time: number;
  /** Order among boundaries at the same second: notices, retries, then the period's end. */
  readonly rank: number;
  readonly run: () => void;
}

const LIVE = ['trialing', 'active', 'past_due', 'paused'];

/** The boundaries ahead of a subscription, as it stands now. */
function boundaries(state: SandboxState, sub: StripeObject, origin: RequestOrigin): Boundary[] {
  if (!LIVE.includes(sub.status as string)) return [];
  const id = sub.id as string;
  const end = subscriptionItem(sub).current_period_end as number;
  const found: Boundary[] = [];
  const add = (kind: string, time: number, rank: number, run: () => void) =>
    found.push({ key: `${id}:${kind}:${time}`, time, rank, run });
  if (sub.status === 'trialing' && typeof sub.trial_end === 'number') {
    add('trial_will_end', sub.trial_end - TRIAL_WILL_END_SECONDS, 0, () =>
      state.emit('customer.subscription.trial_will_end', sub, origin),
    );
  }
  const notice = end - state.upcomingInvoiceDays * DAY_SECONDS;
  const start = subscriptionItem(sub).current_period_start as number;
  if (sub.status === 'active' && sub.cancel_at_period_end !== true && notice > start) {
    add('upcoming', notice, 1, () =>
      state.emit('invoice.upcoming', upcomingInvoice(state, sub), origin),
    );
  }
  const latest = state.store.get('invoice', String(sub.latest_invoice));
  if (sub.status === 'past_due' && latest?.status === 'open') {
    const retry = latest.next_payment_attempt;
    if (typeof retry === 'number')
      add('retry', retry, 2, () => {
        attemptPayment(state, sub, latest, origin);
      });
  }
  if (sub.status !== 'paused')
    add('period_end', end, 3, () => {
      endPeriod(state, sub, origin);
    });
  return found;
}

/** The subscriptions of the clock's customers, oldest first. */
function clockSubscriptions(state: SandboxState, clockId: string): StripeObject[] {
  const customers = new Set(
    state.store
      .list('customer')
      .filter((c) => c.test_clock === clockId)
      .map((c) => c.id),
  );
  return state.store
    .list('subscription')
    .filter((s) => customers.has(s.customer))
    .reverse();
}

/** Runs every boundary in (`from`, `to`], earliest first, each at its own time. */
function crossBoundaries(
  state: SandboxState,
  clockId: string,
  span: { from: number; to: number },
  origin: RequestOrigin,
) {
  const done = new Set<string>();
  let cursor = span.from;
  for (;;) {
    const next = clockSubscriptions(state, clockId)
      .flatMap((sub) => boundaries(state, sub, origin))
      .filter((b) => b.time > span.from && b.time <= span.to && !done.has(b.key))
      .sort((a, b) => a.time - b.time || a.rank - b.rank)[0];
    if (!next) return;
    done.add(next.key);
    cursor = Math.max(cursor, next.time);
    runAtTestClockTime(cursor, next.run);
  }
}

/**
 * `POST /v1/test_helpers/test_clocks/:id/advance`: `advancing`
 * (`test_helpers.test_clock.advancing`), every boundary crossed, then `ready` at
 * `frozenTime` (`test_helpers.test_clock.ready`). The answer is the clock as it started
 * advancing, as Stripe answers; the work is done before the answer is sent, so the next
 * retrieve says `ready`.
 */
export function advanceTestClock(
  state: SandboxState,
  id: string,
  frozenTime: number,
  origin: RequestOrigin,
): StripeObject {
  const clock = requireTestClock(state, id);
  if (clock.status !== 'ready')
    throw invalidRequest(
      `The test clock ${id} is ${String(clock.status)}.`,
      'test_clock_not_ready',
    );
  const from = clock.frozen_time as number;
  if (frozenTime <= from)
    throw parameterInvalid(
      'frozen_time',
      'The frozen_time must be after the test clock’s current frozen_time.',
    );
  Object.assign(clock, {
    status: 'advancing',
    status_details: { advancing: { target_frozen_time: frozenTime } },
  });
  const answer = structuredClone(clock);
  state.emit('test_helpers.test_clock.advancing', clock, origin);
  try {
    // What time does is Stripe's own doing: its events name no request, as at Stripe.
    crossBoundaries(state, id, { from, to: frozenTime }, NO_REQUEST);
  } finally {
    Object.assign(clock, { status: 'ready', status_details: {}, frozen_time: frozenTime });
  }
  state.emit('test_helpers.test_clock.ready', clock, origin);
  return answer;
}

/**
 * `DELETE`: the clock and, as at Stripe, its customers (deleted stubs) and their
 * subscriptions and invoices, with no events but `test_helpers.test_clock.deleted`.
 */
export function deleteTestClock(
  state: SandboxState,
  id: string,
  origin: RequestOrigin,
): StripeObject {
  const clock = requireTestClock(state, id);
  for (const sub of clockSubscriptions(state, id))
    state.store.delete('subscription', sub.id as string);
  for (const customer of state.store.list('customer').filter((c) => c.test_clock === id)) {
    for (const inv of state.store.list('invoice').filter((i) => i.customer === customer.id))
      state.store.delete('invoice', inv.id as string);
    state.store.put('customer', { id: customer.id, object: 'customer', deleted: true });
  }
  state.store.delete('test_helpers.test_clock', id);
  state.emit('test_helpers.test_clock.deleted', clock, origin);
  return { id, object: 'test_helpers.test_clock', deleted: true };
}
