import { random } from '../webhook-load';

/**
 * The burst: `rate` checkouts a second for `seconds`, 4× the sandbox's 25 a second (Stripe's
 * test-mode limit, overall and per endpoint). Most buyers already have a Stripe customer
 * (an earlier purchase: the launch sells a new course to the platform's buyers), a tenth
 * buy for the first time (the service creates their customer under the same limits); a
 * fifth of the requests repeat a buyer's, half a double click, half a return seconds later.
 */
export const LAUNCH = {
  rate: 100,
  seconds: 30,
  firstTimeShare: 0.1,
  repeatShare: 0.2,
  /** A double click: the repeat within this many ms of the first request. */
  doubleClickMs: 300,
  /** A return: the repeat this many seconds after the first request, at least and at most. */
  returnSeconds: [2, 10] as const,
  /** The prices sold: a subscription and a one-time course, alternately by buyer. */
  prices: ['price-pro-monthly', 'price-typescript-course'] as const,
  /** Concurrent earlier purchases when setting the returning buyers up. */
  setupConcurrency: 16,
} as const;

export interface PlannedRequest {
  /** Milliseconds after the burst's start. */
  readonly atMs: number;
  readonly userId: string;
  readonly priceId: string;
  readonly firstTime: boolean;
  readonly repeat: 'double-click' | 'return' | undefined;
}

export interface LaunchPlan {
  readonly requests: readonly PlannedRequest[];
  /** Buyers with a Stripe customer from an earlier purchase (set up before the burst). */
  readonly returningUsers: readonly string[];
  readonly firstTimeUsers: readonly string[];
}

/**
 * The burst's requests, one per `1000 / rate` ms, the same every run (seeded): each slot
 * is a repeat that fell due, or the first request of a new buyer, who may repeat later.
 * First-time buyers are named after `runId`, returning ones after `returningId`: two
 * bursts with the same `returningId` sell to the same returning buyers.
 */
export function launchPlan(runId: string, returningId: string, seed = 20261201): LaunchPlan {
  const rng = random(seed);
  const slots = LAUNCH.rate * LAUNCH.seconds;
  const slotMs = 1000 / LAUNCH.rate;
  // A buyer repeats with p: then repeats are p / (1 + p) of all requests.
  const repeatChance = LAUNCH.repeatShare / (1 - LAUNCH.repeatShare);
  const due = new Map<number, PlannedRequest>();
  const requests: PlannedRequest[] = [];
  const returningUsers: string[] = [];
  const firstTimeUsers: string[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const repeat = due.get(slot);
    if (repeat) {
      requests.push({ ...repeat, atMs: slot * slotMs });
      continue;
    }
    const firstTime = rng() < LAUNCH.firstTimeShare;
    const buyers = firstTime ? firstTimeUsers : returningUsers;
    const userId = `launch-${firstTime ? `${runId}-new` : `${returningId}-known`}-${String(buyers.length)}`;
    buyers.push(userId);
    const priceId = LAUNCH.prices[buyers.length % LAUNCH.prices.length] ?? LAUNCH.prices[0];
    const request = { atMs: slot * slotMs, userId, priceId, firstTime, repeat: undefined };
    requests.push(request);
    if (rng() >= repeatChance) continue;
    const kind = rng() < 0.5 ? 'double-click' : 'return';
    const afterMs =
      kind === 'double-click'
        ? rng() * LAUNCH.doubleClickMs
        : (LAUNCH.returnSeconds[0] + rng() * (LAUNCH.returnSeconds[1] - LAUNCH.returnSeconds[0])) *
          1000;
    // The first free slot at or after the repeat's time: no slot holds two requests.
    let at = slot + Math.max(1, Math.round(afterMs / slotMs));
    while (due.has(at)) at++;
    if (at < slots) due.set(at, { ...request, repeat: kind });
  }
  return { requests, returningUsers, firstTimeUsers };
}
