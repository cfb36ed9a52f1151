import { AsyncLocalStorage } from 'node:async_hooks';

const realSeconds = (): number => Math.floor(Date.now() / 1000);

/** What `GET /_sandbox/clock` answers. */
export interface ClockState {
  /** The sandbox's current time, unix seconds: what the next `created` will be. */
  readonly now: number;
  /** Set while the clock stands still. */
  readonly frozen_at: number | null;
  /** Added to the real time while the clock runs. */
  readonly offset_seconds: number;
}

/**
 * The sandbox's notion of "now", in seconds, as Stripe stamps `created`. A test freezes
 * it to make several events share one second (Stripe's `created` has only second
 * resolution, so same-second events are real and the service must settle them), or
 * shifts it to make events older than Stripe's 30-day retention. Signature timestamps
 * and delivery logs keep the real time: a receiver checks them against its own clock.
 */
export class SandboxClock {
  private frozenAt: number | null = null;
  private offsetSeconds = 0;

  now(): number {
    return this.frozenAt ?? realSeconds() + this.offsetSeconds;
  }

  freeze(at: number = this.now()): void {
    this.frozenAt = at;
  }

  /** Shifts the running clock (a frozen one stays where it is until `advance`). */
  setOffset(seconds: number): void {
    this.offsetSeconds = seconds;
  }

  /** Moves the clock forward (or back): a frozen clock to its next second, say. */
  advance(seconds: number): void {
    if (this.frozenAt === null) this.offsetSeconds += seconds;
    else this.frozenAt += seconds;
  }

  reset(): void {
    this.frozenAt = null;
    this.offsetSeconds = 0;
  }

  describe(): ClockState {
    return { now: this.now(), frozen_at: this.frozenAt, offset_seconds: this.offsetSeconds };
  }
}

/**
 * The clock of the sandbox whose request is being handled. Object factories read "now"
 * through it, so they need no state parameter, and two sandboxes in one process (tests
 * start several) never share a clock.
 */
const activeClock = new AsyncLocalStorage<SandboxClock>();

export function runWithClock<T>(clock: SandboxClock, run: () => T): T {
  return activeClock.run(clock, run);
}

/**
 * The frozen time of the Stripe test clock (`/v1/test_helpers/test_clocks`) whose objects
 * are being made or moved: while set, `nowSeconds` answers it. Events keep the sandbox's
 * own time (`SandboxState.emit` reads the sandbox clock, not this), as Stripe stamps them.
 */
const testClockTime = new AsyncLocalStorage<number>();

/** Runs `run` with "now" at `seconds`: the time of a test clock's objects. */
export function runAtTestClockTime<T>(seconds: number, run: () => T): T {
  return testClockTime.run(seconds, run);
}

/**
 * Now, in unix seconds, on the current sandbox's clock (the real time outside a request):
 * what `created` says, which a test may freeze or shift. Under a test clock, its time.
 */
export function nowSeconds(): number {
  return testClockTime.getStore() ?? activeClock.getStore()?.now() ?? realSeconds();
}
