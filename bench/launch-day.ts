import { STRIPE_TEST_MODE_RATE_LIMITS } from 'stripe-sandbox';
import type { LocalStack } from '../local/local-stack';
import {
  type Answer,
  type Burst,
  fireBurst,
  setSandboxRateLimits,
  setUpReturningBuyers,
  tokensFor,
} from './launch-day/burst';
import { checkCustomers, type CustomersCheck } from './launch-day/customers-check';
import { launchPlan, type LaunchPlan } from './launch-day/plan';
import { ALL_ENDPOINTS, type StripeTraffic, watchStripeLog } from './launch-day/stripe-log';
import type { BenchServices } from './local-services';
import { percentile, sleep } from './support';
import { cpuFigures, cpuSnapshot, type LoadFigure } from './webhook-load';

export { LAUNCH } from './launch-day/plan';

/** Stripe's test-mode limit, overall (and per endpoint), as the sandbox enforces it by default. */
export const TEST_MODE_LIMIT = STRIPE_TEST_MODE_RATE_LIMITS.global;

/** Stripe's limits a burst runs under: requests a second, overall and per endpoint. */
export interface Limits {
  readonly global: number;
  readonly perEndpoint: number;
}

/**
 * The same burst twice: under the sandbox's default limits (Stripe's test mode, where the
 * overall limit equals the per-endpoint one), then under live mode's (docs.stripe.com/
 * rate-limits: 100 overall, 25 per endpoint by default), where the checkout sessions
 * endpoint's own 25 a second is what binds.
 */
export const PHASES: readonly {
  readonly name: string;
  readonly limits: Limits;
  readonly sandboxDefault: boolean;
}[] = [
  {
    name: 'test mode (the sandbox default)',
    limits: STRIPE_TEST_MODE_RATE_LIMITS,
    sandboxDefault: true,
  },
  { name: "live mode's limits", limits: { global: 100, perEndpoint: 25 }, sandboxDefault: false },
];

/** Latency percentiles of a set of answers, in ms. */
export interface Latencies {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

/** An endpoint's admitted calls a second over the burst's whole seconds: mean and peak. */
export interface EndpointRate {
  readonly endpoint: string;
  readonly admitted: number;
  readonly refused: number;
  readonly meanPerSecond: number;
  readonly peakPerSecond: number;
}

export interface PhaseFigure {
  readonly name: string;
  readonly limits: Limits;
  readonly plan: { readonly returning: number; readonly firstTime: number };
  readonly burst: Omit<Burst, 'answers'>;
  readonly requests: number;
  readonly ok: Latencies;
  readonly rateLimited: Latencies;
  readonly all: Latencies;
  /** 200s among first-time buyers' requests, and among returning buyers'. */
  readonly okShare: { readonly firstTime: number; readonly returning: number };
  /** Anything but a 200 or a 503 `stripe_rate_limited` with `Retry-After`, by status and code. */
  readonly failures: readonly {
    readonly kind: string;
    readonly count: number;
    readonly sample: string;
  }[];
  readonly stripe: readonly EndpointRate[];
  /** Stripe requests (admitted and refused) per checkout request. */
  readonly stripeAttemptsPerRequest: number;
  readonly customers: CustomersCheck;
  readonly cpu: Pick<LoadFigure, 'cpu' | 'machine'>;
}

/**
 * Launch day on the local stack: the returning buyers' earlier purchases are set up
 * first, then each phase fires the burst under its limits (the same returning buyers,
 * first-time buyers of its own) and counts every buyer's Stripe customers and record.
 */
export async function measureLaunchDay(
  stack: LocalStack,
  services?: BenchServices,
): Promise<PhaseFigure[]> {
  const run = Date.now().toString(36);
  const plans = PHASES.map((_, i) => launchPlan(`${run}${String(i)}`, run));
  const returning = plans[0]?.returningUsers ?? [];
  const users = new Set(plans.flatMap((p) => [...p.returningUsers, ...p.firstTimeUsers]));
  const tokens = await tokensFor([...users]);
  await setUpReturningBuyers(stack, returning, tokens);
  const figures: PhaseFigure[] = [];
  for (const [i, phase] of PHASES.entries()) {
    const plan = plans[i];
    if (plan)
      figures.push({ ...phase, ...(await measurePhase(stack, services, phase, plan, tokens)) });
  }
  return figures;
}

async function measurePhase(
  stack: LocalStack,
  services: BenchServices | undefined,
  phase: (typeof PHASES)[number],
  plan: LaunchPlan,
  tokens: ReadonlyMap<string, string>,
): Promise<Omit<PhaseFigure, 'name' | 'limits'>> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the launch-day benchmark needs the Stripe sandbox');
  // The test-mode phase runs on the sandbox's own defaults, not on numbers given here.
  await setSandboxRateLimits(
    stack,
    phase.sandboxDefault
      ? { enabled: true }
      : { global: phase.limits.global, per_endpoint: phase.limits.perEndpoint },
  );
  // A second with no Stripe call: every bucket is full when the burst starts, as at launch.
  await sleep(1_000);
  const cpuBefore = cpuSnapshot(services);
  const watch = watchStripeLog(sandbox);
  const burst = await fireBurst(stack, plan.requests, tokens);
  const traffic = watch.stop();
  const cpuAfter = cpuSnapshot(services);
  return {
    ...answerFigures(plan, burst),
    stripe: endpointRates(traffic, burst.sendSeconds),
    stripeAttemptsPerRequest:
      [...traffic.endpoints.values()].reduce((sum, e) => sum + e.admitted + e.refused, 0) /
      burst.answers.length,
    customers: await checkCustomers(stack, [...plan.returningUsers, ...plan.firstTimeUsers]),
    cpu: cpuFigures(cpuBefore, cpuAfter, burst.seconds),
  };
}

