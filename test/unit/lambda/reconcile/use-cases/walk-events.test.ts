import type Stripe from 'stripe';
import { stripeFailure } from '../../../../../lambda/core/errors';
import type {
  EventWindow,
  StripeEventSource,
} from '../../../../../lambda/domain/stripe-event-source';
import type { EventResult } from '../../../../../lambda/reconcile/use-cases/reconciliation-report';
import { RunTally } from '../../../../../lambda/reconcile/use-cases/reconciliation-report';
import {
  MAX_CONSECUTIVE_FAILURES,
  walkEvents,
} from '../../../../../lambda/reconcile/use-cases/walk-events';
import { CHUNK_SECONDS } from '../../../../../lambda/reconcile/use-cases/reconcile-window';
import { localContext } from '../../../../../local/http-adapter';
import { FakePipeline } from '../../../../support/fake-pipeline';
import { CapturingLogger } from '../../../../support/log-capture';

/**
 * The walk on its own (reconcile-events.test.ts runs it inside whole runs): the progress it
 * reports for the cursor, when it stops, and the lines it leaves an operator in the log.
 */
const NOW_S = 1_795_000_000;
const OVERLAP = 900;
const RESERVE_MS = 10_000;

const event = (id: string, created: number): Stripe.Event =>
  ({
    id,
    object: 'event',
    type: 'invoice.payment_succeeded',
    created,
    data: { object: {} },
  }) as unknown as Stripe.Event;

/** Stripe's events in memory, listed oldest first within the window asked for. */
class ListedEvents implements StripeEventSource {
  readonly windows: EventWindow[] = [];
  /** Thrown after this many events of a listing (from window `refuseFromWindow` on, 1-based). */
  refuseAfter: number | undefined;
  refuseFromWindow = 1;
  refusal: Error | undefined;
  constructor(private readonly events: readonly Stripe.Event[]) {}

  async *eventsOldestFirst(window: EventWindow): AsyncGenerator<Stripe.Event> {
    this.windows.push(window);
    const refusing = this.refusal !== undefined && this.windows.length >= this.refuseFromWindow;
    const listed = this.events
      .filter((e) => e.created >= window.createdFrom && e.created <= window.createdTo)
      .sort((a, b) => a.created - b.created);
    for (const [i, e] of listed.entries()) {
      if (refusing && i === this.refuseAfter) throw this.refusal ?? new Error('no refusal');
      await Promise.resolve();
      yield e;
    }
    if (refusing && this.refuseAfter !== undefined && this.refusal) throw this.refusal;
  }

  retrieve(eventId: string): Promise<Stripe.Event | undefined> {
    return Promise.resolve(this.events.find((e) => e.id === eventId));
  }
}

function walk(
  events: readonly Stripe.Event[],
  options: {
    window?: { from: number; to: number };
    remainingMs?: (results: readonly EventResult[]) => number;
  } = {},
) {
  const pipeline = new FakePipeline('invoice.paid');
  const logger = new CapturingLogger();
  const source = new ListedEvents(events);
  const results: EventResult[] = [];
  const tally = new RunTally();
  const context = {
    ...localContext('reconcile'),
    getRemainingTimeInMillis: () => options.remainingMs?.(results) ?? 60_000,
  };
  const walked = () =>
    walkEvents(
      { source, intake: { process: pipeline.process, logger }, logger },
      {
        window: options.window ?? { from: NOW_S - 3600, to: NOW_S },
        overlapSeconds: OVERLAP,
        context,
        reserveMs: RESERVE_MS,
        onEvent: (result) => results.push(result),
      },
      tally,
    );
  const linesSaying = (message: string) => logger.lines.filter((l) => l.message === message);
  return { pipeline, source, results, tally, walked, linesSaying };
}

const PUBLISHED = 'Reconciliation published an event that had not been processed';
const IN_PROGRESS = 'Event in progress elsewhere; the next run looks at it again';
const NOT_PROCESSED = 'Reconciliation could not process an event';
const OUT_OF_TIME = 'Reconciliation out of time: the next run continues from here';
const ALL_FAILED = 'Reconciliation stopped: every recent event failed';

