import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { BillingEvent } from '../lambda/domain/billing-event';
import { ROUTES } from '../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../local/config';
import type { LocalStack } from '../local/local-stack';
import { apiEvent, lambdaContext } from '../test/support/api-events';
import { paymentIntentObject, signatureFor, stripeEvent } from '../test/support/stripe-events';
import { instrumentedHandlers } from './local-services';
import { percentile, sleep } from './support';

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
}

/** A small seeded generator (mulberry32), so every run sends the same mix. */
function random(seed: number): () => number {
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
 * 409 or 500 is sent again (as Stripe retries) until it is answered 200.
 */
export async function measureWebhookLoad(stack: LocalStack): Promise<LoadFigure> {
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
  const signed = (payload: string): APIGatewayProxyEventV2 =>
    apiEvent(ROUTES.stripeWebhook, {
      headers: {
        'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
      },
      body: payload,
    });

  const attempts: Record<string, number> = {};
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LOAD.concurrency }, async () => {
      for (let index = next++; index < plan.length; index = next++) {
        const payload = plan[index] ?? '';
        for (;;) {
          const event = signed(payload);
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
  const seconds = (performance.now() - started) / 1000;

  const perEvent = new Map<string, number>();
  for (const message of await stack.billingEvents.events()) {
    const id = (message.event as BillingEvent).stripeEventId;
    perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
  }
  const messagesPerEvent: Record<string, number> = {};
  for (const payload of payloads) {
    const id = (JSON.parse(payload) as { id: string }).id;
    const key = String(perEvent.get(id) ?? 0);
    messagesPerEvent[key] = (messagesPerEvent[key] ?? 0) + 1;
  }
  return {
    deliveries: plan.length,
    distinctEvents: distinct,
    attempts,
    injectedPublishFailures,
    seconds,
    throughput: plan.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    messagesPerEvent,
  };
}