function answerFigures(
  plan: LaunchPlan,
  burst: Burst,
): Pick<
  PhaseFigure,
  'plan' | 'burst' | 'requests' | 'ok' | 'rateLimited' | 'all' | 'okShare' | 'failures'
> {
  const { answers, ...rest } = burst;
  const ok = answers.filter((a) => a.status === 200);
  const limited = answers.filter((a) => a.body === undefined && a.status === 503);
  const share = (firstTime: boolean) => {
    const theirs = answers.filter((a) => a.request.firstTime === firstTime);
    return theirs.filter((a) => a.status === 200).length / Math.max(1, theirs.length);
  };
  return {
    plan: { returning: plan.returningUsers.length, firstTime: plan.firstTimeUsers.length },
    burst: rest,
    requests: answers.length,
    ok: latencies(ok),
    rateLimited: latencies(limited),
    all: latencies(answers),
    okShare: { firstTime: share(true), returning: share(false) },
    failures: failureKinds(answers),
  };
}

const latencies = (answers: readonly Answer[]): Latencies => {
  const ms = answers.map((a) => a.ms);
  return { count: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
};

function failureKinds(answers: readonly Answer[]): PhaseFigure['failures'] {
  const kinds = new Map<string, { count: number; sample: string }>();
  for (const answer of answers) {
    if (answer.body === undefined) continue;
    const kind = `${String(answer.status)} ${answer.code ?? ''}${answer.retryAfter === null ? '' : ' (Retry-After)'}`;
    const seen = kinds.get(kind) ?? { count: 0, sample: answer.body };
    seen.count++;
    kinds.set(kind, seen);
  }
  return [...kinds.entries()].map(([kind, seen]) => ({ kind, ...seen }));
}

/**
 * Each endpoint's calls, busiest first, then all endpoints together: admitted a second
 * over the marks within the sending (their real length), and in the fullest interval.
 */
function endpointRates(traffic: StripeTraffic, sendSeconds: number): EndpointRate[] {
  const sending: StripeTraffic['intervals'][number][] = [];
  let elapsed = 0;
  for (const interval of traffic.intervals) {
    if (elapsed + interval.seconds > sendSeconds + 0.5) break;
    elapsed += interval.seconds;
    sending.push(interval);
  }
  const rate = (endpoint: string) => {
    const counts = sending.map((i) => i.admitted.get(endpoint) ?? 0);
    return {
      meanPerSecond: counts.reduce((sum, n) => sum + n, 0) / Math.max(elapsed, 1e-9),
      peakPerSecond: Math.max(0, ...sending.map((i, k) => (counts[k] ?? 0) / i.seconds)),
    };
  };
  const rates = [...traffic.endpoints.entries()]
    .map(([endpoint, calls]) => ({ endpoint, ...calls, ...rate(endpoint) }))
    .sort((a, b) => b.admitted - a.admitted);
  const total = rates.reduce(
    (sum, r) => ({ admitted: sum.admitted + r.admitted, refused: sum.refused + r.refused }),
    { admitted: 0, refused: 0 },
  );
  return [...rates, { endpoint: ALL_ENDPOINTS, ...total, ...rate(ALL_ENDPOINTS) }];
}
