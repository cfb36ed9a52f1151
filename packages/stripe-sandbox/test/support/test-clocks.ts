import type Stripe from 'stripe';
import { type Harness, priceFixture } from './harness';

/** 2030-01-15T00:00:00Z: a clock time far from the real one, so a leak of it shows. */
export const CLOCK_START = Date.UTC(2030, 0, 15) / 1000;
export const DAY = 24 * 3600;

/** The steps of a test on a test clock, through the stripe package. */
export function clockSteps(h: Harness) {
  /** The newest event's id now: what `since` counts from. */
  const mark = async (): Promise<string> =>
    (await h.stripe.events.list({ limit: 1 })).data[0]?.id ?? '';

  /** The events after `marker`, oldest first (of `types`, if given). */
  const since = async (marker: string, types?: string[]): Promise<Stripe.Event[]> => {
    const newer: Stripe.Event[] = [];
    await h.stripe.events
      .list({ ending_before: marker, ...(types ? { types } : {}) })
      .autoPagingEach((event) => void newer.push(event));
    return newer;
  };

  /** A clock at `CLOCK_START` and a customer on it paying with `card` (none: no card). */
  const clockCustomer = async (card?: string) => {
    const clock = await h.stripe.testHelpers.testClocks.create({
      frozen_time: CLOCK_START,
      name: 'renewals',
    });
    const customer = await h.stripe.customers.create({
      email: 'clocked@example.com',
      test_clock: clock.id,
      ...(card ? { payment_method: card, invoice_settings: { default_payment_method: card } } : {}),
    });
    const { price } = await priceFixture(h.stripe, true, 1500);
    return { clock, customer, price };
  };

  /** Advances the clock to `time` and waits until it is ready and every event is delivered. */
  const advance = async (clock: string, time: number): Promise<Stripe.TestHelpers.TestClock> => {
    const started = await h.stripe.testHelpers.testClocks.advance(clock, { frozen_time: time });
    expect(started).toMatchObject({ status: 'advancing' });
    let current = await h.stripe.testHelpers.testClocks.retrieve(clock);
    while (current.status === 'advancing')
      current = await h.stripe.testHelpers.testClocks.retrieve(clock);
    await h.settle();
    return current;
  };

  return { mark, since, clockCustomer, advance };
}
