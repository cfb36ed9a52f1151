import Stripe from 'stripe';
import { signatureHeader, type DeliveryAttempt, type StripeSandbox } from 'stripe-sandbox';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import { parseSecretList } from '../../../../../lambda/core/secrets';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { loadLocalConfig } from '../../../../../local/config';
import type { LocalStack } from '../../../../../local/local-stack';
import { sandboxStripe, startTestStack } from '../../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Thin events on the real local stack: a thin event destination on the sandbox pointing at
 * the local webhook, whose notifications the webhook resolves through the stripe SDK (to the
 * snapshot event, or to the related object) and publishes as the same billing events, once
 * per Stripe event whichever way it came in.
 */
let stack: LocalStack;
let sandbox: StripeSandbox;
let stripe: Stripe;
/** What the local webhook verifies with (the stack's first configured signing secret). */
const SIGNING_SECRET =
  parseSecretList(loadLocalConfig({}).secrets.stripeWebhookSecret, 'STRIPE_WEBHOOK_SECRET')[0] ??
  '';
let destinationId: string;
let snapshotEndpointId: string;

beforeAll(async () => {
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
  stripe = sandboxStripe(stack);
  const destination = await stripe.v2.core.eventDestinations.create({
    name: 'local webhook (thin)',
    type: 'webhook_endpoint',
    event_payload: 'thin',
    enabled_events: ['v1.payment_intent.succeeded', 'v1.customer.created'],
    webhook_endpoint: { url: `${stack.apiUrl}${ROUTES.stripeWebhook.path}` },
  });
  destinationId = destination.id;
  // The local webhook's secret is fixed at start: the destination signs with it.
  await control(`event_destinations/${destinationId}/signing_secret`, { secret: SIGNING_SECRET });
  const [endpoint] = (await stripe.webhookEndpoints.list()).data;
  snapshotEndpointId = endpoint?.id ?? '';
});
afterAll(async () => {
  await stack.stop();
});

async function control(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.url}/_sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function deliveriesTo(endpointId: string): Promise<DeliveryAttempt[]> {
  const response = await fetch(
    `${sandbox.url}/_sandbox/deliveries?wait=true&endpoint=${endpointId}`,
  );
  return ((await response.json()) as { deliveries: DeliveryAttempt[] }).deliveries;
}

async function billingEventsOf(userId: string): Promise<BillingEvent[]> {
  await sandbox.state.delivery.idle();
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === userId);
}

/** A card payment that succeeds at once: one `payment_intent.succeeded` for the user. */
const pay = (userId: string) =>
  stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    confirm: true,
    payment_method: 'pm_card_visa',
    metadata: { userId },
  });

