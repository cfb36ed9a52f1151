import Stripe from 'stripe';
import type { StripeSandbox } from 'stripe-sandbox';
import type { BillingEvent } from '../../../../lambda/domain/billing-event';
import { ROUTES } from '../../../../lambda/shared/routes';
import type { StripeEventBridgeEnvelope } from '../../../../lambda/stripe-events/event-bridge-pattern';
import { isHandledStripeEventType } from '../../../../lambda/stripe-events/billing-event-mapping';
import { localContext } from '../../../../local/http-adapter';
import { LOCAL_SECRET_DEFAULTS } from '../../../../local/config';
import type { LocalStack } from '../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../local/services/aws-clients';
import {
  LOCAL_EVENT_BRIDGE,
  LOCAL_EVENT_BRIDGE_ROUTES,
} from '../../../../local/stack/event-bridge';
import { buildLocalEventBridgeHandler } from '../../../../local/stack/handlers';
import { forgedEnvelopes, stripeEnvelope } from '../../../support/event-bridge-envelopes';
import { paymentIntentObject, stripeEvent } from '../../../support/stripe-events';
import {
  localToken,
  postToWebhook,
  sandboxStripe,
  silentLogger,
  startTestStack,
} from '../../../support/test-stack';

jest.setTimeout(60_000);

/**
 * Both ways in at once, on the real local stack (DynamoDB Local, the SNS/SQS emulator,
 * the Stripe sandbox): the sandbox's own events, each delivered through the webhook and
 * through the EventBridge stand-in (snapshot and thin), concurrently and repeatedly, make
 * exactly one billing message each, as during a migration from one to the other.
 */
let stack: LocalStack;
let sandbox: StripeSandbox;
let stripe: Stripe;

beforeAll(async () => {
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
  // The sandbox delivers nothing by itself: the test delivers every event, both ways.
  sandbox.state.delivery.configure({ endpoints: [`${sandbox.url}/_sandbox/sink`] });
  stripe = sandboxStripe(stack, LOCAL_SECRET_DEFAULTS.stripeSecretKey);
});
afterAll(async () => {
  await stack.stop();
});

