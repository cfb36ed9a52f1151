import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { StripeSignatureVerifier } from '../../../../../lambda/webhook/signature-verifier';
import { createWebhookHandler } from '../../../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import { FakePipeline } from '../../../../support/fake-pipeline';
import { CapturingLogger } from '../../../../support/log-capture';
import { signatureFor, stripeEvent, subscriptionObject } from '../../../../support/stripe-events';
import { snapshotOf, thinNotification } from '../../../../support/thin-events';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';

const SECRET = 'whsec_route';

describe('POST /stripe/webhook while another event about the subscription is published', () => {
  it('answers 409 subscription_busy, so Stripe delivers it again later', async () => {
    const handler = createWebhookHandler({
      logger: new Logger({ logLevel: 'SILENT' }),
      verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
      process: () => Promise.reject(new SubscriptionBusyError('sub_1')),
    });
    const payload = JSON.stringify(
      stripeEvent('customer.subscription.updated', subscriptionObject('current')),
    );
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(payload, SECRET) },
        body: payload,
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'subscription_busy' } });
  });
});

/** The webhook over the fake pipeline and a capturing logger; thin events resolve to `snapshot`. */
function loggedWebhook(snapshot: Stripe.Event) {
  const logger = new CapturingLogger();
  const handler = createWebhookHandler({
    logger,
    verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
    process: new FakePipeline('payment.successful').process,
    thinEvents: {
      resolver: { resolve: () => Promise.resolve(snapshot) },
      parked: new FakeParkedEventStore(),
      admission: TEST_MODE_ADMISSION,
    },
  });
  /** The one line an operator finds a request by: how it was answered, with its keys. */
  const requestLine = async (body: unknown) => {
    const text = JSON.stringify(body);
    await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(text, SECRET) },
        body: text,
      }),
      lambdaContext(),
    );
    return logger.lines.find((line) => line.message === 'Request handled');
  };
  return { requestLine };
}

describe('POST /stripe/webhook logs which Stripe event a request was about', () => {
  it('names a snapshot event the service does not handle', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1' }, { id: 'evt_1Unhandled' });
    const line = await loggedWebhook(snapshotOf()).requestLine(event);
    expect(line).toMatchObject({
      stripeEventId: 'evt_1Unhandled',
      stripeEventType: 'customer.created',
    });
  });

  it('names a thin notification and the snapshot event it names, even when not handled', async () => {
    const notification = thinNotification({ type: 'v1.customer.created' });
    const line = await loggedWebhook(snapshotOf()).requestLine(notification);
    expect(line).toMatchObject({
      stripeThinEventId: 'evt_test_65ThinEventId',
      stripeEventType: 'v1.customer.created',
      stripeEventId: 'evt_1SnapshotEventId',
    });
  });

  it('names the v1 event a thin notification resolved to once it is processed', async () => {
    const notification = thinNotification({ snapshot_event: null });
    const line = await loggedWebhook(snapshotOf('evt_1Resolved')).requestLine(notification);
    expect(line).toMatchObject({
      stripeThinEventId: 'evt_test_65ThinEventId',
      stripeEventType: 'payment_intent.succeeded',
      stripeEventId: 'evt_1Resolved',
    });
  });
});
