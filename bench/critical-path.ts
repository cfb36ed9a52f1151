import type { StripeSandbox } from 'stripe-sandbox';
import type { LocalStack } from '../local/local-stack';
import { callTimes, type InTurnRun, latencies, REQUESTS } from './critical-path/in-turn';
import { measureWarmCheckout } from './critical-path/warm-checkout';
import { measureWarmWebhook } from './critical-path/warm-webhook';
import { instrumentedHandlers } from './local-services';

/** Injected per-call latency: a stand-in for the network between Lambda, AWS and Stripe. */
export const LATENCY = { stripeMs: 100, dynamoMs: 10, snsMs: 10 };

export const CRITICAL_PATH_REQUESTS = REQUESTS;

export interface PathFigure {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly ideal: number;
  readonly idealText: string;
  /** The same remote calls made directly, without the handler: what the stand-ins cost. */
  readonly floorP50: number;
  /** The calls per request, each with its mean time in the handler's requests and the floor's. */
  readonly calls: string;
}

/**
 * The warm checkout and the warm webhook through their handlers, with `LATENCY` injected
 * on every call, each beside its floor: the same remote calls made without the handler.
 */
export async function measureCriticalPath(stack: LocalStack): Promise<PathFigure[]> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the critical path benchmark needs the Stripe sandbox');
  const handlers = instrumentedHandlers(stack, {
    dynamoLatencyMs: LATENCY.dynamoMs,
    snsLatencyMs: LATENCY.snsMs,
  });
  await delayStripe(sandbox, LATENCY.stripeMs);
  const checkout = await measureWarmCheckout(stack, sandbox, handlers);
  const webhook = await measureWarmWebhook(handlers);
  await delayStripe(sandbox, undefined);
  const checkoutIdeal = LATENCY.dynamoMs + LATENCY.stripeMs;
  const webhookIdeal = 2 * LATENCY.dynamoMs + LATENCY.snsMs;
  return [
    pathFigure('warm checkout (POST /stripe/payment-intent)', checkout.run, checkout.calls, {
      ms: checkoutIdeal,
      text: `${checkoutIdeal} ms: one DynamoDB round trip + one Stripe call`,
    }),
    pathFigure('warm webhook (POST /stripe/webhook)', webhook, callTimes(webhook, REQUESTS), {
      ms: webhookIdeal,
      text: `${webhookIdeal} ms: the two idempotency writes + one publish`,
    }),
  ];
}

function pathFigure(
  name: string,
  run: InTurnRun,
  calls: string,
  ideal: { readonly ms: number; readonly text: string },
): PathFigure {
  return { name, ...latencies(run), ideal: ideal.ms, idealText: ideal.text, calls };
}

/** Every Stripe call the sandbox answers `ms` later; undefined: no delay any more. */
async function delayStripe(sandbox: StripeSandbox, ms: number | undefined): Promise<void> {
  await fetch(
    `${sandbox.url}/_sandbox/faults`,
    ms === undefined
      ? { method: 'DELETE' }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ delay_ms: ms, count: 1_000_000_000 }),
        },
  );
}