/** A checkout through the API, paid on the sandbox's hosted page: real Stripe events. */
async function buy(userId: string, priceId: string): Promise<void> {
  const response = await fetch(`${stack.apiUrl}${ROUTES.createCheckoutSession.path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await localToken(stack, userId)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      priceId,
      successUrl: `${stack.apiUrl}/success`,
      cancelUrl: `${stack.apiUrl}/`,
    }),
  });
  const { checkoutSessionId } = (await response.json()) as { checkoutSessionId: string };
  await fetch(`${sandbox.url}/checkout/${checkoutSessionId}/pay`, {
    method: 'POST',
    redirect: 'manual',
  });
}

/** The webhook delivery, as Stripe makes it: signed, and retried while the answer is 409/5xx. */
async function deliverToWebhook(event: Stripe.Event): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await postToWebhook(stack, event);
    await response.arrayBuffer();
    const retried = response.status === 409 || response.status >= 500;
    if (!retried || attempt >= 20) return response.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A thin notification of a v1 event, as an event destination with the `thin` payload sends it. */
const thinOf = (event: Stripe.Event) => ({
  object: 'v2.core.event' as const,
  id: `evt_thin_${event.id.slice(4)}`,
  type: `v1.${event.type}`,
  created: new Date(event.created * 1000).toISOString(),
  livemode: event.livemode,
  snapshot_event: event.id,
  related_object: null,
  context: null,
});

async function putOverHttp(body: unknown): Promise<{ entries: { matched: boolean }[] }> {
  const response = await fetch(`${stack.apiUrl}${LOCAL_EVENT_BRIDGE_ROUTES.events}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { entries: { matched: boolean }[] };
}

/** Billing messages, once SNS has delivered everything to the subscriber's queue. */
async function billingMessages(expected: number): Promise<BillingEvent[]> {
  for (let i = 0; i < 50; i += 1) {
    if ((await stack.billingEvents.events()).length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A moment more: a duplicate would arrive after the expected count.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return (await stack.billingEvents.events()).map((m) => m.event as BillingEvent);
}

const shuffled = <T>(items: T[]): T[] => {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
};

describe('the webhook and EventBridge, side by side', () => {
  it('publish exactly one billing message per Stripe event, however often and however it comes', async () => {
    await buy('eb-once', 'price-typescript-course');
    await buy('eb-monthly', 'price-pro-monthly');
    const events: Stripe.Event[] = [];
    for await (const event of stripe.events.list({ limit: 100 })) {
      if (isHandledStripeEventType(event.type)) events.push(event);
    }
    expect(events.length).toBeGreaterThanOrEqual(5);

    // Every event twice through the webhook, twice as a snapshot event on the bus and once
    // as a thin notification, all at once and interleaved.
    const deliveries = shuffled(
      events.flatMap((event) => [
        () => deliverToWebhook(event),
        () => deliverToWebhook(event),
        () => Promise.resolve(stack.eventBridge.putEvents([stripeEnvelope(event)])),
        () => putOverHttp(stripeEnvelope(event)),
        () => Promise.resolve(stack.eventBridge.putEvents([stripeEnvelope(thinOf(event))])),
      ]),
    );
    const results = await Promise.all(deliveries.map((deliver) => deliver()));
    for (const result of results) if (typeof result === 'number') expect(result).toBe(200);
    await stack.eventBridge.settled();

    const messages = await billingMessages(events.length);
    const ids = messages.map((m) => m.stripeEventId).sort();
    expect(ids).toEqual(events.map((e) => e.id).sort());
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);

    // Nothing failed for good, and the bus saw its share of duplicates.
    const dead = (await (
      await fetch(`${stack.apiUrl}${LOCAL_EVENT_BRIDGE_ROUTES.deadLetters}?wait=true`)
    ).json()) as { deadLetters: unknown[] };
    expect(dead.deadLetters).toEqual([]);
    const outcomes = stack.eventBridge.deliveries.map((d) => d.outcome);
    expect(outcomes.every((o) => o?.status === 'processed')).toBe(true);
    expect(outcomes.filter((o) => o?.status === 'processed' && o.duplicate).length).toBeGreaterThan(
      events.length,
    );
  });

  it('publishes nothing for an envelope attack (another source or account, a detail-type not its own), then the same event from Stripe once', async () => {
    const event = stripeEvent(
      'payment_intent.succeeded',
      paymentIntentObject('succeeded'),
    ) as unknown as Stripe.Event & { type: string };
    const published = async () =>
      (await stack.billingEvents.events()).filter(
        (m) => (m.event as BillingEvent).stripeEventId === event.id,
      );

    // The rule does not match: the function is never invoked.
    const wrongSource = await putOverHttp(
      stripeEnvelope(event, { source: 'aws.partner/stripe.com/ed_someone_else' }),
    );
    const fromElsewhere = await putOverHttp({
      Entries: [{ Source: 'my.app', DetailType: event.type, Detail: JSON.stringify(event) }],
    });
    expect([...wrongSource.entries, ...fromElsewhere.entries]).toEqual([
      expect.objectContaining({ matched: false }),
      expect.objectContaining({ matched: false }),
    ]);

    // A rule opened up by hand: the function itself checks every envelope attack (another
    // source or account, a detail-type that is not its detail's).
    const dynamo = localDynamoClient(stack.endpoints.dynamodb);
    const sns = localSnsClient(stack.endpoints.sns);
    try {
      const handler = buildLocalEventBridgeHandler(
        stack.functions,
        { dynamo, sns },
        silentLogger(),
      );
      const invoke = (envelope: StripeEventBridgeEnvelope) =>
        handler(envelope, localContext('local-stripe-event-bridge'));
      for (const forged of forgedEnvelopes(event, thinOf(event))) {
        await expect(invoke(forged.envelope)).resolves.toEqual({
          status: 'rejected',
          reason: forged.reason,
        });
      }
    } finally {
      dynamo.destroy();
      sns.destroy();
    }
    // Relabelled with another handled type, an envelope passes the rule itself: the
    // function is what refuses it (answered, not retried: nothing in the dead letters).
    const relabelled = { ...stripeEnvelope(event), 'detail-type': 'invoice.payment_failed' };
    expect((await putOverHttp(relabelled)).entries).toEqual([
      expect.objectContaining({ matched: true }),
    ]);
    await stack.eventBridge.settled();
    expect(stack.eventBridge.deliveries.find((d) => d.envelope.id === relabelled.id)).toMatchObject(
      {
        state: 'succeeded',
        attempts: 1,
        outcome: { status: 'rejected' },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await published()).toEqual([]);

    // The same event from the configured source: published, once.
    const accepted = await putOverHttp(
      stripeEnvelope(event, { source: LOCAL_EVENT_BRIDGE.source }),
    );
    expect(accepted.entries).toEqual([expect.objectContaining({ matched: true })]);
    await stack.eventBridge.settled();
    for (let i = 0; i < 30 && (await published()).length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await published()).toHaveLength(1);
  });

  it("refuses a web page's cross-site POST to the local bus: nothing is put, nothing published", async () => {
    const event = stripeEvent(
      'payment_intent.succeeded',
      paymentIntentObject('succeeded'),
    ) as unknown as Stripe.Event & { type: string };
    const envelope = JSON.stringify(stripeEnvelope(event, { source: LOCAL_EVENT_BRIDGE.source }));
    const before = (await (
      await fetch(`${stack.apiUrl}${LOCAL_EVENT_BRIDGE_ROUTES.deliveries}`)
    ).json()) as {
      deliveries: unknown[];
    };
    // What a form or fetch() on another site can send without a preflight, and what a
    // browser marks as cross-site.
    const attempts: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${stack.apiUrl}${LOCAL_EVENT_BRIDGE_ROUTES.events}`, {
        method: 'POST',
        headers,
        body: envelope,
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'cross_site_request' } });
    }
    const after = (await (
      await fetch(`${stack.apiUrl}${LOCAL_EVENT_BRIDGE_ROUTES.deliveries}`)
    ).json()) as {
      deliveries: unknown[];
    };
    expect(after.deliveries).toHaveLength(before.deliveries.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const published = (await stack.billingEvents.events()).filter(
      (m) => (m.event as BillingEvent).stripeEventId === event.id,
    );
    expect(published).toEqual([]);
  });
});