describe('walkEvents: what each event leaves', () => {
  it('reports and logs the billing event of an event it published, and nothing for one processed before', async () => {
    const t = walk([event('evt_new', NOW_S - 200), event('evt_seen', NOW_S - 100)]);
    t.pipeline.ledger.set('evt_seen', { billingEventId: 'evt_seen:invoice.paid' });
    await t.walked();

    expect(t.results).toStrictEqual([
      {
        eventId: 'evt_new',
        type: 'invoice.payment_succeeded',
        created: NOW_S - 200,
        disposition: 'published',
        billingEventId: 'evt_new:invoice.paid',
      },
      {
        eventId: 'evt_seen',
        type: 'invoice.payment_succeeded',
        created: NOW_S - 100,
        disposition: 'already_processed',
      },
    ]);
    expect(t.linesSaying(PUBLISHED)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        stripeEventId: 'evt_new',
        stripeEventType: 'invoice.payment_succeeded',
        billingEventId: 'evt_new:invoice.paid',
      }),
    ]);
  });

  it('logs an event another way in holds, and keeps it unsettled for the next run', async () => {
    const t = walk([event('evt_busy', NOW_S - 200), event('evt_ok', NOW_S - 100)]);
    t.pipeline.behaviour.set('evt_busy', 'busy');
    const { complete, progress } = await t.walked();

    expect(complete).toBe(true);
    expect(progress).toMatchObject({ oldestUnsettled: NOW_S - 200, newestSettled: NOW_S - 100 });
    expect(t.linesSaying(IN_PROGRESS)).toEqual([
      expect.objectContaining({ level: 'INFO', stripeEventId: 'evt_busy' }),
    ]);
  });

  it('logs an event it could not process with the error, and keeps it unsettled', async () => {
    const t = walk([event('evt_fails', NOW_S - 200), event('evt_ok', NOW_S - 100)]);
    t.pipeline.behaviour.set('evt_fails', 'fail');
    const { progress } = await t.walked();

    expect(t.results[0]).toMatchObject({
      disposition: 'failed',
      error: 'SNS Publish failed: SNS is down',
    });
    expect(progress).toMatchObject({ oldestUnsettled: NOW_S - 200, newestSettled: NOW_S - 100 });
    expect(t.linesSaying(NOT_PROCESSED)).toEqual([
      expect.objectContaining({
        level: 'WARN',
        stripeEventId: 'evt_fails',
        stripeEventType: 'invoice.payment_succeeded',
        error: expect.objectContaining({ message: 'SNS is down' }) as unknown,
      }),
    ]);
  });
});

describe('walkEvents: the oldest unsettled event holds the cursor back', () => {
  it('keeps the oldest of several unsettled events, not the latest, so none is skipped', async () => {
    const t = walk([
      event('evt_old_fail', NOW_S - 300),
      event('evt_ok', NOW_S - 200),
      event('evt_new_busy', NOW_S - 100),
    ]);
    t.pipeline.behaviour.set('evt_old_fail', 'fail');
    t.pipeline.behaviour.set('evt_new_busy', 'busy');
    const { progress } = await t.walked();

    // Had the later one held the cursor, the next run would start after the failed event
    // and never look at it again.
    expect(progress).toMatchObject({ oldestUnsettled: NOW_S - 300, newestSettled: NOW_S - 200 });
  });
});

describe('walkEvents: when it stops', () => {
  const failing = (count: number, from: number) =>
    Array.from({ length: count }, (_, i) =>
      event(`evt_${String(from + i)}`, NOW_S - 1000 + from + i),
    );

  it(`stops after ${String(MAX_CONSECUTIVE_FAILURES)} failures in a row, and says so`, async () => {
    const events = failing(MAX_CONSECUTIVE_FAILURES + 2, 0);
    const t = walk(events);
    for (const e of events) t.pipeline.behaviour.set(e.id, 'fail');
    const { complete } = await t.walked();

    expect(complete).toBe(false);
    expect(t.tally.counts.scanned).toBe(MAX_CONSECUTIVE_FAILURES);
    expect(t.linesSaying(ALL_FAILED)).toEqual([
      expect.objectContaining({ level: 'ERROR', failuresInARow: MAX_CONSECUTIVE_FAILURES }),
    ]);
  });

  it('counts failures in a row again from zero after any event that did not fail', async () => {
    // Four failures, one success, four failures, then as many successes: never five in a row.
    const events = failing(4 + 1 + 4 + MAX_CONSECUTIVE_FAILURES, 0);
    const t = walk(events);
    events.slice(0, 4).forEach((e) => t.pipeline.behaviour.set(e.id, 'fail'));
    events.slice(5, 9).forEach((e) => t.pipeline.behaviour.set(e.id, 'fail'));
    const { complete } = await t.walked();

    expect(complete).toBe(true);
    expect(t.tally.counts).toMatchObject({ scanned: events.length, failed: 8 });
    expect(t.linesSaying(ALL_FAILED)).toEqual([]);
  });

  it('goes on with exactly the reserve left, and stops, saying so, with less', async () => {
    const exactly = walk([event('evt_a', NOW_S - 100)], { remainingMs: () => RESERVE_MS });
    expect((await exactly.walked()).complete).toBe(true);
    expect(exactly.tally.counts.scanned).toBe(1);

    const short = walk([event('evt_a', NOW_S - 100)], { remainingMs: () => RESERVE_MS - 1 });
    expect(await short.walked()).toEqual({
      complete: false,
      progress: {},
      stoppedBy: 'out_of_time',
    });
    expect(short.source.windows).toEqual([]);
    expect(short.linesSaying(OUT_OF_TIME)).toEqual([expect.objectContaining({ level: 'WARN' })]);
  });

  it('out of time within a chunk, names the event it stopped at and keeps the oldest unsettled', async () => {
    const t = walk(
      [
        event('evt_busy', NOW_S - 300),
        event('evt_ok', NOW_S - 200),
        event('evt_late', NOW_S - 100),
      ],
      { remainingMs: (results) => (results.length < 2 ? 60_000 : RESERVE_MS - 1) },
    );
    t.pipeline.behaviour.set('evt_busy', 'busy');
    const { complete, progress } = await t.walked();

    expect(complete).toBe(false);
    // The event in progress is older than the one not reached: the cursor stays below it.
    expect(progress).toEqual({
      newestSettled: NOW_S - 200,
      oldestUnsettled: NOW_S - 300,
      walkedTo: undefined,
    });
    expect(t.linesSaying(OUT_OF_TIME)).toEqual([
      expect.objectContaining({ level: 'WARN', stripeEventId: 'evt_late' }),
    ]);
  });
});

