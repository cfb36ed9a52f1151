import { Logger } from '@aws-lambda-powertools/logger';
import Stripe from 'stripe';
import { stripeFailure } from '../../../../../lambda/core/errors';
import { METRICS, type MetricName } from '../../../../../lambda/domain/metrics';
import type {
  ReconciliationState,
  ReconciliationStateStore,
} from '../../../../../lambda/domain/reconciliation';
import type {
  EventWindow,
  StripeEventSource,
} from '../../../../../lambda/domain/stripe-event-source';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../../lambda/stripe-events/billing-event-mapping';
import {
  reconcile,
  type ReconcileDependencies,
} from '../../../../../lambda/reconcile/use-cases/reconcile-events';
import { localContext } from '../../../../../local/http-adapter';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import type {
  ForgetParkedResult,
  ParkedOutcomeLedger,
} from '../../../../../lambda/domain/event-ledger';
import { overlapSecondsFor } from '../../../../../lambda/reconcile/use-cases/reconcile-window';
import {
  replayEvent,
  UnknownEventError,
} from '../../../../../lambda/reconcile/use-cases/replay-event';
import { MAX_CONSECUTIVE_FAILURES } from '../../../../../lambda/reconcile/use-cases/walk-events';
import { FakePipeline } from '../../../../support/fake-pipeline';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import {
  FakeSubscriptionSource,
  InMemorySubscriptionOrder,
} from '../../../../support/fake-subscription-order';
import { DEFAULT_ACCESS_POLICY } from '../../../../../lambda/domain/access';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const DAY = 24 * 3600;
const OVERLAP = 900;

const event = (id: string, created: number, type = 'invoice.payment_succeeded'): Stripe.Event =>
  ({ id, object: 'event', type, created, data: { object: {} } }) as unknown as Stripe.Event;

/** Stripe's events in memory: the window filter and the oldest-first order of the port. */
class FakeSource implements StripeEventSource {
  readonly windows: EventWindow[] = [];
  failListing: Error | undefined;

  constructor(readonly events: Stripe.Event[] = []) {}

  async *eventsOldestFirst(window: EventWindow): AsyncGenerator<Stripe.Event> {
    this.windows.push(window);
    const matching = this.events
      .filter(
        (e) =>
          window.types.includes(e.type) &&
          e.created >= window.createdFrom &&
          e.created <= window.createdTo,
      )
      .sort((a, b) => a.created - b.created);
    for (const e of matching) {
      await Promise.resolve();
      yield e;
    }
    if (this.failListing) throw this.failListing;
  }

  retrieve(eventId: string): Promise<Stripe.Event | undefined> {
    return Promise.resolve(this.events.find((e) => e.id === eventId));
  }
}

class MemoryState implements ReconciliationStateStore {
  state: ReconciliationState | undefined;
  saves = 0;
  load = () => Promise.resolve(this.state);
  save = (state: ReconciliationState) => {
    if (this.state && this.state.runStartedAt > state.runStartedAt) return Promise.resolve(false);
    this.saves += 1;
    this.state = state;
    return Promise.resolve(true);
  };
}

class FakeLedger implements ParkedOutcomeLedger {
  readonly forgotten: string[] = [];
  constructor(private readonly pipeline: FakePipeline) {}
  forgetParkedOutcome(eventId: string): Promise<ForgetParkedResult> {
    const outcome = this.pipeline.ledger.get(eventId);
    if (!outcome) return Promise.resolve('absent');
    if (outcome.parked !== true) return Promise.resolve('not-parked');
    this.pipeline.ledger.delete(eventId);
    this.forgotten.push(eventId);
    return Promise.resolve('forgotten');
  }
}

