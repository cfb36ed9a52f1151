import type Stripe from 'stripe';
import type { ThinEventNotification } from '../../../../lambda/domain/thin-event';
import {
  classifyStripePayload,
  resolveOrParkThinEvent,
} from '../../../../lambda/stripe-events/intake';
import { FakeParkedEventStore } from '../../../support/fake-parked-events';
import { CapturingLogger } from '../../../support/log-capture';
import { snapshotOf, thinNotification } from '../../../support/thin-events';
import { TEST_MODE_ADMISSION } from '../../../support/event-admission';

describe('classifyStripePayload: thin notifications', () => {
  it('takes a notification with its id, type, time and mode', () => {
    const notification = thinNotification();
    expect(classifyStripePayload(notification)).toEqual({ kind: 'thin', notification });
  });

  it('takes a type up to Stripe’s 255-character limit, and refuses a longer one', () => {
    const type = (length: number) => `v1.${'x'.repeat(length - 3)}`;
    expect(classifyStripePayload(thinNotification({ type: type(255) }))?.kind).toBe('thin');
    expect(classifyStripePayload(thinNotification({ type: type(256) }))).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['absent', undefined],
  ])('takes a notification whose snapshot event is %s (a v2-only event)', (_, snapshot) => {
    const notification = thinNotification({ snapshot_event: snapshot });
    expect(classifyStripePayload(notification)).toEqual({ kind: 'thin', notification });
  });

  it('refuses a snapshot event that is not a Stripe event id', () => {
    expect(classifyStripePayload(thinNotification({ snapshot_event: 'pi_1' }))).toBeUndefined();
  });
});

describe('classifyStripePayload: snapshot events', () => {
  it('takes an event with its id, type, time and object', () => {
    const event = snapshotOf('evt_classified');
    expect(classifyStripePayload(event)).toEqual({ kind: 'snapshot', event });
  });

  it.each([
    ['a type that is not a string', { type: 42 }],
    ['a time that is not Unix seconds', { created: '2026-01-02T03:04:05Z' }],
    ['no object', { data: {} }],
  ])('refuses an event with %s', (_, changes) => {
    expect(classifyStripePayload({ ...snapshotOf('evt_bad'), ...changes })).toBeUndefined();
  });
});

/** A notification that Stripe has no event for, parked through `resolveOrParkThinEvent`. */
async function parkUnresolved(notification: ThinEventNotification) {
  const parked = new FakeParkedEventStore();
  const logger = new CapturingLogger();
  const delivered = Buffer.from(JSON.stringify(notification));
  const result = await resolveOrParkThinEvent(
    {
      resolver: { resolve: () => Promise.resolve<Stripe.Event | undefined>(undefined) },
      parked,
      admission: TEST_MODE_ADMISSION,
      logger,
      now: () => new Date('2026-01-02T03:04:05Z'),
    },
    notification,
    delivered,
  );
  return { result, parked, logger, delivered };
}

describe('resolveOrParkThinEvent: a notification Stripe has no event for', () => {
  it('is parked as delivered, under its own id, with a reason naming its snapshot event', async () => {
    const notification = thinNotification({ id: 'evt_thin_1', snapshot_event: 'evt_snap_1' });
    const { result, parked, delivered } = await parkUnresolved(notification);
    expect(result).toEqual({ parked: true });
    expect(parked.calls).toEqual([
      {
        eventId: 'evt_thin_1',
        type: 'v1.payment_intent.succeeded',
        reason:
          'Stripe has no event for the thin notification evt_thin_1 ' +
          '(v1.payment_intent.succeeded, snapshot event evt_snap_1)',
        parkedAt: '2026-01-02T03:04:05.000Z',
        rawBody: delivered,
      },
    ]);
  });

  it('is parked with a reason that names no snapshot event when it has none', async () => {
    const notification = thinNotification({ id: 'evt_thin_2', snapshot_event: null });
    const { parked } = await parkUnresolved(notification);
    expect(parked.calls[0]?.reason).toBe(
      'Stripe has no event for the thin notification evt_thin_2 (v1.payment_intent.succeeded)',
    );
  });

  it('is logged as a warning naming the notification, its snapshot event and why', async () => {
    const notification = thinNotification({ id: 'evt_thin_3', snapshot_event: 'evt_snap_3' });
    const { logger, parked } = await parkUnresolved(notification);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'Stripe thin event parked: its event cannot be taken',
        stripeThinEventId: 'evt_thin_3',
        stripeEventId: 'evt_snap_3',
        stripeEventType: 'v1.payment_intent.succeeded',
        reason: parked.calls[0]?.reason,
        rawBodyStored: true,
      }),
    ]);
  });

  it('is logged without a snapshot event id when it has none', async () => {
    const { logger } = await parkUnresolved(thinNotification({ snapshot_event: null }));
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).not.toHaveProperty('stripeEventId');
  });
});

describe('resolveOrParkThinEvent: admission', () => {
  /** A notification Stripe *does* have an event for, counting what the resolver is asked. */
  async function take(notification: ThinEventNotification) {
    const parked = new FakeParkedEventStore();
    const asked: string[] = [];
    const result = await resolveOrParkThinEvent(
      {
        resolver: {
          resolve: (thin) => {
            asked.push(thin.id);
            return Promise.resolve(snapshotOf(thin.snapshot_event ?? thin.id));
          },
        },
        parked,
        admission: TEST_MODE_ADMISSION,
        logger: new CapturingLogger(),
      },
      notification,
      Buffer.from(JSON.stringify(notification)),
    );
    return { result, parked, asked };
  }

  it('parks a notification stamped in the future without asking Stripe (never a retry forever)', async () => {
    const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
    const { result, parked, asked } = await take(
      thinNotification({ id: 'evt_thin_future', created: ahead }),
    );
    expect(result).toEqual({ parked: true });
    expect(asked).toEqual([]);
    expect(parked.calls[0]).toMatchObject({
      eventId: 'evt_thin_future',
      reason: expect.stringMatching(/ahead of this service's clock/) as unknown,
    });
  });

  it('parks a live-mode notification in a test-mode stack without asking Stripe', async () => {
    const { result, parked, asked } = await take(
      thinNotification({ id: 'evt_thin_live', livemode: true }),
    );
    expect(result).toEqual({ parked: true });
    expect(asked).toEqual([]);
    expect(parked.calls[0]?.reason).toMatch(/^livemode true: a live-mode event/);
  });

  it('resolves a notification of its own mode stamped now', async () => {
    const { result, parked, asked } = await take(
      thinNotification({ id: 'evt_thin_now', snapshot_event: 'evt_snap_now' }),
    );
    expect(result).toMatchObject({ event: { id: 'evt_snap_now' } });
    expect(asked).toEqual(['evt_thin_now']);
    expect(parked.calls).toEqual([]);
  });
});
