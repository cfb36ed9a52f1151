import * as os from 'node:os';
import type { BillingEvent } from '../lambda/domain/billing-event';
import type { LocalStack } from '../local/local-stack';
import { lambdaContext } from '../test/support/api-events';
import { paymentIntentObject, stripeEvent } from '../test/support/stripe-events';
import {
  type BenchServices,
  type InstrumentedHandlers,
  instrumentedHandlers,
  webhookDelivery,
} from './local-services';
import { machineCpuSeconds, percentile, processTreeCpuSeconds, sleep } from './support';

export const LOAD = {
  deliveries: 5_000,
  concurrency: 32,
  duplicateShare: 0.2,
  publishFailureShare: 0.05,
  retryDelayMs: 20,
};

export interface LoadFigure {
  readonly deliveries: number;
  readonly distinctEvents: number;
  readonly attempts: Readonly<Record<string, number>>;
  readonly injectedPublishFailures: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly messagesPerEvent: Readonly<Record<string, number>>;
  /** The CPU each process used during the run, biggest first; then the rest of the machine. */
  readonly cpu: readonly ProcessCpu[];
  /** The machine's cores, and the share of all of them that was busy during the run. */
  readonly machine?: { readonly cores: number; readonly busyShare: number };
}

export interface ProcessCpu {
  readonly name: string;
  readonly seconds: number;
  /** `seconds` over the run's wall time: 1 is one core busy all along. */
  readonly coreShare: number;
}

/** CPU seconds used so far by each process the run involves, and by the machine. */
export function cpuSnapshot(services: BenchServices | undefined) {
  const own = process.cpuUsage();
  const child = (service: { readonly pid: number | undefined } | undefined) =>
    service?.pid === undefined ? undefined : processTreeCpuSeconds(service.pid);
  return {
    bench: (own.user + own.system) / 1e6,
    dynamodb: child(services?.dynamodb),
    sns: child(services?.sns),
    machine: machineCpuSeconds(),
  };
}

export function cpuFigures(
  before: ReturnType<typeof cpuSnapshot>,
  after: ReturnType<typeof cpuSnapshot>,
  seconds: number,
): Pick<LoadFigure, 'cpu' | 'machine'> {
  const delta = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  const processes: [string, number | undefined][] = [
    ['bench driver and handlers (this process)', after.bench - before.bench],
    ['DynamoDB Local (Java)', delta(before.dynamodb, after.dynamodb)],
    ['SNS/SQS emulator', delta(before.sns, after.sns)],
  ];
  const cpu: ProcessCpu[] = [];
  for (const [name, used] of processes) {
    if (used !== undefined) cpu.push({ name, seconds: used, coreShare: used / seconds });
  }
  cpu.sort((a, b) => b.seconds - a.seconds);
  if (!before.machine || !after.machine) return { cpu };
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  const ours = cpu.reduce((sum, p) => sum + p.seconds, 0);
  // What else ran meanwhile (another process on a shared machine) competed for the same cores.
  const rest = Math.max(0, busy - ours);
  cpu.push({ name: 'everything else on the machine', seconds: rest, coreShare: rest / seconds });
  const cores = os.cpus().length;
  return { cpu, machine: { cores, busyShare: total > 0 ? busy / total : 0 } };
}

/** A small seeded generator (mulberry32), so every run sends the same mix. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Stripe's delivery pattern at volume: 5,000 deliveries by 32 concurrent senders, a fifth
 * of them duplicates of another delivery, 5 % of the publishes failing. A delivery answered
 * 409 or 500 is sent again (as Stripe retries) until it is answered 200. The CPU each
 * process used meanwhile says what bounds the throughput: with `services`, DynamoDB Local's
 * and the emulator's too.
 */
export async function measureWebhookLoad(
  stack: LocalStack,
  services?: BenchServices,
): Promise<LoadFigure> {
  const rng = random(20261123);
  let injectedPublishFailures = 0;
  const handlers = instrumentedHandlers(stack, {
    dynamoLatencyMs: 0,
    snsLatencyMs: 0,
    failPublish: () => {
      const fail = rng() < LOAD.publishFailureShare;
      if (fail) injectedPublishFailures++;
      return fail;
    },
  });
  const { payloads, plan } = deliveryPlan(rng);

  const cpuBefore = cpuSnapshot(services);
  const started = performance.now();
  const sent = await deliverAll(plan, handlers);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(services);

  return {
    deliveries: plan.length,
    distinctEvents: payloads.length,
    attempts: sent.attempts,
    injectedPublishFailures,
    seconds,
    throughput: plan.length / seconds,
    p50: percentile(sent.latencies, 50),
    p99: percentile(sent.latencies, 99),
    messagesPerEvent: await messagesPerEvent(stack, payloads),
    ...cpuFigures(cpuBefore, cpuAfter, seconds),
  };
}

/** The distinct events, and the deliveries to send: each once, plus duplicates, shuffled. */
function deliveryPlan(rng: () => number): { payloads: string[]; plan: string[] } {
  const distinct = Math.round(LOAD.deliveries * (1 - LOAD.duplicateShare));
  const payloads = Array.from({ length: distinct }, () =>
    JSON.stringify(stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'))),
  );
  const plan = [...payloads];
  while (plan.length < LOAD.deliveries) plan.push(payloads[Math.floor(rng() * distinct)] ?? '');
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [plan[i], plan[j]] = [plan[j] ?? '', plan[i] ?? ''];
  }
  return { payloads, plan };
}

/**
 * Every planned delivery, by `LOAD.concurrency` senders: each sent again after a 409 or a
 * 500 until it is answered 200. Every attempt's answer and latency.
 */
async function deliverAll(
  plan: readonly string[],
  handlers: InstrumentedHandlers,
): Promise<{ attempts: Record<string, number>; latencies: number[] }> {
  const attempts: Record<string, number> = {};
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LOAD.concurrency }, async () => {
      for (let index = next++; index < plan.length; index = next++) {
        const payload = plan[index] ?? '';
        for (;;) {
          const event = webhookDelivery(payload);
          const sent = performance.now();
          const { statusCode } = await handlers.webhook(event, lambdaContext());
          latencies.push(performance.now() - sent);
          attempts[String(statusCode)] = (attempts[String(statusCode)] ?? 0) + 1;
          if (statusCode === 200) break;
          if (statusCode !== 409 && statusCode !== 500) throw new Error(`unexpected ${statusCode}`);
          await sleep(LOAD.retryDelayMs);
        }
      }
    }),
  );
  return { attempts, latencies };
}

/** How many distinct events were published how many times (`{"1": 4000}` is right). */
async function messagesPerEvent(
  stack: LocalStack,
  payloads: readonly string[],
): Promise<Record<string, number>> {
  const perEvent = new Map<string, number>();
  for (const message of await stack.billingEvents.events()) {
    const id = (message.event as BillingEvent).stripeEventId;
    perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
  }
  const counts: Record<string, number> = {};
  for (const payload of payloads) {
    const id = (JSON.parse(payload) as { id: string }).id;
    const key = String(perEvent.get(id) ?? 0);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