function setup(events: Stripe.Event[] = []) {
  const source = new FakeSource(events);
  const pipeline = new FakePipeline('invoice.paid');
  const state = new MemoryState();
  const parked = new FakeParkedEventStore();
  const ledger = new FakeLedger(pipeline);
  const counted: [MetricName, number][] = [];
  const deps: ReconcileDependencies = {
    source,
    process: (delivery) => pipeline.process(delivery),
    state,
    parked,
    admission: TEST_MODE_ADMISSION,
    stateCheck: {
      order: new InMemorySubscriptionOrder(),
      subscriptions: new FakeSubscriptionSource(),
      customers: { userIdForStripeCustomer: () => Promise.resolve(undefined) },
      publisher: { publish: () => Promise.reject(new Error('nothing to correct in these tests')) },
      accessPolicy: DEFAULT_ACCESS_POLICY,
      logger: new Logger({ logLevel: 'SILENT' }),
    },
    ledger,
    // Stripe's snapshot event by the id the notification names (the adapter does the same).
    resolver: { resolve: (thin) => source.retrieve(thin.snapshot_event ?? thin.id) },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: { count: (name, value = 1) => counted.push([name, value]) },
    now: () => NOW,
  };
  const total = (name: MetricName) =>
    counted.filter(([n]) => n === name).reduce((sum, [, v]) => sum + v, 0);
  const emitted = (name: MetricName) => counted.some(([n]) => n === name);
  return { deps, source, pipeline, state, parked, ledger, total, emitted };
}

const run = (deps: ReconcileDependencies, extra: { since?: Date; reserveMs?: number } = {}) =>
  reconcile(deps, { overlapSeconds: OVERLAP, context: localContext('test', 60_000), ...extra });

describe('the overlap', () => {
  it('is one interval, never under ten minutes', () => {
    expect(overlapSecondsFor(15)).toBe(900);
    expect(overlapSecondsFor(60)).toBe(3600);
    expect(overlapSecondsFor(1)).toBe(600);
  });
});

