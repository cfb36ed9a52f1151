import type { BillingEvent } from '../../../lambda/domain/billing-event';
import { ROUTES } from '../../../lambda/shared/routes';
import type { LocalStack } from '../../../local/local-stack';
import type { StripeSandbox } from 'stripe-sandbox';
import { startTestStack } from '../../support/test-stack';

jest.setTimeout(60_000);

/**
 * The whole path of `npm start`: the checkout API creates a session, the sandbox's hosted
 * page completes it, the sandbox delivers signed events to the webhook route, and a
 * subscriber of the billing topic receives the billing events, each once.
 */
let stack: LocalStack;
let sandbox: StripeSandbox;
beforeAll(async () => {
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
});
afterAll(async () => {
  await stack.stop();
});

async function tokenFor(userId: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/_local/token?userId=${encodeURIComponent(userId)}`);
  return ((await response.json()) as { token: string }).token;
}

async function post(path: string, userId: string, body: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor(userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, string>;
}

async function checkout(userId: string, priceId: string): Promise<string> {
  const body = await post(ROUTES.createCheckoutSession.path, userId, {
    priceId,
    successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${stack.apiUrl}/`,
  });
  return body.checkoutSessionId ?? '';
}

/** Pays (or not) on the hosted checkout page, as a buyer's browser posts its form. */
async function completeOnPage(sessionId: string, action: 'pay' | 'decline' | 'requires-action') {
  await fetch(`${sandbox.url}/checkout/${sessionId}/${action}`, {
    method: 'POST',
    redirect: 'manual',
  });
}

/** Waits for every pending delivery (and retry) to settle, then reads the subscriber. */
async function billingEventsOf(userId: string): Promise<{ types: string[]; all: BillingEvent[] }> {
  const deliveries = (await (
    await fetch(`${sandbox.url}/_sandbox/deliveries?wait=true`)
  ).json()) as { deliveries: { status: number | null }[] };
  // Every delivery was answered 2xx: nothing was left for Stripe to retry.
  expect(deliveries.deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
  const all = (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === userId);
  return { types: all.map((event) => event.type).sort(), all };
}

const expectEachOnce = (events: BillingEvent[]) => {
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
};

describe('checkout outcomes on the sandbox reach the billing topic, each once', () => {
  it('a paid one-time purchase: payment.successful and checkout.completed', async () => {
    const sessionId = await checkout('buyer-once', 'price-typescript-course');
    await completeOnPage(sessionId, 'pay');
    const { types, all } = await billingEventsOf('buyer-once');
    expect(types).toEqual(['checkout.completed', 'payment.successful']);
    expectEachOnce(all);
    expect(all.find((e) => e.type === 'checkout.completed')?.data).toMatchObject({
      checkoutSessionId: sessionId,
      mode: 'payment',
      paymentStatus: 'paid',
      priceId: 'price-typescript-course',
    });
  });

  it('a user id too long for Stripe to hold: every billing event still names the user', async () => {
    // 512 characters (1,024 UTF-16 units): over Stripe's metadata and client_reference_id
    // limits, so the user is found through the customers table.
    const userId = '🦊'.repeat(512);
    const sessionId = await checkout(userId, 'price-pro-monthly');
    await completeOnPage(sessionId, 'pay');
    const { types, all } = await billingEventsOf(userId);
    expect(types).toEqual(['checkout.completed', 'invoice.paid', 'subscription.created']);
    expect(all.every((event) => event.userId === userId)).toBe(true);
    const status = (await (
      await fetch(`${stack.apiUrl}/stripe/checkout-sessions/${sessionId}`, {
        headers: { authorization: `Bearer ${await tokenFor(userId)}` },
      })
    ).json()) as { status?: string };
    expect(status.status).toBe('complete');
  });

  it('a paid subscription: subscription.created, invoice.paid and checkout.completed', async () => {
    const sessionId = await checkout('buyer-monthly', 'price-pro-monthly');
    await completeOnPage(sessionId, 'pay');
    const { types, all } = await billingEventsOf('buyer-monthly');
    expect(types).toEqual(['checkout.completed', 'invoice.paid', 'subscription.created']);
    expectEachOnce(all);
    const created = all.find((e) => e.type === 'subscription.created');
    expect(created?.data).toMatchObject({
      status: 'active',
      currentPeriodStart: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      currentPeriodEnd: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    const paid = all.find((e) => e.type === 'invoice.paid');
    expect(paid?.data.subscriptionId).toBe(created?.data.subscriptionId);
  });

  it('a declined card: payment.failed', async () => {
    const sessionId = await checkout('buyer-declined', 'price-typescript-course');
    await completeOnPage(sessionId, 'decline');
    const { types } = await billingEventsOf('buyer-declined');
    expect(types).toEqual(['payment.failed']);
  });

  it('a payment that requires action: payment.action_required', async () => {
    const sessionId = await checkout('buyer-3ds', 'price-typescript-course');
    await completeOnPage(sessionId, 'requires-action');
    const { types } = await billingEventsOf('buyer-3ds');
    expect(types).toEqual(['payment.action_required']);
  });

  it('a cancellation in the portal: subscription.canceled', async () => {
    const userId = 'buyer-cancels';
    await completeOnPage(await checkout(userId, 'price-pro-yearly'), 'pay');
    await billingEventsOf(userId);
    const portal = await post(ROUTES.createPortalSession.path, userId, {
      returnUrl: `${stack.apiUrl}/`,
    });
    const subscriptionId = (await billingEventsOf(userId)).all.find(
      (e) => e.type === 'subscription.created',
    )?.data.subscriptionId as string;
    const portalId = new URL(portal.url ?? '').pathname.split('/')[2] ?? '';
    await fetch(`${sandbox.url}/portal/${portalId}/subscriptions/${subscriptionId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'when=now',
      redirect: 'manual',
    });
    const { types, all } = await billingEventsOf(userId);
    expect(types).toEqual([
      'checkout.completed',
      'invoice.paid',
      'subscription.canceled',
      'subscription.created',
    ]);
    expectEachOnce(all);
    expect(all.find((e) => e.type === 'subscription.canceled')?.data).toMatchObject({
      subscriptionId,
      status: 'canceled',
      cancellationReason: 'cancellation_requested',
    });
  });

  it('shows the events on /_local/billing-events, as npm start does', async () => {
    const response = await fetch(`${stack.apiUrl}/_local/billing-events`);
    const { events } = (await response.json()) as { events: BillingEvent[] };
    expect(
      events
        .filter((e) => e.userId === 'buyer-once')
        .map((e) => e.type)
        .sort(),
    ).toEqual(['checkout.completed', 'payment.successful']);
  });
});
