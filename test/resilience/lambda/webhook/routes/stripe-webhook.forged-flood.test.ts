import type Stripe from 'stripe';
import { buildReconciler } from '../../../../../lambda/reconcile/composition-root';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { METRICS } from '../../../../../lambda/domain/metrics';
import { BILLING_EVENT_TYPES } from '../../../../../lambda/shared/billing-events';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../../local/services/aws-clients';
import { localReconcileConfig } from '../../../../../scripts/lib/targets';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { deliveriesSettled, sandboxOf, stripeFor } from '../../../../support/reconciliation';
import { changes, stackState } from '../../../../support/side-effects';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../../../support/stripe-events';
import { silentLogger, startTestStack } from '../../../../support/test-stack';
import {
  startThrottlingGateway,
  type ThrottlingGateway,
} from '../../../../support/throttling-gateway';

jest.setTimeout(90_000);

/**
 * The contract's bound on webhook starvation (section 4): a flood of forged deliveries
 * cannot keep Stripe's real deliveries out for longer than Stripe retries, because the
 * billing event does not depend on them. The deployed edge is stood in for by a token
 * bucket in front of the local API's webhook route (API Gateway's route throttle); the
 * flood keeps it empty, so Stripe's real deliveries, every retry included, are answered
 * 429 and never reach the function. What gets through of the flood costs a signature
 * check and is refused 400, leaving nothing behind. One reconciliation run, which reads
 * Stripe's events list and not the webhook, then publishes the real event, exactly once;
 * Stripe's retry after the flood finds it processed.
 * (docs/hostile-traffic.md explains the bound and what an HTTP API cannot do.)
 */
const BURST = 20;
const FLOOD = 120;

let stack: LocalStack;
let stripe: Stripe;
let gateway: ThrottlingGateway;

beforeAll(async () => {
  stack = await startTestStack();
  stripe = stripeFor(stack);
  gateway = await startThrottlingGateway(stack.apiUrl, { burst: BURST, ratePerSecond: 0 });
  // Stripe's deliveries go through the throttle, retried quickly: here the flood outlasts
  // every retry, as it would have to outlast three days of them at Stripe.
  sandboxOf(stack).state.delivery.configure({
    endpoints: [`${gateway.url}${ROUTES.stripeWebhook.path}`],
    retryDelaysMs: [20, 50, 100],
  });
});
afterAll(async () => {
  await gateway.close();
  await stack.stop();
});

/** A forged delivery: a real-looking event signed with a secret that is not the endpoint's. */
async function forgedDelivery(i: number): Promise<number> {
  const payload = JSON.stringify(
    stripeEvent('payment_intent.succeeded', {
      ...paymentIntentObject('succeeded'),
      metadata: { userId: `forged-${String(i)}` },
    }),
  );
  const response = await fetch(`${gateway.url}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureFor(payload, 'whsec_forged'),
    },
    body: payload,
  });
  return response.status;
}

/** Stripe's own delivery of `event` through the throttle, signed with the endpoint's secret. */
async function realDelivery(event: Stripe.Event): Promise<number> {
  const payload = JSON.stringify(event);
  const response = await fetch(`${gateway.url}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
    },
    body: payload,
  });
  return response.status;
}

const messagesFor = async (stripeEventId: string): Promise<BillingEvent[]> =>
  (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.stripeEventId === stripeEventId);

function reconciler(metrics: RecordingMetrics) {
  const { secrets, stripeConnection } = stack.functions;
  return buildReconciler(localReconcileConfig(stack.names, stack.billingEventsTopicArn), {
    dynamo: localDynamoClient(stack.endpoints.dynamodb),
    sns: localSnsClient(stack.endpoints.sns),
    secrets,
    logger: silentLogger(),
    metrics,
    ...(stripeConnection ? { stripeConnection } : {}),
  });
}

describe('a flood of forged webhook deliveries', () => {
  it('costs a refused signature each, and cannot keep a billing event out for longer than one reconciliation run', async () => {
    // The flood: what the throttle lets through is refused 400 and leaves nothing; the rest is shed.
    const before = await stackState(stack);
    const answers = await Promise.all(Array.from({ length: FLOOD }, (_, i) => forgedDelivery(i)));
    expect(answers.filter((status) => status === 400)).toHaveLength(BURST);
    expect(answers.filter((status) => status === 429)).toHaveLength(FLOOD - BURST);
    expect(changes(before, await stackState(stack))).toEqual([]);

    // A real payment while the flood holds the route: every delivery of its event, retries
    // included, is throttled before it reaches the function.
    const userId = 'paid-during-the-flood';
    const intent = await stripe.paymentIntents.create({
      amount: 2_500,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      metadata: { userId },
    });
    await deliveriesSettled(stack);
    const events = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 20 });
    const real = events.data.find((e) => (e.data.object as { id?: string }).id === intent.id);
    if (!real) throw new Error(`no payment_intent.succeeded for ${intent.id}`);
    const attempts = sandboxOf(stack).state.delivery.attempts.filter((a) => a.eventId === real.id);
    expect(attempts.map((a) => a.status)).toEqual([429, 429, 429, 429]);
    expect(await messagesFor(real.id)).toEqual([]);

    // One reconciliation run publishes it, from Stripe's events list.
    const metrics = new RecordingMetrics();
    const report = await reconciler(metrics).reconcile({
      context: localContext('stripe-reconcile'),
    });
    expect(report.succeeded).toBe(true);
    expect(report.recovered).toContain(real.id);
    expect(metrics.totals()[METRICS.eventsRecovered]).toBeGreaterThanOrEqual(1);
    const published = await messagesFor(real.id);
    expect(published.map((event) => [event.type, event.userId])).toEqual([
      [BILLING_EVENT_TYPES.paymentSuccessful, userId],
    ]);

    // The flood ends; Stripe's next retry finds the event processed and publishes nothing.
    gateway.refill();
    expect(await realDelivery(real)).toBe(200);
    expect(await messagesFor(real.id)).toHaveLength(1);
  });
});