describe('a reconciliation run', () => {
  it("walks the handled types from Stripe's retention limit on its first run, oldest first, and saves the newest created as the cursor", async () => {
    const t = setup([
      event('evt_new', NOW_S - 60),
      event('evt_old', NOW_S - 3 * DAY),
      event('evt_mid', NOW_S - DAY),
    ]);
    const seen: string[] = [];
    const report = await reconcile(t.deps, {
      overlapSeconds: OVERLAP,
      context: localContext('test'),
      onEvent: (result) => seen.push(result.eventId),
    });

    // A day at a time, oldest first, from 30 days back to now, without gaps.
    const windows = t.source.windows;
    expect(windows[0]).toEqual({
      types: HANDLED_STRIPE_EVENT_TYPES,
      createdFrom: NOW_S - 30 * DAY,
      createdTo: NOW_S - 29 * DAY - 1,
    });
    expect(windows.at(-1)?.createdTo).toBe(NOW_S);
    windows.slice(1).forEach((w, i) => {
      expect(w.createdFrom).toBe((windows[i]?.createdTo ?? 0) + 1);
    });
    expect(seen).toEqual(['evt_old', 'evt_mid', 'evt_new']);
    // Each delivery's raw body is the event's JSON, as the webhook's would be.
    expect(t.pipeline.calls.map((c) => JSON.parse(c.rawBody.toString('utf8')) as unknown)).toEqual(
      t.pipeline.calls.map((c) => c.event),
    );
    expect(report).toMatchObject({
      succeeded: true,
      complete: true,
      counts: { scanned: 3, published: 3, alreadyProcessed: 0, failed: 0 },
      recovered: ['evt_old', 'evt_mid', 'evt_new'],
      cursor: { saved: new Date((NOW_S - 60) * 1000).toISOString() },
    });
    expect(report.cursor.previous).toBeUndefined();
    expect(t.state.state).toMatchObject({
      name: 'stripe-events',
      cursor: NOW_S - 60,
      runStartedAt: NOW.toISOString(),
      counts: { scanned: 3, published: 3 },
    });
    expect(t.total(METRICS.eventsRecovered)).toBe(3);
    expect(t.total(METRICS.reconciliationRuns)).toBe(1);
    expect(t.total(METRICS.reconciliationFailures)).toBe(0);
  });

  it('starts one overlap before the saved cursor, and finds the overlap already processed', async () => {
    const t = setup([event('evt_a', NOW_S - 2000), event('evt_b', NOW_S - 500)]);
    await run(t.deps);
    t.source.events.push(event('evt_c', NOW_S - 100));

    t.source.windows.length = 0;
    const second = await run(t.deps);
    expect(t.source.windows).toEqual([
      expect.objectContaining({ createdFrom: NOW_S - 500 - OVERLAP, createdTo: NOW_S }),
    ]);
    // evt_a lies before the overlap: not looked at again.
    expect(second.counts).toMatchObject({ scanned: 2, alreadyProcessed: 1, published: 1 });
    expect(second.recovered).toEqual(['evt_c']);
    expect(t.state.state?.cursor).toBe(NOW_S - 100);

    const third = await run(t.deps);
    expect(third.counts).toMatchObject({ scanned: 2, alreadyProcessed: 2, published: 0 });
  });

  it('counts parked, superseded and ignored outcomes, and only published ones as recovered', async () => {
    const t = setup([
      event('evt_1', NOW_S - 40),
      event('evt_2', NOW_S - 30),
      event('evt_3', NOW_S - 20),
      event('evt_4', NOW_S - 10),
    ]);
    t.pipeline.behaviour.set('evt_1', 'park');
    t.pipeline.behaviour.set('evt_2', 'supersede');
    t.pipeline.behaviour.set('evt_3', 'ignore');
    const report = await run(t.deps);
    expect(report.counts).toMatchObject({
      scanned: 4,
      parked: 1,
      superseded: 1,
      ignored: 1,
      published: 1,
    });
    expect(report.parked).toEqual(['evt_1']);
    expect(report.recovered).toEqual(['evt_4']);
    expect(t.total(METRICS.eventsRecovered)).toBe(1);
  });

  it('keeps the cursor below an event another way in holds in progress, and succeeds', async () => {
    const t = setup([
      event('evt_a', NOW_S - 300),
      event('evt_busy', NOW_S - 200),
      event('evt_c', NOW_S - 100),
    ]);
    t.pipeline.behaviour.set('evt_busy', 'busy');
    const report = await run(t.deps);
    expect(report.succeeded).toBe(true);
    expect(report.counts).toMatchObject({ scanned: 3, published: 2, inProgress: 1 });
    expect(report.inProgress).toEqual(['evt_busy']);
    expect(t.state.state?.cursor).toBe(NOW_S - 201);

    // The next run looks at it again (the webhook finished it meanwhile: a no-op).
    t.pipeline.behaviour.delete('evt_busy');
    t.pipeline.ledger.set('evt_busy', { billingEventId: 'evt_busy:invoice.paid' });
    t.source.windows.length = 0;
    const next = await run(t.deps);
    expect(t.source.windows[0]?.createdFrom).toBe(NOW_S - 201 - OVERLAP);
    expect(next.counts).toMatchObject({ alreadyProcessed: 3, inProgress: 0 });
    expect(t.state.state?.cursor).toBe(NOW_S - 100);
  });

  it('treats the ordering lease of a subscription (SubscriptionBusyError) as in progress', async () => {
    const t = setup([event('evt_a', NOW_S - 10)]);
    t.deps = {
      ...t.deps,
      process: () => Promise.reject(new SubscriptionBusyError('sub_1')),
    };
    const report = await run(t.deps);
    expect(report.counts).toMatchObject({ inProgress: 1, failed: 0 });
    expect(report.succeeded).toBe(true);
  });

  it('leaves the cursor where it was when an event fails, and counts a failure', async () => {
    const t = setup([event('evt_a', NOW_S - 300), event('evt_b', NOW_S - 200)]);
    t.state.state = {
      name: 'stripe-events',
      cursor: NOW_S - 400,
      runStartedAt: '2026-11-23T11:00:00.000Z',
      lastRunAt: '2026-11-23T11:00:01.000Z',
      window: { from: '', to: '' },
      counts: { ...(await run(setup().deps)).counts },
    };
    t.pipeline.behaviour.set('evt_b', 'fail');
    const report = await run(t.deps);
    expect(report.succeeded).toBe(false);
    expect(report.counts).toMatchObject({ scanned: 2, published: 1, failed: 1 });
    expect(report.failures).toEqual([
      { eventId: 'evt_b', error: 'SNS Publish failed: SNS is down' },
    ]);
    expect(report.cursor).toEqual({
      previous: new Date((NOW_S - 400) * 1000).toISOString(),
      notSaved: expect.stringContaining('failures') as unknown,
    });
    expect(t.state.state.cursor).toBe(NOW_S - 400);
    expect(t.total(METRICS.reconciliationFailures)).toBe(1);
    expect(t.emitted(METRICS.reconciliationRuns)).toBe(false);
    expect(t.total(METRICS.eventsRecovered)).toBe(1);
  });

  it(`stops after ${MAX_CONSECUTIVE_FAILURES} failures in a row: a dependency is down`, async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(`evt_${i}`, NOW_S - 100 + i));
    const t = setup(events);
    for (const e of events) t.pipeline.behaviour.set(e.id, 'fail');
    const report = await run(t.deps);
    expect(report.counts.scanned).toBe(MAX_CONSECUTIVE_FAILURES);
    expect(report).toMatchObject({ succeeded: false, complete: false });
    expect(t.state.saves).toBe(0);
  });

  it('fails as a whole when Stripe cannot be listed, saving nothing', async () => {
    const t = setup([event('evt_a', NOW_S - 10)]);
    t.source.failListing = new Error('Stripe is down');
    const report = await run(t.deps);
    expect(report).toMatchObject({ succeeded: false, error: 'Error: Stripe is down' });
    expect(t.state.saves).toBe(0);
    expect(t.total(METRICS.reconciliationFailures)).toBe(1);
  });

  describe("when Stripe's rate limits outlast the backoff (issue 21)", () => {
    /** The listing's refusal, as the event source hands it on (`asServiceError`). */
    const listingRefused = () =>
      stripeFailure({ operation: 'events.list', type: 'StripeRateLimitError', code: 'rate_limit' });
    /** A refusal inside the pipeline, as the subscription source tags the SDK's error. */
    const callRefused = () =>
      Object.assign(
        new Stripe.errors.StripeRateLimitError({
          type: 'invalid_request_error',
          code: 'rate_limit',
          message: 'Request rate limit exceeded.',
        }),
        { dependency: 'Stripe', operation: 'subscriptions.retrieve' },
      );
    const previousState = async () => ({
      name: 'stripe-events',
      cursor: NOW_S - 400,
      runStartedAt: '2026-11-23T11:00:00.000Z',
      lastRunAt: '2026-11-23T11:00:01.000Z',
      window: { from: '', to: '' },
      counts: { ...(await run(setup().deps)).counts },
    });

    it('stops at a refused page: keeps what it took, saves the cursor below the last listed second, counts StripeRateLimited, succeeds', async () => {
      const t = setup([event('evt_a', NOW_S - 300), event('evt_b', NOW_S - 200)]);
      t.state.state = await previousState();
      t.source.failListing = listingRefused();
      const report = await run(t.deps);
      expect(report).toMatchObject({
        succeeded: true,
        complete: false,
        stoppedBy: 'rate_limited',
        recovered: ['evt_a', 'evt_b'],
        failures: [],
      });
      expect(report.error).toBeUndefined();
      expect(t.state.state.cursor).toBe(NOW_S - 201);
      expect(t.total(METRICS.stripeRateLimited)).toBe(1);
      expect(t.total(METRICS.reconciliationRuns)).toBe(1);
      expect(t.emitted(METRICS.reconciliationFailures)).toBe(true);
      expect(t.total(METRICS.reconciliationFailures)).toBe(0);

      // The next run resumes: the overlap looks at both again (already processed).
      t.source.failListing = undefined;
      const next = await run(t.deps);
      expect(next).toMatchObject({ complete: true, recovered: [] });
      expect(next.counts).toMatchObject({ alreadyProcessed: 2 });
    });

    it('stops at an event whose Stripe call stayed refused: not a failure, the cursor just below it; the next run takes it', async () => {
      const t = setup([event('evt_a', NOW_S - 300), event('evt_b', NOW_S - 200)]);
      t.state.state = await previousState();
      t.pipeline.failures.push(callRefused());
      const report = await run(t.deps);
      expect(report).toMatchObject({
        succeeded: true,
        complete: false,
        stoppedBy: 'rate_limited',
        failures: [],
      });
      expect(report.counts).toMatchObject({ scanned: 0, failed: 0 });
      expect(t.state.state.cursor).toBe(NOW_S - 301);
      expect(t.total(METRICS.stripeRateLimited)).toBe(1);

      const next = await run(t.deps);
      expect(next).toMatchObject({ complete: true, recovered: ['evt_a', 'evt_b'] });
      expect(t.total(METRICS.stripeRateLimited)).toBe(1);
    });

    it('still fails as a whole on any other listing failure', async () => {
      const t = setup([event('evt_a', NOW_S - 10)]);
      t.source.failListing = stripeFailure({ operation: 'events.list', type: 'StripeAPIError' });
      const report = await run(t.deps);
      expect(report).toMatchObject({ succeeded: false });
      expect(report.stoppedBy).toBeUndefined();
      expect(t.emitted(METRICS.stripeRateLimited)).toBe(false);
    });
  });

  it('stops in time when the invocation runs short, saving how far it got', async () => {
    const t = setup([
      event('evt_a', NOW_S - 300),
      event('evt_b', NOW_S - 200),
      event('evt_c', NOW_S - 100),
    ]);
    let remaining = 60_000;
    const context = { ...localContext('test'), getRemainingTimeInMillis: () => remaining };
    const report = await reconcile(t.deps, {
      overlapSeconds: OVERLAP,
      context,
      reserveMs: 10_000,
      onEvent: (result) => {
        if (result.eventId === 'evt_a') remaining = 5_000;
      },
    });
    expect(report).toMatchObject({ succeeded: true, complete: false });
    expect(report.counts.scanned).toBe(1);
    expect(t.state.state?.cursor).toBe(NOW_S - 201);
    expect(t.total(METRICS.reconciliationRuns)).toBe(1);
  });

  it('crosses a long backlog a day at a time, keeping the progress when it runs out of time', async () => {
    const t = setup([event('evt_old', NOW_S - 20 * DAY), event('evt_new', NOW_S - 100)]);
    const context = {
      ...localContext('test'),
      // Time for three chunks, then out of time.
      getRemainingTimeInMillis: () => (t.source.windows.length < 3 ? 60_000 : 1_000),
    };
    const report = await reconcile(t.deps, { overlapSeconds: OVERLAP, context, reserveMs: 5_000 });
    expect(report).toMatchObject({ succeeded: true, complete: false });
    expect(t.source.windows).toHaveLength(3);
    // No event in those three days, and still the cursor moved to their end.
    expect(t.state.state?.cursor).toBe(NOW_S - 27 * DAY - 1);
    expect(report.counts.scanned).toBe(0);

    // The next runs continue from there (minus the overlap) and reach the events.
    t.source.windows.length = 0;
    const next = await run(t.deps);
    expect(t.source.windows[0]?.createdFrom).toBe(NOW_S - 27 * DAY - 1 - OVERLAP);
    expect(next).toMatchObject({ complete: true, recovered: ['evt_old', 'evt_new'] });
  });

  it("bounds --since by Stripe's retention", async () => {
    const t = setup();
    const report = await run(t.deps, { since: new Date(NOW.getTime() - 40 * DAY * 1000) });
    expect(report.clampedToRetention).toBe(true);
    expect(t.source.windows[0]?.createdFrom).toBe(NOW_S - 30 * DAY);
  });

  it('moves the cursor for --since only when the window covers the scheduled one (or there is none)', async () => {
    const t = setup([event('evt_a', NOW_S - 50)]);
    // No cursor yet: the operator chooses where the scheduled runs start.
    const first = await run(t.deps, { since: new Date(NOW.getTime() - 3_600_000) });
    expect(first.cursor.saved).toBeDefined();
    expect(t.state.state?.cursor).toBe(NOW_S - 50);

    t.source.events.push(event('evt_b', NOW_S - 20));
    // A window that begins after the scheduled one would skip what lies between.
    const narrow = await run(t.deps, { since: new Date(NOW.getTime() - 30_000) });
    expect(narrow.counts.published).toBe(1);
    expect(narrow.cursor.notSaved).toMatch(/--since/);
    expect(t.state.state?.cursor).toBe(NOW_S - 50);

    // One that begins earlier covers it.
    const wide = await run(t.deps, { since: new Date(NOW.getTime() - 7_200_000) });
    expect(wide.cursor.saved).toBe(new Date((NOW_S - 20) * 1000).toISOString());
  });

  it('does not overwrite the cursor of a run that started later', async () => {
    const t = setup([event('evt_a', NOW_S - 50)]);
    t.state.state = {
      name: 'stripe-events',
      cursor: NOW_S - 5,
      runStartedAt: new Date(NOW.getTime() + 1000).toISOString(),
      lastRunAt: new Date(NOW.getTime() + 2000).toISOString(),
      window: { from: '', to: '' },
      counts: (await run(setup().deps)).counts,
    };
    const report = await run(t.deps);
    expect(report.cursor.notSaved).toMatch(/started later/);
    expect(t.state.state.cursor).toBe(NOW_S - 5);
  });
});

