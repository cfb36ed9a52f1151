import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import { EventInProgressError } from '../../../../../lambda/domain/event-ledger';
import { METRICS } from '../../../../../lambda/domain/metrics';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import type { ThinEventNotification } from '../../../../../lambda/domain/thin-event';
import type { IncomingStripePayload } from '../../../../../lambda/stripe-events/intake';
import {
  type StripeEventIntake,
  takeStripeEvent,
} from '../../../../../lambda/stripe-events/use-cases/take-stripe-event';
import { localContext } from '../../../../../local/http-adapter';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { CapturingLogger } from '../../../../support/log-capture';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import { FakePipeline } from '../../../../support/fake-pipeline';
import { snapshotOf, thinNotification } from '../../../../support/thin-events';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';

/** The shared way in, over a scripted pipeline, a resolver of known events and a parking. */
function setup(known: readonly Stripe.Event[] = []) {
  const pipeline = new FakePipeline('payment.successful');
  const parked = new FakeParkedEventStore();
  const metrics = new RecordingMetrics();
  const intake: StripeEventIntake = {
    process: pipeline.process,
    thinEvents: {
      resolver: {
        resolve: (notification) =>
          Promise.resolve(known.find((event) => event.id === notification.snapshot_event)),
      },
      parked,
      admission: TEST_MODE_ADMISSION,
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    now: () => new Date('2026-01-02T03:04:05Z'),
  };
  return { pipeline, parked, metrics, intake };
}

const snapshot = (event: Stripe.Event): { payload: IncomingStripePayload; body: Buffer } => ({
  payload: { kind: 'snapshot', event },
  body: Buffer.from(`signed bytes of ${event.id}`),
});

const thin = (notification: ThinEventNotification) => ({
  payload: { kind: 'thin', notification } as const,
  body: Buffer.from(JSON.stringify(notification)),
});

const context = (remainingMs = 60_000) => localContext('take-stripe-event-test', remainingMs);

describe('takeStripeEvent', () => {
  it('publishes a handled event once, keeping the bytes it came as', async () => {
    const { pipeline, intake } = setup();
    const event = snapshotOf('evt_one');
    const outcome = await takeStripeEvent(intake, snapshot(event), { context: context() });
    expect(outcome).toEqual({
      status: 'published',
      stripeEventId: 'evt_one',
      stripeEventType: 'payment_intent.succeeded',
      recorded: { billingEventId: 'evt_one:payment.successful' },
    });
    expect(pipeline.processed[0]?.rawBody.toString()).toBe('signed bytes of evt_one');
  });

  it('answers a second delivery duplicate, with what the first one recorded', async () => {
    const { pipeline, intake } = setup();
    const event = snapshotOf('evt_parked');
    pipeline.behaviour.set('evt_parked', 'park');
    await takeStripeEvent(intake, snapshot(event), { context: context() });
    const again = await takeStripeEvent(intake, snapshot(event), { context: context() });
    expect(again).toMatchObject({
      status: 'duplicate',
      recorded: { billingEventId: null, parked: true },
    });
    expect(pipeline.processed).toHaveLength(1);
  });

  it.each([
    ['park', 'parked'],
    ['supersede', 'superseded'],
    ['ignore', 'nothing_to_publish'],
  ] as const)('reports a pipeline that chose to %s as %s', async (behaviour, status) => {
    const { pipeline, intake } = setup();
    pipeline.behaviour.set('evt_x', behaviour);
    const outcome = await takeStripeEvent(intake, snapshot(snapshotOf('evt_x')), {
      context: context(),
    });
    expect(outcome.status).toBe(status);
  });

  it('leaves a type the service does not handle alone: nothing processed', async () => {
    const { pipeline, intake } = setup();
    const event = { ...snapshotOf('evt_cust'), type: 'customer.created' } as Stripe.Event;
    const outcome = await takeStripeEvent(intake, snapshot(event), { context: context() });
    expect(outcome).toEqual({
      status: 'not_handled',
      stripeEventId: 'evt_cust',
      stripeEventType: 'customer.created',
    });
    expect(pipeline.calls).toEqual([]);
  });

  it('logs the type it leaves alone, with the event it came in', async () => {
    const { intake } = setup();
    const logger = new CapturingLogger();
    const event = { ...snapshotOf('evt_cust'), type: 'customer.created' } as Stripe.Event;
    await takeStripeEvent({ ...intake, logger }, snapshot(event), { context: context() });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Stripe event type not handled; nothing to do',
        stripeEventId: 'evt_cust',
        stripeEventType: 'customer.created',
      }),
    ]);
  });

  it('resolves a thin notification to its event, keyed by the event id, its body the JSON', async () => {
    const { pipeline, metrics, intake } = setup([snapshotOf('evt_snap')]);
    const outcome = await takeStripeEvent(
      intake,
      thin(thinNotification({ snapshot_event: 'evt_snap' })),
      { context: context() },
    );
    expect(outcome).toMatchObject({ status: 'published', stripeEventId: 'evt_snap' });
    expect(JSON.parse(pipeline.processed[0]?.rawBody.toString() ?? '')).toEqual(
      snapshotOf('evt_snap'),
    );
    expect(metrics.totals()).toEqual({ [METRICS.thinEventsResolved]: 1 });
  });

  it('parks a thin notification whose event Stripe does not have, under its own id', async () => {
    const { pipeline, parked, metrics, intake } = setup();
    const notification = thinNotification({ snapshot_event: 'evt_gone' });
    const outcome = await takeStripeEvent(intake, thin(notification), { context: context() });
    expect(outcome).toEqual({
      status: 'unresolved',
      stripeEventId: notification.id,
      stripeEventType: notification.type,
    });
    expect(parked.parked.get(notification.id)?.reason).toMatch(/Stripe has no event/);
    expect(pipeline.calls).toEqual([]);
    expect(metrics.totals()).toEqual({ [METRICS.eventsParked]: 1 });
  });

  it('does not fetch a thin notification of a type the service does not handle', async () => {
    const { intake } = setup();
    const notification = thinNotification({ type: 'v2.core.account.updated' });
    const outcome = await takeStripeEvent(intake, thin(notification), { context: context() });
    expect(outcome).toMatchObject({
      status: 'not_handled',
      stripeEventId: notification.snapshot_event,
    });
  });

  it('fails a thin notification where thin events are not wired (a transient fault)', async () => {
    const { intake } = setup();
    const { thinEvents: _, ...withoutThin } = intake;
    await expect(
      takeStripeEvent(withoutThin, thin(thinNotification()), { context: context() }),
    ).rejects.toThrow(/not configured/);
  });

  it('answers busy at once when no pauses are given, with the error that says why', async () => {
    const { pipeline, intake } = setup();
    pipeline.failures.push(new SubscriptionBusyError('sub_1'));
    const outcome = await takeStripeEvent(intake, snapshot(snapshotOf('evt_b')), {
      context: context(),
    });
    expect(outcome).toMatchObject({ status: 'busy' });
    expect(outcome.status === 'busy' && outcome.error.code).toBe('subscription_busy');
    expect(pipeline.calls).toHaveLength(1);
  });

  it('tries a busy event again after each pause, and takes it once it is free', async () => {
    const { pipeline, intake } = setup();
    pipeline.failures.push(new EventInProgressError('evt_w'), new EventInProgressError('evt_w'));
    const outcome = await takeStripeEvent(intake, snapshot(snapshotOf('evt_w')), {
      context: context(),
      busyRetryDelaysMs: [0, 0, 0],
    });
    expect(outcome.status).toBe('published');
    expect(pipeline.calls).toHaveLength(3);
  });

  it('logs each pause it takes for a busy event, and how long', async () => {
    const { pipeline, intake } = setup();
    const logger = new CapturingLogger();
    pipeline.failures.push(new EventInProgressError('evt_w'));
    await takeStripeEvent({ ...intake, logger }, snapshot(snapshotOf('evt_w')), {
      context: context(),
      busyRetryDelaysMs: [0],
    });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Stripe event busy elsewhere; trying again shortly',
        stripeEventId: 'evt_w',
        delayMs: 0,
      }),
    ]);
  });

  it.each([
    [10_000, 'published', 2],
    [9_999, 'busy', 1],
  ])(
    'with %i ms of the invocation left, a busy event is %s: a pause must leave 10 s',
    async (remainingMs, status, calls) => {
      const { pipeline, intake } = setup();
      pipeline.failures.push(new EventInProgressError('evt_edge'));
      const outcome = await takeStripeEvent(intake, snapshot(snapshotOf('evt_edge')), {
        context: { ...context(), getRemainingTimeInMillis: () => remainingMs },
        busyRetryDelaysMs: [0],
      });
      expect(outcome.status).toBe(status);
      expect(pipeline.calls).toHaveLength(calls);
    },
  );

  it('takes no pause the invocation has no time left for', async () => {
    const { pipeline, intake } = setup();
    pipeline.failures.push(new EventInProgressError('evt_late'));
    const outcome = await takeStripeEvent(intake, snapshot(snapshotOf('evt_late')), {
      context: context(5_000),
      busyRetryDelaysMs: [0],
    });
    expect(outcome).toMatchObject({ status: 'busy' });
    expect(pipeline.calls).toHaveLength(1);
  });

  it('throws a transient failure for the way in to retry', async () => {
    const { pipeline, intake } = setup();
    pipeline.failures.push(new Error('SNS unavailable'));
    await expect(
      takeStripeEvent(intake, snapshot(snapshotOf('evt_f')), {
        context: context(),
        busyRetryDelaysMs: [0],
      }),
    ).rejects.toThrow('SNS unavailable');
  });
});
