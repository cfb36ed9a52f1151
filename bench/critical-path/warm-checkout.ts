import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import type { StripeSandbox } from 'stripe-sandbox';
import { ROUTES } from '../../lambda/shared/routes';
import { LOCAL_SECRET_DEFAULTS } from '../../local/config';
import { signAccessToken } from '../../local/dev-tokens';
import type { LocalStack } from '../../local/local-stack';
import { apiEvent, lambdaContext } from '../../test/support/api-events';
import type { InstrumentedHandlers } from '../local-services';
import { callTimes, inTurn, type InTurnRun, nth, REQUESTS, WARM_UP } from './in-turn';

const BUYER = 'bench-buyer';
const PRICE = 'price-pro-monthly';

/** The warm checkouts and their floor, and the calls per request they made. */
export interface CheckoutRun {
  readonly run: InTurnRun;
  readonly calls: string;
}

/**
 * Warm checkout: the customer and the price are already in Stripe. Its floor is the same
 * remote calls, made directly through the same clients.
 */
export async function measureWarmCheckout(
  stack: LocalStack,
  sandbox: StripeSandbox,
  handlers: InstrumentedHandlers,
): Promise<CheckoutRun> {
  const checkout = await checkoutRequests(stack, handlers);
  for (let i = 0; i < WARM_UP; i++) await checkout(REQUESTS + i);
  // Prepared after the warm-up: the first checkout made the buyer's Stripe customer.
  const floor = await checkoutFloor(stack, sandbox, handlers);
  for (let i = 0; i < WARM_UP; i++) await floor();
  // The Stripe requests the handler's checkouts made (the floor's are left out).
  const stripeRequests = new Map<string, number>();
  const run = await inTurn(
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
    floor,
  );
  const calls = [
    callTimes(run, REQUESTS),
    ...[...stripeRequests.entries()].map(
      ([k, n]) => `${k} × ${(n / REQUESTS).toFixed(2).replace(/\.00$/, '')}`,
    ),
  ].join(', ');
  return { run, calls };
}

/** The `i`th of the prepared checkout requests, through the API handler. */
async function checkoutRequests(
  stack: LocalStack,
  handlers: InstrumentedHandlers,
): Promise<(i: number) => Promise<void>> {
  const authorization = `Bearer ${await signAccessToken({
    secret: LOCAL_SECRET_DEFAULTS.jwtAccessTokenSecret,
    subject: BUYER,
  })}`;
  const events = Array.from({ length: REQUESTS + WARM_UP }, () =>
    apiEvent(ROUTES.createCheckoutSession, {
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        priceId: PRICE,
        successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${stack.apiUrl}/`,
      }),
    }),
  );
  return async (i) => {
    const response = await handlers.api(nth(events, i), lambdaContext());
    if (response.statusCode !== 200)
      throw new Error(`checkout answered ${response.statusCode}: ${response.body}`);
  };
}

/**
 * The checkout's remote calls without the handler: its three reads at once (the customer,
 * the price, its sync record), then the Stripe call.
 */
async function checkoutFloor(
  stack: LocalStack,
  sandbox: StripeSandbox,
  handlers: InstrumentedHandlers,
): Promise<() => Promise<void>> {
  const documents = DynamoDBDocumentClient.from(handlers.dynamo);
  const stripe = new Stripe(LOCAL_SECRET_DEFAULTS.stripeSecretKey, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
  });
  const price = (
    await documents.send(
      new GetCommand({ TableName: stack.names.pricesTable, Key: { priceId: PRICE } }),
    )
  ).Item as { stripePriceId: string };
  const customer = (
    await documents.send(
      new GetCommand({ TableName: stack.names.customersTable, Key: { userId: BUYER } }),
    )
  ).Item as { stripeCustomerId: string };
  return async () => {
    await Promise.all([
      documents.send(
        new GetCommand({
          TableName: stack.names.customersTable,
          Key: { userId: BUYER },
          ConsistentRead: true,
        }),
      ),
      documents.send(
        new GetCommand({ TableName: stack.names.pricesTable, Key: { priceId: PRICE } }),
      ),
      documents.send(
        new GetCommand({
          TableName: stack.names.catalogSyncTable,
          Key: { priceId: PRICE },
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
}
