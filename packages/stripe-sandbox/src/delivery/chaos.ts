import { randomInt } from 'node:crypto';

/** How a held batch of deliveries is released. */
export const REORDER_MODES = ['none', 'shuffle', 'reverse'] as const;
export type ReorderMode = (typeof REORDER_MODES)[number];

/**
 * What Stripe promises about delivery, made to happen on purpose: an event may arrive
 * more than once, late, and out of order ("Stripe doesn't guarantee the delivery of
 * events in the order in which they're generated"). A seed makes a run reproducible.
 */
export interface ChaosSettings {
  readonly seed: number;
  /** How many times a duplicated delivery goes out in all (1: never duplicated). */
  readonly duplicates: number;
  /** The chance that a delivery is duplicated (when `duplicates` > 1). */
  readonly duplicateProbability: number;
  /** Each copy waits a uniformly drawn delay in [min, max] ms before its first attempt. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** `shuffle` / `reverse`: deliveries are held in batches and released in that order. */
  readonly reorder: ReorderMode;
  /** A batch is released once it holds this many deliveries ... */
  readonly batchSize: number;
  /** ... or this long after its first delivery was held, whichever comes first. */
  readonly holdMs: number;
}

export const CHAOS_DEFAULTS: Omit<ChaosSettings, 'seed'> = {
  duplicates: 1,
  duplicateProbability: 1,
  minDelayMs: 0,
  maxDelayMs: 0,
  reorder: 'none',
  batchSize: 10,
  holdMs: 500,
};

export const newSeed = (): number => randomInt(1, 2 ** 31);

/** mulberry32: a small PRNG whose whole sequence follows from its 32-bit seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What `GET /_sandbox/chaos` answers. */
export type ChaosState =
  | { readonly enabled: false; readonly held: number }
  | {
      readonly enabled: true;
      readonly seed: number;
      readonly duplicates: number;
      readonly duplicate_probability: number;
      readonly min_delay_ms: number;
      readonly max_delay_ms: number;
      readonly reorder: ReorderMode;
      readonly batch_size: number;
      readonly hold_ms: number;
      readonly held: number;
    };

/**
 * The chaos decisions for deliveries of type T: how many copies, how late, and the
 * order a held batch comes out in. Every draw comes from the seeded PRNG in the order
 * deliveries are made, so the same seed and the same events give the same run.
 */
export class DeliveryChaos<T> {
  private current: ChaosSettings | null = null;
  private random: () => number = Math.random;
  private held: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** @param release receives each batch in its chaotic order, to deliver one by one. */
  constructor(private readonly release: (batch: T[]) => void) {}

  get settings(): ChaosSettings | null {
    return this.current;
  }

  get holds(): boolean {
    return this.current !== null && this.current.reorder !== 'none';
  }

  /** Replaces the settings (a held batch is released first) and restarts the PRNG. */
  enable(settings: ChaosSettings): void {
    this.flush();
    this.current = settings;
    this.random = seededRandom(settings.seed);
  }

  /** Turns chaos off; a held batch is released, so no delivery is lost. */
  disable(): number {
    const released = this.flush();
    this.current = null;
    return released;
  }

  /** How many times the next delivery goes out. */
  copies(): number {
    const settings = this.current;
    if (!settings || settings.duplicates <= 1) return 1;
    return this.random() < settings.duplicateProbability ? settings.duplicates : 1;
  }

  /** How long the next copy waits before its first attempt. */
  delayMs(): number {
    const settings = this.current;
    if (!settings) return 0;
    const span = settings.maxDelayMs - settings.minDelayMs;
    return span <= 0
      ? settings.minDelayMs
      : settings.minDelayMs + Math.floor(this.random() * (span + 1));
  }

  /** Holds a delivery in the current batch; a full batch is released at once. */
  hold(item: T): void {
    const settings = this.current;
    if (!settings) throw new Error('chaos is off: nothing holds deliveries');
    this.held.push(item);
    if (this.held.length >= settings.batchSize) this.flush();
    else if (this.held.length === 1) {
      // unref: a held batch must not keep a stopped sandbox's process alive.
      this.timer = setTimeout(() => this.flush(), settings.holdMs).unref();
    }
  }

  /** Releases the held batch now, in the chaotic order. Answers how many it released. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held;
    this.held = [];
    if (batch.length > 0) this.release(this.order(batch));
    return batch.length;
  }

  /** Forgets held deliveries and turns chaos off (the sandbox's reset). */
  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = [];
    this.current = null;
  }

  describe(): ChaosState {
    const s = this.current;
    if (!s) return { enabled: false, held: this.held.length };
    return {
      enabled: true,
      seed: s.seed,
      duplicates: s.duplicates,
      duplicate_probability: s.duplicateProbability,
      min_delay_ms: s.minDelayMs,
      max_delay_ms: s.maxDelayMs,
      reorder: s.reorder,
      batch_size: s.batchSize,
      hold_ms: s.holdMs,
      held: this.held.length,
    };
  }

  private order(batch: T[]): T[] {
    const mode = this.current?.reorder ?? 'none';
    if (mode === 'reverse') return [...batch].reverse();
    if (mode === 'none') return batch;
    // Fisher-Yates, drawing from the seeded PRNG.
    const shuffled = [...batch];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
    }
    return shuffled;
  }
}
