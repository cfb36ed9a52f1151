/**
 * How far ahead of this service's clock a Stripe event's `created` may be and still be
 * taken: Stripe's clock and Lambda's are both kept by NTP, so a real event is never more
 * than a few seconds ahead. The same skew as a token's `iat` (`TOKEN_CLOCK_SKEW_SECONDS`).
 */
export const EVENT_CLOCK_SKEW_SECONDS = 60;

/** Which Stripe a key (and an event) belongs to. */
export type StripeMode = 'live' | 'test';

/**
 * The mode of a Stripe API key: `sk_live_` / `rk_live_` are live mode; every other key
 * (`sk_test_`, `rk_test_`, the sandbox's) is test mode, so an unrecognised key never makes
 * a stack take live events.
 */
export const stripeKeyMode = (key: string): StripeMode =>
  /^(sk|rk)_live_/.test(key) ? 'live' : 'test';

/** What an event says about itself that admission checks. */
export interface EventStamp {
  /** Epoch milliseconds: a snapshot event's `created` seconds, a thin notification's ISO time. */
  readonly createdMs: number;
  readonly livemode: boolean;
}

/**
 * The checks every Stripe event (and thin notification) passes before it may be published
 * or become a subscription's high-water mark, whichever way it came in (contract section
 * 4). A refused event is parked with the reason: retrying cannot make it acceptable.
 */
export interface EventAdmission {
  /** Why the event is refused, or undefined when it may go on. Reading the key may throw. */
  refusal(stamp: EventStamp): Promise<string | undefined>;
}

/**
 * Admission against this service's clock and the mode of its Stripe key:
 * - an event stamped beyond now plus the skew would, as a high-water mark, supersede every
 *   real event about its subscription until that time ("one event dated far in the future
 *   freezes a subscription forever"), so it is refused before it is ordered;
 * - an event whose `livemode` differs from the key's mode belongs to the other Stripe:
 *   live and test never mix.
 * The clock is checked first: it needs no secret.
 */
export function eventAdmission(
  keyMode: () => Promise<StripeMode>,
  now: () => Date = () => new Date(),
): EventAdmission {
  return {
    async refusal({ createdMs, livemode }) {
      const aheadSeconds = Math.floor((createdMs - now().getTime()) / 1000);
      if (!Number.isFinite(createdMs) || aheadSeconds > EVENT_CLOCK_SKEW_SECONDS) {
        return (
          `created ${describeTime(createdMs)} is ${Number.isFinite(aheadSeconds) ? `${String(aheadSeconds)} s` : 'far'} ahead ` +
          `of this service's clock (allowed skew ${String(EVENT_CLOCK_SKEW_SECONDS)} s): an ` +
          'event from the future is never published nor allowed to block later events'
        );
      }
      const mode = await keyMode();
      const eventMode: StripeMode = livemode ? 'live' : 'test';
      if (eventMode !== mode) {
        return (
          `livemode ${String(livemode)}: a ${eventMode}-mode event, but this stack's Stripe key ` +
          `is a ${mode}-mode key; live and test events never mix`
        );
      }
      return undefined;
    },
  };
}

function describeTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
