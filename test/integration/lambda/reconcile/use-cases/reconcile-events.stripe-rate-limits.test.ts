import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type Stripe from 'stripe';
import type { BackoffOptions } from '../../../../../lambda/core/backoff';
import {
  METRICS,
  type MetricName,
  type ServiceMetrics,
} from '../../../../../lambda/domain/metrics';
import { buildReconciler } from '../../../../../lambda/reconcile/composition-root';
import type { ReconcileConfig } from '../../../../../lambda/reconcile/config';
import type { ReconciliationReport } from '../../../../../lambda/reconcile/use-cases/reconciliation-report';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../../lambda/stripe-events/billing-event-mapping';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../../local/services/aws-clients';
import { localReconcileConfig } from '../../../../../scripts/lib/targets';
import {
  billingEventsOf,
  buy,
  customerOf,
  eventsOfCustomer,
  sandboxOf,
  stripeFor,
  swallowDeliveries,
} from '../../../../support/reconciliation';
import { silentLogger, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(180_000);

/**
 * Reconciliation under Stripe's rate limits (issue 21), against the sandbox, which enforces
 * them (here tightened by its control): the first run of a reconciliation walks Stripe's
 * 30 days a day at a time, one events listing each, fast enough to meet a limit of a few
 * requests a second. With the scheduled backoff every refusal is waited out and the run
 * completes; with a backoff that gives up at once, each run stops cleanly where it got to
 * and the next continues from its cursor. Either way every missed event is published once.
 */
let stack: LocalStack;
let stripe: Stripe;
let dynamo: DynamoDBClient;
let sns: SNSClient;
let config: ReconcileConfig;
const HANDLED: readonly string[] = HANDLED_STRIPE_EVENT_TYPES;

beforeAll(async () => {
  stack = await startTestStack();
  stripe = stripeFor(stack);
  dynamo = localDynamoClient(stack.endpoints.dynamodb);
  sns = localSnsClient(stack.endpoints.sns);
  config = localReconcileConfig(stack.names, stack.billingEventsTopicArn);
});
afterEach(async () => {
  await sandboxRateLimits({ enabled: 'false' });
});
afterAll(async () => {
  dynamo.destroy();
  sns.destroy();
  await stack.stop();
});

async function sandboxRateLimits(body: Record<string, string>): Promise<void> {
  const response = await fetch(`${sandboxOf(stack).url}/_sandbox/rate-limits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** Stripe's 429s the sandbox answered to events listings so far. */
const listingsRefused = () =>
  sandboxOf(stack).state.requests.filter((r) => r.path.startsWith('/v1/events') && r.status === 429)
    .length;

function recordingMetrics() {
  const counted: [MetricName, number][] = [];
  const metrics: ServiceMetrics = { count: (name, value = 1) => counted.push([name, value]) };
  const total = (name: MetricName) =>
    counted.filter(([n]) => n === name).reduce((sum, [, v]) => sum + v, 0);
  return { metrics, total };
}

/** The reconciler as the scheduled function builds it; `backoff` replaces the scheduled one. */
function reconciler(metrics: ServiceMetrics, backoff?: BackoffOptions) {
  const { stripeConnection } = stack.functions;
  return buildReconciler(config, {
    dynamo,
    sns,
    secrets: stack.functions.secrets,
    logger: silentLogger(),
    metrics,
    ...(stripeConnection ? { stripeConnection } : {}),
    ...(backoff ? { stripeRateLimitBackoff: backoff } : {}),
  });
}

/** Checkouts whose events the webhook never gets (its endpoint disabled): what runs must recover. */
async function missedCheckouts(prefix: string, count: number) {
  const swallow = await swallowDeliveries(stack, stripe, 'disabled');
  const users = Array.from({ length: count }, (_, i) => `${prefix}-${String(i)}`);
  const sessions: string[] = [];
  for (const user of users) sessions.push(await buy(stack, user));
  await swallow.restore();
  const events: string[] = [];
  for (const session of sessions) {
    const ofCustomer = await eventsOfCustomer(stripe, await customerOf(stripe, session));
    events.push(...ofCustomer.filter((e) => HANDLED.includes(e.type)).map((e) => e.id));
  }
  expect(events.length).toBeGreaterThanOrEqual(2 * count);
  return { users, events: events.sort() };
}

/** The Stripe event ids of the billing messages the users' subscriber received. */
async function publishedFor(users: readonly string[]): Promise<string[]> {
  const messages = (await Promise.all(users.map((user) => billingEventsOf(stack, user)))).flat();
  return messages.map((m) => m.stripeEventId).sort();
}

describe("reconciliation under Stripe's rate limits", () => {
  it('completes a first run over 30 days of listings at 10 requests a second: every refusal waited out, every missed event published once', async () => {
    const { users, events } = await missedCheckouts('rate-complete', 4);
    const { metrics, total } = recordingMetrics();
    const refusedBefore = listingsRefused();
    await sandboxRateLimits({ global: '10', per_endpoint: '10' });

    const report = await reconciler(metrics).reconcile({
      context: localContext('stripe-reconcile', 300_000),
      name: 'rate-limits-complete',
    });

    expect(report).toMatchObject({ succeeded: true, complete: true });
    expect(report.stoppedBy).toBeUndefined();
    // The limit was met, and waited out: no run was cut short.
    expect(listingsRefused()).toBeGreaterThan(refusedBefore);
    expect(total(METRICS.stripeRateLimited)).toBe(0);
    expect(report.recovered).toEqual(expect.arrayContaining(events));
    expect(await publishedFor(users)).toEqual(events);
  });

  it('resumes across runs when the backoff gives up: each run stops cleanly, keeps its cursor, the next continues; every event once', async () => {
    const { users, events } = await missedCheckouts('rate-resume', 2);
    const { metrics, total } = recordingMetrics();
    await sandboxRateLimits({ global: '10', per_endpoint: '10' });
    // A run past its deadline never waits: the first refusal stops it.
    const givesUp: BackoffOptions = {
      baseDelayMs: 1,
      maxDelayMs: 1,
      windowMs: 0,
      deadline: () => 0,
    };
    const run = reconciler(metrics, givesUp);

    const reports: ReconciliationReport[] = [];
    for (let i = 0; i < 40 && reports.at(-1)?.complete !== true; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1_100)); // the bucket refills
      reports.push(
        await run.reconcile({
          context: localContext('stripe-reconcile', 300_000),
          name: 'rate-limits-resume',
        }),
      );
    }

    const stopped = reports.filter((r) => !r.complete);
    expect(stopped.length).toBeGreaterThan(0);
    for (const report of stopped) {
      expect(report).toMatchObject({ succeeded: true, stoppedBy: 'rate_limited', failures: [] });
    }
    expect(reports.at(-1)).toMatchObject({ succeeded: true, complete: true });
    expect(total(METRICS.stripeRateLimited)).toBe(stopped.length);
    expect(total(METRICS.reconciliationFailures)).toBe(0);
    // Each run kept how far it got: the saved cursor only ever moves forward.
    const cursors = reports.flatMap((r) => (r.cursor.saved === undefined ? [] : [r.cursor.saved]));
    expect(cursors.length).toBeGreaterThan(1);
    expect([...cursors].sort()).toEqual(cursors);
    expect(await publishedFor(users)).toEqual(events);
  });
});
