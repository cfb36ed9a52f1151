import type Stripe from 'stripe';
import type { ThinEventNotification } from '../../lambda/domain/thin-event';
import { paymentIntentObject, stripeEvent } from './stripe-events';

/** A thin notification of `payment_intent.succeeded`, naming its snapshot event. */
export const thinNotification = (
  overrides: Partial<ThinEventNotification> = {},
): ThinEventNotification => ({
  id: 'evt_test_65ThinEventId',
  object: 'v2.core.event',
  type: 'v1.payment_intent.succeeded',
  created: '2026-01-02T03:04:05.678Z',
  livemode: false,
  context: null,
  snapshot_event: 'evt_1SnapshotEventId',
  related_object: { id: 'pi_1', type: 'payment_intent', url: '/v1/payment_intents/pi_1' },
  ...overrides,
});

/** The snapshot event such a notification names. */
export const snapshotOf = (id = 'evt_1SnapshotEventId'): Stripe.Event =>
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
    id,
  }) as unknown as Stripe.Event;
