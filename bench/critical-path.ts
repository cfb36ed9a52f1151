import { PublishCommand } from '@aws-sdk/client-sns';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import Stripe from 'stripe';
import type { LocalStack } from '../local/local-stack';
import { LOCAL_SECRET_DEFAULTS } from '../local/config';
import { ROUTES } from '../lambda/shared/routes';
import { apiEvent, lambdaContext } from '../test/support/api-events';
import { paymentIntentObject, signatureFor, stripeEvent } from '../test/support/stripe-events';
import { instrumentedHandlers } from './local-services';
import { percentile } from './support';

/** Injected per-call latency: a stand-in for the network between Lambda, AWS and Stripe. */
export const LATENCY = { stripeMs: 100, dynamoMs: 10, snsMs: 10 };
const REQUESTS = 40;
const WARM_UP = 5;

export interface PathFigure {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly ideal: number;
  readonly idealText: string;
  /** The same remote calls made directly, without the handler: what the stand-ins cost. */
  readonly floorP50: number;
  readonly calls: string;
}

async function timed(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
}

async function token(userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret));
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

  const stripeCalls = () => {
    const counts = new Map<string, number>();
    for (const request of sandbox.state.requests) {
      const key = `Stripe ${request.method} ${request.path.replace(/\/(cs|cus|price|prod)_[A-Za-z0-9_]+/g, '/{id}')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const describe = (counts: Map<string, number>) =>
    [...counts.entries()].map(
      ([k, n]) => `${k} × ${(n / REQUESTS).toFixed(2).replace(/\.00$/, '')}`,
    );

  // Warm checkout: the customer and the price are already in Stripe.
  const authorization = `Bearer ${await token('bench-buyer')}`;
  const checkoutEvent = () =>
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId: 'price-pro-monthly',
        successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    });
  for (let i = 0; i < WARM_UP; i++) await handlers.api(checkoutEvent(), lambdaContext());
  handlers.dynamoCalls.reset();
  sandbox.state.requests.length = 0;
  const checkoutTimes: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const event = checkoutEvent();
    const started = performance.now();
    const response = await handlers.api(event, lambdaContext());
    checkoutTimes.push(performance.now() - started);
    if (response.statusCode !== 200)
      throw new Error(`checkout answered ${response.statusCode}: ${response.body}`);
  }
  const checkoutCalls = [handlers.dynamoCalls.describe(REQUESTS), ...describe(stripeCalls())].join(
    ', ',
  );

  // Warm webhook: distinct events, the user in their metadata (no customer lookup).
  const deliveries = Array.from({ length: REQUESTS + WARM_UP }, () => {
    const payload = JSON.stringify(
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded')),
    );
    return apiEvent(ROUTES.stripeWebhook, {
      headers: {
        'stripe-signature': signatureFor(payload, LOCAL_SECRET_DEFAULTS.stripeWebhookSecret),
      },
      body: payload,
    });
  });
  for (const event of deliveries.slice(0, WARM_UP)) await handlers.webhook(event, lambdaContext());
  handlers.dynamoCalls.reset();
  handlers.snsCalls.reset();
  const webhookTimes: number[] = [];
  for (const event of deliveries.slice(WARM_UP)) {
    const started = performance.now();
    const response = await handlers.webhook(event, lambdaContext());
    webhookTimes.push(performance.now() - started);
    if (response.statusCode !== 200)
      throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
  }
  const webhookCalls = [
    handlers.dynamoCalls.describe(REQUESTS),
    handlers.snsCalls.describe(REQUESTS),
  ].join(', ');

  // The floors: the same remote calls, made directly through the same clients.
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
  const checkoutFloor = await timed(REQUESTS, async () => {
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
  });
  const webhookFloor = await timed(REQUESTS, async (i) => {
    const key = { eventId: `floor-${String(i)}-${String(Date.now())}` };
    await documents.send(
      new PutCommand({
        TableName: stack.names.idempotencyTable,
        Item: { ...key, status: 'INPROGRESS' },
        ConditionExpression: 'attribute_not_exists(eventId)',
      }),
    );
    await handlers.sns.send(
      new PublishCommand({ TopicArn: stack.billingEventsTopicArn, Message: '{}' }),
    );
    await documents.send(
      new UpdateCommand({
        TableName: stack.names.idempotencyTable,
        Key: key,
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'COMPLETED' },
      }),
    );
  });
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  const checkoutIdeal = LATENCY.dynamoMs + LATENCY.stripeMs;
  const webhookIdeal = 2 * LATENCY.dynamoMs + LATENCY.snsMs;
  return [
    {
      name: 'warm checkout (POST /stripe/payment-intent)',
      p50: percentile(checkoutTimes, 50),
      p95: percentile(checkoutTimes, 95),
      ideal: checkoutIdeal,
      idealText: `${checkoutIdeal} ms: one DynamoDB round trip + one Stripe call`,
      floorP50: percentile(checkoutFloor, 50),
      calls: checkoutCalls,
    },
    {
      name: 'warm webhook (POST /stripe/webhook)',
      p50: percentile(webhookTimes, 50),
      p95: percentile(webhookTimes, 95),
      ideal: webhookIdeal,
      idealText: `${webhookIdeal} ms: the two idempotency writes + one publish`,
      floorP50: percentile(webhookFloor, 50),
      calls: webhookCalls,
    },
  ];
}

export const CRITICAL_PATH_REQUESTS = REQUESTS;
