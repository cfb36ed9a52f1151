import { Logger } from '@aws-lambda-powertools/logger';
import { METRICS } from '../../../../../lambda/domain/metrics';
import { ROUTES } from '../../../../../lambda/shared/routes';
import { StripeSignatureVerifier } from '../../../../../lambda/webhook/signature-verifier';
import type { PublishOutcome } from '../../../../../lambda/stripe-events/use-cases/publish-billing-event';
import { createWebhookHandler } from '../../../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../../../support/api-events';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import { signatureFor } from '../../../../support/stripe-events';
import { snapshotOf, thinNotification } from '../../../../support/thin-events';
import type { ThinEventResolver } from '../../../../../lambda/domain/thin-event';
import type { ProcessedEvent, StripeDelivery } from '../../../../../lambda/domain/event-ledger';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';

const SECRET = 'whsec_thin';

/** The webhook over a recording processor, a scripted resolver and an in-memory parking. */
function webhook(resolve: ThinEventResolver['resolve']) {
  const processed: StripeDelivery[] = [];
  const resolved: string[] = [];
  const parked = new FakeParkedEventStore();
  const metrics = new RecordingMetrics();
  const handler = createWebhookHandler({
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    verifier: new StripeSignatureVerifier(() => Promise.resolve([SECRET])),
    process: (delivery): Promise<ProcessedEvent<PublishOutcome>> => {
      processed.push(delivery);
      return Promise.resolve({
        alreadyProcessed: false,
        outcome: { billingEventId: `${delivery.event.id}:payment.successful` },
      });
    },
    thinEvents: {
      resolver: {
        resolve: (notification) => {
          resolved.push(notification.id);
          return resolve(notification);
        },
      },
      parked,
      admission: TEST_MODE_ADMISSION,
    },
    now: () => new Date('2026-01-02T03:05:00Z'),
  });
  const deliver = async (body: unknown) => {
    const text = JSON.stringify(body);
    const response = await handler(
      apiEvent(ROUTES.stripeWebhook, {
        headers: { 'stripe-signature': signatureFor(text, SECRET) },
        body: text,
      }),
      lambdaContext(),
    );
    return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
  };
  return { deliver, processed, resolved, parked, metrics };
}

describe('POST /stripe/webhook with a thin event notification', () => {
  it('resolves a handled type to its v1 event and processes that, keyed by its id', async () => {
    const snapshot = snapshotOf();
    const w = webhook(() => Promise.resolve(snapshot));
    const answer = await w.deliver(thinNotification());
    expect(answer).toEqual({
      status: 200,
      body: { received: true, billingEventId: 'evt_1SnapshotEventId:payment.successful' },
    });
    expect(w.resolved).toEqual(['evt_test_65ThinEventId']);
    expect(w.processed.map((d) => d.event)).toEqual([snapshot]);
    // What a parking and a replay would keep is the event, not the notification.
    expect(JSON.parse(w.processed[0]?.rawBody.toString('utf8') ?? '')).toEqual(snapshot);
    expect(w.metrics.totals()).toEqual({
      [METRICS.webhookVerified]: 1,
      [METRICS.thinEventsResolved]: 1,
    });
  });

  it.each([
    ['a v1 type the service does not handle', 'v1.customer.created'],
    ['a v2-only type', 'v2.core.account.created'],
  ])('acknowledges %s without asking Stripe', async (_, type) => {
    const w = webhook(() => Promise.reject(new Error('must not be called')));
    const answer = await w.deliver(thinNotification({ type }));
    expect(answer).toEqual({ status: 200, body: { received: true, billingEventId: null } });
    expect(w.resolved).toEqual([]);
    expect(w.processed).toEqual([]);
  });

  it('parks a notification whose event Stripe does not have and answers 200 parked', async () => {
    const w = webhook(() => Promise.resolve(undefined));
    const notification = thinNotification();
    const answer = await w.deliver(notification);
    expect(answer).toEqual({
      status: 200,
      body: { received: true, billingEventId: null, parked: true },
    });
    expect(w.processed).toEqual([]);
    expect(w.parked.calls).toHaveLength(1);
    const [parked] = w.parked.calls;
    expect(parked).toMatchObject({
      eventId: 'evt_test_65ThinEventId',
      type: 'v1.payment_intent.succeeded',
      parkedAt: '2026-01-02T03:05:00.000Z',
    });
    expect(parked?.reason).toContain('evt_1SnapshotEventId');
    expect(JSON.parse(parked?.rawBody.toString('utf8') ?? '')).toEqual(notification);
    expect(w.metrics.totals()).toMatchObject({ [METRICS.eventsParked]: 1 });
  });

  it('answers 500 when Stripe cannot be reached, so Stripe delivers it again', async () => {
    const w = webhook(() =>
      Promise.reject(Object.assign(new Error('timeout'), { dependency: 'Stripe', operation: 'x' })),
    );
    const answer = await w.deliver(thinNotification());
    expect(answer.status).toBe(500);
    expect(w.processed).toEqual([]);
    expect(w.parked.calls).toEqual([]);
  });

  it('answers 500 when parking fails (nothing is lost: Stripe retries)', async () => {
    const w = webhook(() => Promise.resolve(undefined));
    w.parked.failWith = new Error('DynamoDB down');
    expect((await w.deliver(thinNotification())).status).toBe(500);
  });

  it('still takes snapshot events as before', async () => {
    const w = webhook(() => Promise.reject(new Error('must not be called')));
    const snapshot = snapshotOf('evt_1Direct');
    const answer = await w.deliver(snapshot);
    expect(answer.status).toBe(200);
    expect(w.processed.map((d) => d.event.id)).toEqual(['evt_1Direct']);
    expect(w.resolved).toEqual([]);
  });
});