describe('replaying one event', () => {
  const context = localContext('test');

  it("forgets a parked event's ledger record, publishes it, and unparks it", async () => {
    const t = setup([event('evt_p', NOW_S - 100)]);
    t.pipeline.behaviour.set('evt_p', 'park');
    await run(t.deps);
    await t.parked.park({
      eventId: 'evt_p',
      type: 'invoice.payment_succeeded',
      reason: 'broken',
      parkedAt: NOW.toISOString(),
      rawBody: Buffer.from('{}'),
    });
    // The fix.
    t.pipeline.behaviour.set('evt_p', 'publish');

    const report = await replayEvent(t.deps, 'evt_p', { context });
    expect(t.ledger.forgotten).toEqual(['evt_p']);
    expect(report).toMatchObject({
      disposition: 'published',
      billingEventId: 'evt_p:invoice.paid',
      wasParked: true,
      unparked: true,
      source: 'stripe',
      counts: { scanned: 1, published: 1 },
    });
    expect(t.parked.parked.has('evt_p')).toBe(false);
    expect(t.total(METRICS.eventsRecovered)).toBe(1);

    // Again: it is processed now, nothing more happens.
    const again = await replayEvent(t.deps, 'evt_p', { context });
    expect(again).toMatchObject({ disposition: 'already_processed', unparked: false });
  });

  it('keeps a parked event parked, with the new reason, when it parks again', async () => {
    const t = setup([event('evt_p', NOW_S - 100)]);
    t.pipeline.behaviour.set('evt_p', 'park');
    await run(t.deps);
    await t.parked.park({
      eventId: 'evt_p',
      type: 'invoice.payment_succeeded',
      reason: 'still broken',
      parkedAt: NOW.toISOString(),
      rawBody: Buffer.from('{}'),
    });
    const report = await replayEvent(t.deps, 'evt_p', { context });
    expect(report).toMatchObject({
      disposition: 'parked',
      unparked: false,
      parkedReason: 'still broken',
    });
    expect(t.parked.parked.has('evt_p')).toBe(true);
  });

  it('unparks a parked event that turns out superseded', async () => {
    const t = setup([event('evt_p', NOW_S - 100, 'customer.subscription.updated')]);
    t.pipeline.ledger.set('evt_p', { billingEventId: null, parked: true });
    await t.parked.park({
      eventId: 'evt_p',
      type: 'customer.subscription.updated',
      reason: 'broken',
      parkedAt: NOW.toISOString(),
      rawBody: Buffer.from('{}'),
    });
    t.pipeline.behaviour.set('evt_p', 'supersede');
    const report = await replayEvent(t.deps, 'evt_p', { context });
    expect(report).toMatchObject({ disposition: 'superseded', unparked: true });
  });

  it('never forgets the ledger record of an event that is not parked', async () => {
    const t = setup([event('evt_done', NOW_S - 100)]);
    await run(t.deps);
    const report = await replayEvent(t.deps, 'evt_done', { context });
    expect(report).toMatchObject({ disposition: 'already_processed', wasParked: false });
    expect(t.ledger.forgotten).toEqual([]);
  });

  it('publishes an event that was never delivered', async () => {
    const t = setup([event('evt_new', NOW_S - 100)]);
    const report = await replayEvent(t.deps, 'evt_new', { context });
    expect(report).toMatchObject({ disposition: 'published', wasParked: false, unparked: false });
  });

  it('resolves a parked thin notification again and publishes its event once Stripe has it', async () => {
    const t = setup();
    const thin = {
      object: 'v2.core.event',
      id: 'evt_thin_1',
      type: 'v1.invoice.payment_succeeded',
      created: NOW.toISOString(),
      livemode: false,
      snapshot_event: 'evt_snap',
    };
    await t.parked.park({
      eventId: thin.id,
      type: thin.type,
      reason: 'Stripe has no event for the thin notification',
      parkedAt: NOW.toISOString(),
      rawBody: Buffer.from(JSON.stringify(thin)),
    });
    // Stripe still has no event: it stays parked, said plainly, and nothing is processed.
    await expect(replayEvent(t.deps, thin.id, { context })).rejects.toThrow(
      /parked thin notification and Stripe still has no event/,
    );
    expect(t.parked.parked.has(thin.id)).toBe(true);

    t.source.events.push(event('evt_snap', NOW_S - 10));
    const report = await replayEvent(t.deps, thin.id, { context });
    expect(report).toMatchObject({
      disposition: 'published',
      billingEventId: 'evt_snap:invoice.paid',
      unparked: true,
      source: 'stripe',
    });
    expect(t.parked.parked.has(thin.id)).toBe(false);
  });

  it("falls back to the parked store's copy when Stripe no longer has the event", async () => {
    const t = setup();
    const body = JSON.stringify(event('evt_gone', NOW_S - 40 * DAY));
    await t.parked.park({
      eventId: 'evt_gone',
      type: 'invoice.payment_succeeded',
      reason: 'broken',
      parkedAt: NOW.toISOString(),
      rawBody: Buffer.from(body),
    });
    const report = await replayEvent(t.deps, 'evt_gone', { context });
    expect(report).toMatchObject({
      source: 'parked-store',
      disposition: 'published',
      unparked: true,
    });
    expect(t.pipeline.calls[0]?.rawBody.toString('utf8')).toBe(body);
  });

  it('fails clearly for an event Stripe does not have', async () => {
    const t = setup();
    await expect(replayEvent(t.deps, 'evt_nope', { context })).rejects.toThrow(UnknownEventError);
    await expect(replayEvent(t.deps, 'evt_nope', { context })).rejects.toThrow(
      'Stripe has no event evt_nope',
    );
  });

  it('does nothing with an event type the service does not handle', async () => {
    const t = setup([event('evt_x', NOW_S - 10, 'customer.created')]);
    const report = await replayEvent(t.deps, 'evt_x', { context });
    expect(report).toMatchObject({ disposition: 'ignored' });
    expect(t.pipeline.calls).toEqual([]);
  });

  it('says so when another way in holds the event', async () => {
    const t = setup([event('evt_busy', NOW_S - 10)]);
    t.pipeline.behaviour.set('evt_busy', 'busy');
    const report = await replayEvent(t.deps, 'evt_busy', { context });
    expect(report).toMatchObject({ disposition: 'in_progress', counts: { inProgress: 1 } });
  });
});

