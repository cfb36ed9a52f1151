import {
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import type { LocalStack } from '../local/local-stack';
import { LOCAL_SECRET_DEFAULTS } from '../local/config';
import { signAccessToken } from '../local/dev-tokens';
import { ROUTES } from '../lambda/shared/routes';
import { EVENT_LEDGER_TABLE } from '../lambda/shared/tables';
import { apiEvent, lambdaContext } from '../test/support/api-events';
import { paymentIntentObject, signatureFor, stripeEvent } from '../test/support/stripe-events';
import { type InstrumentedHandlers, instrumentedHandlers } from './local-services';
import { percentile, type RecordedCall } from './support';

/** Injected per-call latency: a stand-in for the network between Lambda, AWS and Stripe. */
export const LATENCY = { stripeMs: 100, dynamoMs: 10, snsMs: 10 };
const REQUESTS = 60;
const WARM_UP = 5;

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

const token = (userId: string): Promise<string> =>
  signAccessToken({ secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret, subject: userId });

/** The `i`th of the prepared requests. */
function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no request ${String(i)}`);
  return item;
}

/** Time per request and the calls made, for the handler's requests and the floor's. */
interface Side {
  readonly times: number[];
  readonly calls: RecordedCall[];
}

/**
 * A handler request, then its floor, `runs` times in turn: drift on a noisy machine hits
 * both alike. The calls each side made are recorded with their durations.
 */
async function inTurn(
  handlers: InstrumentedHandlers,
  runs: number,
  request: (i: number) => Promise<void>,
  floor: (i: number) => Promise<void>,
): Promise<{ own: Side; floor: Side }> {
  const own: Side = { times: [], calls: [] };
  const base: Side = { times: [], calls: [] };
  for (let i = 0; i < runs; i++) {
    for (const [side, run] of [
      [own, request],
      [base, floor],
    ] as const) {
      const recording = { calls: side.calls, inputs: false };
      handlers.dynamoCalls.recording = recording;
      handlers.snsCalls.recording = recording;
      const started = performance.now();
      await run(i);
      side.times.push(performance.now() - started);
    }
  }
  handlers.dynamoCalls.recording = undefined;
  handlers.snsCalls.recording = undefined;
  return { own, floor: base };
}

/**
 * `DynamoDB.PutItem × 1 (12.1 ms; floor 11.9 ms)`: the calls per request and the mean time
 * of each, in the handler's requests and in the floor's.
 */
function callTimes(
  own: readonly RecordedCall[],
  floor: readonly RecordedCall[],
  requests: number,
): string {
  const byCall = (calls: readonly RecordedCall[]) => {
    const totals = new Map<string, { count: number; ms: number }>();
    for (const { service, command, durationMs } of calls) {
      const name = `${service}.${command.replace(/Command$/, '')}`;
      const total = totals.get(name) ?? { count: 0, ms: 0 };
      totals.set(name, { count: total.count + 1, ms: total.ms + durationMs });
    }
    return totals;
  };
  const floorTotals = byCall(floor);
  return [...byCall(own).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { count, ms }]) => {
      const perRequest = (count / requests).toFixed(count % requests === 0 ? 0 : 2);
      const floorCall = floorTotals.get(name);
      const floorText = floorCall
        ? `; floor ${(floorCall.ms / floorCall.count).toFixed(1)} ms`
        : '';
      return `${name} × ${perRequest} (${(ms / count).toFixed(1)} ms${floorText})`;
    })
    .join(', ');
}

/**
 * Sends one recorded call again through the same client: the webhook's floor replays the
 * exact requests a delivery made (Powertools' conditional writes as Powertools wrote them,
 * the billing event's message and attributes), so the stand-ins' cost per call is the same
 * on both sides and the difference is the handler's own.
 */
function replay(handlers: InstrumentedHandlers, call: RecordedCall): Promise<unknown> {
  switch (`${call.service}.${call.command}`) {
    case 'DynamoDB.PutItemCommand':
      return handlers.dynamo.send(new PutItemCommand(call.input as PutItemCommandInput));
    case 'DynamoDB.UpdateItemCommand':
      return handlers.dynamo.send(new UpdateItemCommand(call.input as UpdateItemCommandInput));
    case 'SNS.PublishCommand':
      return handlers.sns.send(new PublishCommand(call.input as PublishCommandInput));
    default:
      throw new Error(`The webhook floor cannot replay ${call.service}.${call.command}.`);
  }
}

/** The idempotency records' keys the recorded calls name, so a replay can use fresh ones. */
function idempotencyKeys(calls: readonly RecordedCall[]): string[] {
  const keyName = EVENT_LEDGER_TABLE.partitionKey.name;
  const keys = new Set<string>();
  for (const { input } of calls) {
    const { Item, Key } = input as {
      Item?: Record<string, { S?: string }>;
      Key?: Record<string, { S?: string }>;
    };
    const key = (Item ?? Key)?.[keyName]?.S;
    if (key !== undefined) keys.add(key);
  }
  return [...keys];
}

export async function measureCriticalPath(stack: LocalStack): Promise<PathFigure[]> {
  const sandbox = stack.stripeSandbox;
  if (!sandbox) throw new Error('the critical path benchmark needs the Stripe sandbox');
  const handlers = instrumentedHandlers(stack, {
    dynamoLatencyMs: LATENCY.dynamoMs,
    snsLatencyMs: LATENCY.snsMs,
  });
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delay_ms: LATENCY.stripeMs, count: 1_000_000_000 }),
  });

  // Warm checkout: the customer and the price are already in Stripe.
  const authorization = `Bearer ${await token('bench-buyer')}`;
  const checkoutEvents = Array.from({ length: REQUESTS + WARM_UP }, () =>
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId: 'price-pro-monthly',
        successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    }),
  );
  const checkout = async (i: number) => {
    const response = await handlers.api(nth(checkoutEvents, i), lambdaContext());
    if (response.statusCode !== 200)
      throw new Error(`checkout answered ${response.statusCode}: ${response.body}`);
  };
  for (let i = 0; i < WARM_UP; i++) await checkout(REQUESTS + i);
  // Its floor: the same remote calls, made directly through the same clients.
  const documents = DynamoDBDocumentClient.from(handlers.dynamo);
  const stripe = new Stripe(LOCAL_SECRET_DEFAULTS.stripeSecretKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
  });
  const price = (
    await documents.send(
      new GetCommand({ TableName: stack.names.pricesTable, Key: { priceId: 'price-pro-monthly' } }),
    )
  ).Item as { stripePriceId: string };
  const customer = (
    await documents.send(
      new GetCommand({ TableName: stack.names.customersTable, Key: { userId: 'bench-buyer' } }),
    )
  ).Item as { stripeCustomerId: string };
  const checkoutFloor = async () => {
    await Promise.all([
      documents.send(
        new GetCommand({
          TableName: stack.names.customersTable,
          Key: { userId: 'bench-buyer' },
          ConsistentRead: true,
        }),
      ),
      documents.send(
        new GetCommand({
          TableName: stack.names.pricesTable,
          Key: { priceId: 'price-pro-monthly' },
        }),
      ),
      documents.send(
        new GetCommand({
          TableName: stack.names.catalogSyncTable,
          Key: { priceId: 'price-pro-monthly' },
          ConsistentRead: true,
        }),
      ),
    ]);
    await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.stripeCustomerId,
      line_items: [{ price: price.stripePriceId, quantity: 1 }],
      success_url: 'https://app.example.com/ok',
      cancel_url: 'https://app.example.com/',
    });
  };
  for (let i = 0; i < WARM_UP; i++) await checkoutFloor();
  // The Stripe requests the handler's checkouts made (the floor's are left out).
  const stripeRequests = new Map<string, number>();
  const checkoutRun = await inTurn(
    handlers,
    REQUESTS,
    async (i) => {
      const before = sandbox.state.requests.length;
      await checkout(i);
      for (const request of sandbox.state.requests.slice(before)) {
        const key = `Stripe ${request.method} ${request.path.replace(/\/(cs|cus|price|prod)_[A-Za-z0-9_]+/g, '/{id}')}`;
        stripeRequests.set(key, (stripeRequests.get(key) ?? 0) + 1);
      }
    },
    checkoutFloor,
  );
  const checkoutCalls = [
    callTimes(checkoutRun.own.calls, checkoutRun.floor.calls, REQUESTS),
    ...[...stripeRequests.entries()].map(
      ([k, n]) => `${k} × ${(n / REQUESTS).toFixed(2).replace(/\.00$/, '')}`,
    ),
  ].join(', ');

  // Warm webhook: distinct events, the user in their metadata (no customer lookup).
  const delivery = () => {
    const payload = JSON.stringify(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
    );
    return apiEvent(ROUTES.stripeWebhook, {
      headers: {
        'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
      },
      body: payload,
    });
  };
  const deliveries = Array.from({ length: REQUESTS + WARM_UP }, delivery);
  const webhook = async (i: number) => {
    const response = await handlers.webhook(nth(deliveries, i), lambdaContext());
    if (response.statusCode !== 200)
      throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
  };
  for (let i = 0; i < WARM_UP; i++) await webhook(REQUESTS + i);
  // Its floor replays the exact requests of one more delivery, recorded with their inputs,
  // each idempotency record under a key of its own (prepared here, as the deliveries are).
  const sample: RecordedCall[] = [];
  const recording = { calls: sample, inputs: true };
  handlers.dynamoCalls.recording = recording;
  handlers.snsCalls.recording = recording;
  await handlers.webhook(delivery(), lambdaContext());
  handlers.dynamoCalls.recording = undefined;
  handlers.snsCalls.recording = undefined;
  const sampleText = JSON.stringify(sample);
  const keys = idempotencyKeys(sample);
  const floorRequests = Array.from({ length: REQUESTS + WARM_UP }, (_, i) => {
    let text = sampleText;
    for (const key of keys) text = text.replaceAll(key, `${key}-floor-${String(i)}`);
    return JSON.parse(text) as RecordedCall[];
  });
  const webhookFloor = async (i: number) => {
    for (const call of nth(floorRequests, i)) await replay(handlers, call);
  };
  for (let i = 0; i < WARM_UP; i++) await webhookFloor(REQUESTS + i);
  const webhookRun = await inTurn(handlers, REQUESTS, webhook, webhookFloor);

  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  const checkoutIdeal = LATENCY.dynamoMs + LATENCY.stripeMs;
  const webhookIdeal = 2 * LATENCY.dynamoMs + LATENCY.snsMs;
  return [
    {
      name: 'warm checkout (POST /stripe/payment-intent)',
      p50: percentile(checkoutRun.own.times, 50),
      p95: percentile(checkoutRun.own.times, 95),
      ideal: checkoutIdeal,
      idealText: `${checkoutIdeal} ms: one DynamoDB round trip + one Stripe call`,
      floorP50: percentile(checkoutRun.floor.times, 50),
      calls: checkoutCalls,
    },
    {
      name: 'warm webhook (POST /stripe/webhook)',
      p50: percentile(webhookRun.own.times, 50),
      p95: percentile(webhookRun.own.times, 95),
      ideal: webhookIdeal,
      idealText: `${webhookIdeal} ms: the two idempotency writes + one publish`,
      floorP50: percentile(webhookRun.floor.times, 50),
      calls: callTimes(webhookRun.own.calls, webhookRun.floor.calls, REQUESTS),
    },
  ];
}

export const CRITICAL_PATH_REQUESTS = REQUESTS;