describe("walkEvents: when Stripe's rate limits outlast the backoff", () => {
  const RATE_LIMITED =
    "Reconciliation stopped: Stripe's rate limits outlasted the backoff; the next run continues from here";
  const refused = () =>
    stripeFailure({ operation: 'events.list', type: 'StripeRateLimitError', code: 'rate_limit' });

  it('stops where the listing was refused: after the events it took, from the last listed second on', async () => {
    const t = walk([event('evt_a', NOW_S - 300), event('evt_b', NOW_S - 200)]);
    t.source.refuseAfter = 2;
    t.source.refusal = refused();
    expect(await t.walked()).toMatchObject({
      complete: false,
      stoppedBy: 'rate_limited',
      progress: { newestSettled: NOW_S - 200, listedBefore: NOW_S - 200 },
    });
    expect(t.results.map((r) => r.eventId)).toEqual(['evt_a', 'evt_b']);
    expect(t.linesSaying(RATE_LIMITED)).toEqual([
      expect.objectContaining({
        level: 'WARN',
        error: expect.objectContaining({ name: 'HttpError' }) as unknown,
      }),
    ]);
  });

  it('stops at the start of the chunk when its first page is refused, keeping the chunks before it', async () => {
    const t = walk([], { window: { from: NOW_S - 3 * CHUNK_SECONDS, to: NOW_S } });
    t.source.refuseAfter = 0;
    t.source.refuseFromWindow = 2;
    t.source.refusal = refused();
    const chunkStart = NOW_S - 3 * CHUNK_SECONDS + CHUNK_SECONDS;
    expect(await t.walked()).toMatchObject({
      complete: false,
      stoppedBy: 'rate_limited',
      progress: { walkedTo: chunkStart - 1, listedBefore: chunkStart },
    });
  });

  it('lets any other listing failure through: the run fails as before', async () => {
    const t = walk([event('evt_a', NOW_S - 300)]);
    t.source.refuseAfter = 0;
    t.source.refusal = stripeFailure({ operation: 'events.list', type: 'StripeAPIError' });
    await expect(t.walked()).rejects.toThrow('Stripe could not complete the request');
  });
});

describe('walkEvents: the time a chunk settles', () => {
  const FROM = NOW_S - 2 * CHUNK_SECONDS;

  it('settles a quiet chunk that ended more than an overlap before the window’s end', async () => {
    const t = walk([], { window: { from: FROM, to: FROM + CHUNK_SECONDS + OVERLAP } });
    const { progress } = await t.walked();
    expect(progress.walkedTo).toBe(FROM + CHUNK_SECONDS - 1);
  });

  it('does not settle one that ended exactly an overlap before: an event can still be on its way', async () => {
    const t = walk([], { window: { from: FROM, to: FROM + CHUNK_SECONDS - 1 + OVERLAP } });
    const { progress } = await t.walked();
    expect(progress.walkedTo).toBeUndefined();
  });
});
