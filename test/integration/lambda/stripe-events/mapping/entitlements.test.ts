import Stripe from 'stripe';
import type { StripeSandbox } from 'stripe-sandbox';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../../lambda/shared/routes';
import type { LocalStack } from '../../../../../local/local-stack';
import { localToken, sandboxStripe, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Issue 15, item 3, on the real local stack: features attached in the sandbox to the
 * product the service synced at checkout become `entitlements.updated` billing events
 * (the active features' lookup keys and the user), granted when a subscription starts,
 * revoked (`features: []`) when it ends; a summary that embeds one page of several is
 * completed from the sandbox through the stripe SDK, never published truncated.
 */

const PRICE = 'price-pro-monthly';

let stack: LocalStack;
let sandbox: StripeSandbox;
let stripe: Stripe;
beforeAll(async () => {
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
  stripe = sandboxStripe(stack, 'sk_test_entitlements');
});
afterAll(async () => {
  await stack.stop();
});

/** Checks out the recurring price through the service and pays on the hosted page. */
async function subscribe(userId: string): Promise<void> {
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await localToken(stack, userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      priceId: PRICE,
      successUrl: `${stack.apiUrl}/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
  const { checkoutSessionId } = (await response.json()) as { checkoutSessionId: string };
  await fetch(`${sandbox.url}/checkout/${checkoutSessionId}/pay`, {
    method: 'POST',
    redirect: 'manual',
  });
}

/** Every delivery settled (all answered 2xx), then the user's billing events, oldest first. */
async function billingEventsOf(userId: string): Promise<BillingEvent[]> {
  const { deliveries } = (await (
    await fetch(`${sandbox.url}/_sandbox/deliveries?wait=true`)
  ).json()) as { deliveries: { status: number | null }[] };
  expect(deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === userId);
}

const entitlementEvents = async (userId: string): Promise<BillingEvent[]> =>
  (await billingEventsOf(userId)).filter((event) => event.type === 'entitlements.updated');

/** The sandbox product behind the catalog's price, as the service synced it at checkout. */
async function syncedProduct(userId: string): Promise<string> {
  const created = (await billingEventsOf(userId)).find((e) => e.type === 'subscription.created');
  const [item] = (created?.data.items ?? []) as { productId: string }[];
  if (!item) throw new Error(`no subscription.created for ${userId}`);
  return item.productId;
}

async function attachFeatures(productId: string, lookupKeys: string[]): Promise<void> {
  for (const key of lookupKeys) {
    const feature = await stripe.entitlements.features.create({ name: key, lookup_key: key });
    await stripe.products.createFeature(productId, { entitlement_feature: feature.id });
  }
}

describe('entitlements on the local stack', () => {
  let productId: string;

  it('a subscription to a product with features: entitlements.updated, then [] when it ends', async () => {
    // The first checkout syncs the price's product to the sandbox (no features yet: no
    // entitlement changes, so no entitlement event).
    await subscribe('ent-first');
    productId = await syncedProduct('ent-first');
    expect(await entitlementEvents('ent-first')).toEqual([]);
    await attachFeatures(productId, ['pro-exports', 'api-access']);

    await subscribe('ent-buyer');
    const [granted, ...others] = await entitlementEvents('ent-buyer');
    expect(others).toEqual([]);
    expect(granted).toMatchObject({
      type: 'entitlements.updated',
      stripeEventType: 'entitlements.active_entitlement_summary.updated',
      userId: 'ent-buyer',
      stripeCustomerId: expect.stringMatching(/^cus_/) as unknown,
      data: {
        customerId: granted?.stripeCustomerId,
        features: ['api-access', 'pro-exports'],
        entitlements: [
          { feature: expect.stringMatching(/^feat_/) as unknown, lookupKey: 'api-access' },
          { feature: expect.stringMatching(/^feat_/) as unknown, lookupKey: 'pro-exports' },
        ],
      },
    });

    const created = (await billingEventsOf('ent-buyer')).find(
      (e) => e.type === 'subscription.created',
    );
    const subscriptionId = String(created?.data.subscriptionId);
    await fetch(`${sandbox.url}/_sandbox/subscriptions/${subscriptionId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const events = await entitlementEvents('ent-buyer');
    expect(events.map((event) => event.data.features)).toEqual([['api-access', 'pro-exports'], []]);
    expect(events[1]?.data.entitlements).toEqual([]);
  });

  it('a summary that embeds one page of several: the whole list is published', async () => {
    // ent-first is still subscribed: features attached to its product reach it too. With
    // 11 in all, the sandbox's summary embeds 10 (has_more); the webhook reads the rest.
    const more = Array.from({ length: 9 }, (_, i) => `extra-${String(i)}`);
    await attachFeatures(productId, more);
    const events = await entitlementEvents('ent-first');
    const last = events[events.length - 1];
    expect(last?.data.features).toEqual(['api-access', ...more, 'pro-exports'].sort());
    expect(last?.data.entitlements).toHaveLength(11);
  });
});
