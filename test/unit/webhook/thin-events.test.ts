import { Logger } from '@aws-lambda-powertools/logger';
import type Stripe from 'stripe';
import { StripeThinEventResolver } from '../../../lambda/adapters/stripe-thin-event-resolver';
import type { StripeClientProvider } from '../../../lambda/adapters/stripe-client-provider';
import { METRICS } from '../../../lambda/domain/metrics';
import { ROUTES } from '../../../lambda/shared/routes';
import { dependencyFailureOf } from '../../../lambda/core/dependencies';
import { stripeFailure } from '../../../lambda/core/errors';
import { StripeSignatureVerifier } from '../../../lambda/webhook/signature-verifier';
import type { PublishOutcome } from '../../../lambda/stripe-events/use-cases/publish-billing-event';
import { createWebhookHandler } from '../../../lambda/webhook/webhook-handler';
import { apiEvent, lambdaContext } from '../../support/api-events';
import { RecordingMetrics } from '../../support/emf-capture';
import { FakeParkedEventStore } from '../../support/fake-parked-events';
import { paymentIntentObject, signatureFor, stripeEvent } from '../../support/stripe-events';
import type { ThinEventNotification, ThinEventResolver } from '../../../lambda/domain/thin-event';
import type { ProcessedEvent, StripeDelivery } from '../../../lambda/domain/event-ledger';

const SECRET = 'whsec_thin';

const thinNotification = (
  overrides: Partial<ThinEventNotification> = {},
): ThinEventNotification => ({
  id: 'evt_test_65ThinEventId',
  object: 'v2.core.event',
  type: 'v1.payment_intent.succeeded',
  created: '2026-01-02T03:04:05.678Z',
  livemode: false,
  context: null,
  snapshot_event: 'evt_1SnapshotEventId',
  related_object: { id: 'pi_1', type: 'payment_intent', url: '/v1/payment_intents/pi_1' },
  ...overrides,
});

const snapshotOf = (id = 'evt_1SnapshotEventId'): Stripe.Event =>
  stripeEvent('payment_intent.succeeded', paymentIntentObject('succeeded'), {
    id,
  }) as unknown as Stripe.Event;

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

describe('StripeThinEventResolver', () => {
  const noClient = {
    client: () => Promise.reject(new Error('the SDK must not be needed')),
  } as unknown as StripeClientProvider;

  it('retrieves the snapshot event a notification names, without rebuilding anything', async () => {
    const snapshot = snapshotOf();
    const asked: string[] = [];
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: (id) => {
        asked.push(id);
        return Promise.resolve(snapshot);
      },
    });
    await expect(resolver.resolve(thinNotification())).resolves.toBe(snapshot);
    expect(asked).toEqual(['evt_1SnapshotEventId']);
  });

  it('says undefined when Stripe has no such snapshot event', async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () => Promise.resolve(undefined),
    });
    await expect(resolver.resolve(thinNotification())).resolves.toBeUndefined();
  });

  it("throws a Stripe failure as a transient one (a 500, counted as Stripe's)", async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () =>
        Promise.reject(
          stripeFailure({ operation: 'events.retrieve', type: 'StripeConnectionError' }),
        ),
    });
    const error: unknown = await resolver.resolve(thinNotification()).catch((e: unknown) => e);
    expect(dependencyFailureOf(error)).toEqual({
      dependency: 'Stripe',
      operation: 'events.retrieve',
    });
    expect(error).toMatchObject({ type: 'StripeConnectionError' });
  });

  /** A client whose SDK answers `fetchEvent()` (GET /v2/core/events/:id) with `v2Event`. */
  const clientServing = (v2Event: Record<string, unknown>) =>
    ({
      client: () =>
        Promise.resolve({
          parseEventNotificationWithoutVerification: () => ({
            fetchEvent: () => Promise.resolve(v2Event),
          }),
        }),
    }) as unknown as StripeClientProvider;

  it("asks Stripe's v2 event for the snapshot event when the notification does not name it", async () => {
    const snapshot = snapshotOf();
    const resolver = new StripeThinEventResolver(
      clientServing({ snapshot_event: 'evt_1SnapshotEventId' }),
      { retrieve: (id) => Promise.resolve(id === snapshot.id ? snapshot : undefined) },
    );
    await expect(resolver.resolve(thinNotification({ snapshot_event: null }))).resolves.toBe(
      snapshot,
    );
  });

  it('never publishes under the thin id: no snapshot event anywhere is undefined (parked)', async () => {
    const resolver = new StripeThinEventResolver(clientServing({ snapshot_event: null }), {
      retrieve: () => Promise.reject(new Error('must not be called')),
    });
    await expect(
      resolver.resolve(thinNotification({ snapshot_event: null })),
    ).resolves.toBeUndefined();
  });

  it('says undefined when the event retrieved is not the one the notification speaks of', async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () => Promise.resolve(snapshotOf()),
    });
    await expect(
      resolver.resolve(thinNotification({ type: 'v1.invoice.payment_failed' })),
    ).resolves.toBeUndefined();
  });

  it('retries (transient) a notification just sent whose event Stripe does not show yet', async () => {
    const created = new Date('2026-01-02T03:04:05.678Z');
    const resolver = new StripeThinEventResolver(
      noClient,
      { retrieve: () => Promise.resolve(undefined) },
      () => new Date(created.getTime() + 60_000),
    );
    const error: unknown = await resolver
      .resolve(thinNotification({ created: created.toISOString() }))
      .catch((e: unknown) => e);
    expect(dependencyFailureOf(error)).toEqual({
      dependency: 'Stripe',
      operation: 'events.retrieve',
    });
  });
});
