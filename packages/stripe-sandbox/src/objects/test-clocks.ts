import { nowSeconds } from './clock';
import type { StripeObject } from './fixtures';
import { stripeId } from './ids';
import { DAY_SECONDS } from './invoices';

/** Stripe's test clocks (`test_helpers.test_clock`): a frozen time that objects live on. */

/** How long a test clock lives at Stripe before it is deleted with its objects. */
export const TEST_CLOCK_LIFETIME_SECONDS = 30 * DAY_SECONDS;

/** A new test clock, `ready` at `frozenTime`; `created` is the sandbox's (real) time. */
export function newTestClock(frozenTime: number, name: string | null): StripeObject {
  const created = nowSeconds();
  return {
    id: stripeId('clock'),
    object: 'test_helpers.test_clock',
    created,
    deletes_after: created + TEST_CLOCK_LIFETIME_SECONDS,
    frozen_time: frozenTime,
    livemode: false,
    name,
    status: 'ready',
    status_details: {},
  };
}