/** POSTs a body to the local webhook, signed as the sandbox signs. */
async function deliverSigned(body: unknown) {
  const text = JSON.stringify(body);
  const response = await fetch(`${stack.apiUrl}${ROUTES.stripeWebhook.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signatureHeader(text, SIGNING_SECRET),
    },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('thin event notifications on the local webhook', () => {
  it('publishes one billing event when the same event comes both as snapshot and thin', async () => {
    const intent = await pay('thin-both');
    const events = await billingEventsOf('thin-both');
    expect(events.map((e) => e.type)).toEqual(['payment.successful']);
    const [published] = events;
    expect(published).toMatchObject({
      stripeEventType: 'payment_intent.succeeded',
      data: expect.objectContaining({ paymentIntentId: intent.id }) as unknown,
    });
    // Both ways in were acknowledged, the snapshot endpoint and the thin one (the one that
    // found the event in progress on the other answered 409 first, and Stripe retried).
    const thin = (await deliveriesTo(destinationId)).filter(
      (a) => a.eventId === published?.stripeEventId,
    );
    const snapshot = (await deliveriesTo(snapshotEndpointId)).filter(
      (a) => a.eventId === published?.stripeEventId,
    );
    expect(thin.at(-1)?.status).toBe(200);
    expect(snapshot.at(-1)?.status).toBe(200);
    expect([...thin, ...snapshot].every((a) => a.status === 200 || a.status === 409)).toBe(true);
  });

  it('publishes the same billing event from the thin notification alone', async () => {
    await stripe.webhookEndpoints.update(snapshotEndpointId, { disabled: true });
    try {
      const intent = await pay('thin-only');
      const events = await billingEventsOf('thin-only');
      expect(events).toHaveLength(1);
      const [published] = events;
      // Keyed by the v1 event the notification names: the id a snapshot delivery has.
      const [snapshot] = (
        await stripe.events.list({ type: 'payment_intent.succeeded', limit: 5 })
      ).data.filter((e) => (e.data.object as Stripe.PaymentIntent).id === intent.id);
      expect(published).toMatchObject({
        type: 'payment.successful',
        id: `${snapshot?.id ?? ''}:payment.successful`,
        stripeEventId: snapshot?.id,
        userId: 'thin-only',
        data: expect.objectContaining({ paymentIntentId: intent.id, amount: 2500 }) as unknown,
      });
    } finally {
      await stripe.webhookEndpoints.update(snapshotEndpointId, { disabled: false });
    }
  });

  it("resolves a notification that names no snapshot event through Stripe's v2 event: still one message", async () => {
    const intent = await pay('thin-related');
    const [published] = await billingEventsOf('thin-related');
    // The notification the sandbox sent for this payment, delivered again without its
    // snapshot_event: the service must find the same v1 event (GET /v2/core/events/:id),
    // never publish the change again under the thin event's id.
    const thin = [...sandbox.state.delivery.thinEvents.values()].find(
      (t) => t.snapshot_event === published?.stripeEventId,
    );
    expect(thin).toBeDefined();
    const answer = await deliverSigned({ ...thin, snapshot_event: undefined });
    expect(answer).toEqual({
      status: 200,
      body: { received: true, billingEventId: published?.id },
    });
    const events = await billingEventsOf('thin-related');
    expect(events.filter((e) => e.type === 'payment.successful')).toHaveLength(1);
    expect(events[0]).toMatchObject({
      data: expect.objectContaining({ paymentIntentId: intent.id }) as unknown,
    });
  });

  it('parks a notification whose snapshot event Stripe does not have (once past the grace)', async () => {
    const orphan = (id: string, created: Date) => ({
      id,
      object: 'v2.core.event',
      type: 'v1.payment_intent.succeeded',
      created: created.toISOString(),
      livemode: false,
      snapshot_event: 'evt_1NoSuchEventAtStripe',
      related_object: null,
    });
    // Just sent: Stripe may not show the event yet, so it is retried (500), not parked.
    const fresh = await deliverSigned(orphan(`evt_test_fresh${String(Date.now())}`, new Date()));
    expect(fresh.status).toBe(500);
    const thinId = `evt_test_orphan${String(Date.now())}`;
    const answer = await deliverSigned(orphan(thinId, new Date(Date.now() - 10 * 60_000)));
    expect(answer).toEqual({
      status: 200,
      body: { received: true, billingEventId: null, parked: true },
    });
    const parked = (await (await fetch(`${stack.apiUrl}/_local/parked-events`)).json()) as {
      events: { eventId: string; type: string }[];
    };
    expect(parked.events).toContainEqual(
      expect.objectContaining({ eventId: thinId, type: 'v1.payment_intent.succeeded' }),
    );
  });

  it('acknowledges a thin type the service does not handle without publishing', async () => {
    const deliveriesBefore = (await deliveriesTo(destinationId)).length;
    await stripe.customers.create({ email: 'thin-ignored@example.com' });
    const after = await deliveriesTo(destinationId);
    expect(after.slice(deliveriesBefore).map((a) => [a.eventType, a.status])).toEqual([
      ['customer.created', 200],
    ]);
  });

  it('takes thin events put on the local EventBridge bus by an amazon_eventbridge destination', async () => {
    const bus = await stripe.v2.core.eventDestinations.create({
      name: 'local bus (thin)',
      type: 'amazon_eventbridge',
      event_payload: 'thin',
      enabled_events: ['v1.payment_intent.succeeded'],
      amazon_eventbridge: { aws_account_id: '000000000000', aws_region: 'local' },
    });
    try {
      const intent = await pay('thin-bus');
      await sandbox.state.delivery.idle();
      // Every put handled (a duplicate of the webhook's, or the first) before counting.
      await stack.eventBridge.settled();
      const events = await billingEventsOf('thin-bus');
      expect(events.map((e) => e.type)).toEqual(['payment.successful']);
      const taken = stack.eventBridge.deliveries.filter(
        (d) => d.envelope['detail-type'] === 'v1.payment_intent.succeeded',
      );
      expect(taken.map((d) => [d.matched, d.state])).toEqual([[true, 'succeeded']]);
      expect(taken[0]?.outcome).toMatchObject({ stripeEventId: events[0]?.stripeEventId });
      expect(events[0]?.data).toMatchObject({ paymentIntentId: intent.id });
    } finally {
      await stripe.v2.core.eventDestinations.del(bus.id);
    }
  });
});
