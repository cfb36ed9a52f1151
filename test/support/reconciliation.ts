import Stripe from 'stripe';
import type { BillingEvent } from '../../lambda/domain/billing-event';
import { ROUTES } from '../../lambda/shared/routes';
import type { LocalStack } from '../../local/local-stack';
import type { StripeSandbox } from 'stripe-sandbox';
import { patientStripe } from './patient-stripe';

/**
 * What the reconciliation tests share: a stripe-node client on the stack's sandbox, flows
 * that make Stripe events, and ways to make the webhook miss them (a wrong endpoint that
 * acknowledges them, or the service's endpoint disabled).
 */
export function sandboxOf(stack: LocalStack): StripeSandbox {
  if (!stack.stripeSandbox) throw new Error('The test stack runs without the Stripe sandbox.');
  return stack.stripeSandbox;
}

export function stripeFor(stack: LocalStack): Stripe {
  return patientStripe(sandboxOf(stack).port);
}

export async function tokenFor(stack: LocalStack, userId: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/_local/token?userId=${encodeURIComponent(userId)}`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * A buyer checks out and pays on the hosted page: a one-time price makes
 * `checkout.session.completed` and `payment_intent.succeeded`, a recurring one
 * `customer.subscription.created`, `invoice.payment_succeeded` and the session's.
 */
export async function buy(
  stack: LocalStack,
  userId: string,
  priceId = 'price-typescript-course',
): Promise<string> {
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor(stack, userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      priceId,
      successUrl: `${stack.apiUrl}/success`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
  const body = (await response.json()) as { checkoutSessionId?: string };
  if (!body.checkoutSessionId) throw new Error(`Checkout failed: ${JSON.stringify(body)}`);
  await fetch(`${sandboxOf(stack).url}/checkout/${body.checkoutSessionId}/pay`, {
    method: 'POST',
    redirect: 'manual',
  });
  return body.checkoutSessionId;
}

/** Waits until every delivery (retries included) has settled. */
export async function deliveriesSettled(stack: LocalStack) {
  const response = await fetch(`${sandboxOf(stack).url}/_sandbox/deliveries?wait=true`);
  return (
    (await response.json()) as {
      deliveries: { eventId: string; url: string; status: number | null; endpointId: string }[];
    }
  ).deliveries;
}

/** The service's endpoint: the one the local stack configured (its webhook URL). */
export async function serviceEndpoint(stack: LocalStack, stripe: Stripe) {
  const url = `${stack.apiUrl}${ROUTES.stripeWebhook.path}`;
  const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
  const found = endpoints.data.find((endpoint) => endpoint.url === url);
  if (!found) throw new Error(`No webhook endpoint for ${url}`);
  return found;
}

export type Swallow = 'wrong-endpoint' | 'disabled';

/**
 * Until `restore`, Stripe's events do not reach the service: its endpoint is disabled and,
 * for `wrong-endpoint`, another endpoint (the sandbox's sink, which answers 200 to
 * anything) receives and acknowledges them, so Stripe counts them as delivered.
 */
export async function swallowDeliveries(stack: LocalStack, stripe: Stripe, how: Swallow) {
  const service = await serviceEndpoint(stack, stripe);
  await stripe.webhookEndpoints.update(service.id, { disabled: true });
  const wrong =
    how === 'wrong-endpoint'
      ? await stripe.webhookEndpoints.create({
          url: `${sandboxOf(stack).url}/_sandbox/sink`,
          enabled_events: ['*'],
          description: 'the wrong endpoint',
        })
      : undefined;
  return {
    wrongEndpointId: wrong?.id,
    restore: async () => {
      await deliveriesSettled(stack);
      if (wrong) await stripe.webhookEndpoints.del(wrong.id);
      await stripe.webhookEndpoints.update(service.id, { disabled: false });
    },
  };
}

/** The billing events the topic's subscriber received about a user. */
export async function billingEventsOf(stack: LocalStack, userId: string): Promise<BillingEvent[]> {
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === userId);
}

/** The sandbox's events whose object belongs to a checkout session or its customer. */
export async function eventsOfCustomer(stripe: Stripe, customerId: string) {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) {
    const object = event.data.object as { customer?: unknown; id?: unknown };
    if (object.customer === customerId || object.id === customerId) events.push(event);
  }
  return events;
}

/** The Stripe customer of a checkout session. */
export async function customerOf(stripe: Stripe, sessionId: string): Promise<string> {
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  if (typeof session.customer !== 'string') throw new Error('Session without a customer');
  return session.customer;
}

/**
 * A monthly subscription of a new customer of `userId` (both carry the user in their
 * metadata), made through the API, once its events are delivered.
 */
export async function subscribedUser(
  stack: LocalStack,
  stripe: Stripe,
  userId: string,
): Promise<Stripe.Subscription> {
  const customer = await stripe.customers.create({ metadata: { userId } });
  const product = await stripe.products.create({ name: `Plan of ${userId}` });
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 900,
    recurring: { interval: 'month' },
    product: product.id,
  });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    metadata: { userId },
  });
  await deliveriesSettled(stack);
  return subscription;
}