describe('the state check of a run', () => {
  const subscriptionEvent = (id: string, created: number, subscriptionId: string) =>
    ({
      id,
      object: 'event',
      type: 'customer.subscription.updated',
      created,
      data: { object: { id: subscriptionId } },
    }) as unknown as Stripe.Event;

  it('checks the subscriptions the window changed, after the cursor is saved, and reports it', async () => {
    const t = setup([
      subscriptionEvent('evt_1', NOW_S - 30, 'sub_a'),
      event('evt_2', NOW_S - 20),
      subscriptionEvent('evt_3', NOW_S - 10, 'sub_b'),
    ]);
    const asked: string[] = [];
    const order = t.deps.stateCheck.order;
    const deps: ReconcileDependencies = {
      ...t.deps,
      stateCheck: {
        ...t.deps.stateCheck,
        order: {
          ...order,
          published: (id) => {
            asked.push(id);
            return order.published(id);
          },
          claimCorrection: (id, lease) => order.claimCorrection(id, lease),
        },
      },
    };
    const report = await run(deps);
    expect(asked).toEqual(['sub_b', 'sub_a']);
    expect(report.stateCheck.counts).toMatchObject({ checked: 2, notPublished: 2, failed: 0 });
    expect(report.succeeded).toBe(true);
    expect(t.state.saves).toBe(1);
  });

  it('fails the run (alarmed) when a check fails, with the cursor already saved', async () => {
    const t = setup([subscriptionEvent('evt_1', NOW_S - 30, 'sub_a')]);
    const deps: ReconcileDependencies = {
      ...t.deps,
      stateCheck: {
        ...t.deps.stateCheck,
        order: {
          published: () => Promise.reject(new Error('DynamoDB down')),
          claimCorrection: (id, lease) => t.deps.stateCheck.order.claimCorrection(id, lease),
        },
      },
    };
    const report = await run(deps);
    expect(report.succeeded).toBe(false);
    expect(report.stateCheck.failures).toEqual([
      { subscriptionId: 'sub_a', error: 'Error: DynamoDB down' },
    ]);
    expect(t.state.state?.cursor).toBe(NOW_S - 30);
    expect(t.total(METRICS.reconciliationFailures)).toBe(1);
  });
});
