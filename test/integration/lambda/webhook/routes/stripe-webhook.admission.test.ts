import type Stripe from 'stripe';
import type { StripeSandbox } from 'stripe-sandbox';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import type { LocalStack } from '../../../../../local/local-stack';
import { stripeEnvelope } from '../../../../support/event-bridge-envelopes';
import { subscribedUser } from '../../../../support/reconciliation';
import { paymentIntentObject, stripeEvent } from '../../../../support/stripe-events';
import { postToWebhook, sandboxStripe, startTestStack } from '../../../../support/test-stack';
import { thinNotification } from '../../../../support/thin-events';

jest.setTimeout(60_000);

/**
 * Events the service must refuse although they are signed (or come from the partner bus):
 * stamped far in the future, or from the other Stripe mode. On the real local stack, each
 * way in parks them (never published, never a subscription's high-water mark, never a 500
 * forever), and Stripe's real events after them reach the consumer.
 */
let stack: LocalStack;
let sandbox: StripeSandbox;
let stripe: Stripe;
const YEAR_9999 = 253402300799;

beforeAll(async () => {
  stack = await startTestStack();
  if (!stack.stripeSandbox) throw new Error('no sandbox');
  sandbox = stack.stripeSandbox;
  stripe = sandboxStripe(stack);
});
afterAll(async () => {
  await stack.stop();
});

async function billingEventsOf(userId: string): Promise<BillingEvent[]> {
  await sandbox.state.delivery.idle();
  return (await stack.billingEvents.events())
    .map((message) => message.event as BillingEvent)
    .filter((event) => event.userId === userId);
}

describe('admission on the local stack', () => {
  it('parks a signed event dated in the year 9999; Stripe’s real cancellation after it reaches the consumer', async () => {
    const userId = 'user-admission-future';
    const subscription = await subscribedUser(stack, stripe, userId);
    const forged = stripeEvent(
      'customer.subscription.updated',
      { ...subscription, status: 'active' },
      { id: 'evt_admission_year_9999', created: YEAR_9999 },
    );
    const answer = await postToWebhook(stack, forged);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ billingEventId: null, parked: true });

    await stripe.subscriptions.cancel(subscription.id);
    const about = (await billingEventsOf(userId)).filter(
      (event) => event.data.subscriptionId === subscription.id,
    );
    expect(about.map((event) => event.stripeEventId)).not.toContain('evt_admission_year_9999');
    expect(about.at(-1)).toMatchObject({
      type: 'subscription.canceled',
      data: { status: 'canceled' },
    });
  });

  it('parks a signed thin notification stamped ten minutes ahead with a 200, not a 500 forever', async () => {
    const notification = thinNotification({
      id: 'evt_admission_thin_future',
      snapshot_event: 'evt_admission_thin_future_snapshot',
      created: new Date(Date.now() + 10 * 60_000).toISOString(),
    });
    const answer = await postToWebhook(stack, notification);
    expect(answer.status).toBe(200);
    // Delivered again (as Stripe would), it is parked again beside the first record, not retried.
    expect((await postToWebhook(stack, notification)).status).toBe(200);
  });

  it('parks a live-mode event on a test-mode stack, through the webhook and the partner bus', async () => {
    const live = (id: string) =>
      stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
        id,
        livemode: true,
      });
    const answer = await postToWebhook(stack, live('evt_admission_live_webhook'));
    expect(await answer.json()).toMatchObject({ billingEventId: null, parked: true });

    stack.eventBridge.putEvents([
      stripeEnvelope(live('evt_admission_live_bus') as { type: string }),
    ]);
    stack.eventBridge.putEvents([
      stripeEnvelope(
        stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
          id: 'evt_admission_future_bus',
          created: YEAR_9999,
        }) as { type: string },
      ),
    ]);
    await stack.eventBridge.settled();
    const outcomes = stack.eventBridge.deliveries
      .filter((delivery) =>
        ['evt_admission_live_bus', 'evt_admission_future_bus'].includes(
          String((delivery.envelope.detail as { id?: unknown }).id),
        ),
      )
      .map((delivery) => delivery.outcome);
    expect(outcomes).toEqual([
      expect.objectContaining({ status: 'processed', parked: true }),
      expect.objectContaining({ status: 'processed', parked: true }),
    ]);
    expect(
      (await stack.billingEvents.events()).filter((message) =>
        (message.event as BillingEvent).stripeEventId.startsWith('evt_admission_'),
      ),
    ).toEqual([]);
  });
});
