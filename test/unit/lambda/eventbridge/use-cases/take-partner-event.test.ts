import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type Stripe from 'stripe';
import { METRICS } from '../../../../../lambda/domain/metrics';
import { SubscriptionBusyError } from '../../../../../lambda/domain/subscription-order';
import {
  accountOf,
  createEventBridgeHandler,
} from '../../../../../lambda/eventbridge/event-bridge-handler';
import type { EventBridgeIntakeDependencies } from '../../../../../lambda/eventbridge/use-cases/take-partner-event';
import { lambdaContext } from '../../../../support/api-events';
import { RecordingMetrics } from '../../../../support/emf-capture';
import { FakeParkedEventStore } from '../../../../support/fake-parked-events';
import { paymentIntentObject, stripeEvent } from '../../../../support/stripe-events';
import type {
  ThinEventNotification,
  ThinEventResolver,
} from '../../../../../lambda/domain/thin-event';
import { EventInProgressError } from '../../../../../lambda/domain/event-ledger';
import type { StripeEventBridgeEnvelope } from '../../../../../lambda/stripe-events/event-bridge-pattern';
import { FakePipeline } from '../../../../support/fake-pipeline';
import { CapturingLogger } from '../../../../support/log-capture';
import { TEST_MODE_ADMISSION } from '../../../../support/event-admission';
import { forgedEnvelopes } from '../../../../support/event-bridge-envelopes';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../../lambda/stripe-events/billing-event-mapping';

const SOURCE = 'aws.partner/stripe.com/ed_test_unit';
/** The account of `lambdaContext()`'s function ARN. */
const ACCOUNT = '000000000000';

class FakeResolver implements ThinEventResolver {
  readonly asked: ThinEventNotification[] = [];
  constructor(private readonly events: Record<string, Stripe.Event>) {}

  resolve(notification: ThinEventNotification): Promise<Stripe.Event | undefined> {
    this.asked.push(notification);
    const id = notification.snapshot_event;
    return Promise.resolve(id == null ? undefined : this.events[id]);
  }
}

function setup(resolvable: Record<string, Stripe.Event> = {}) {
  const pipeline = new FakePipeline();
  const resolver = new FakeResolver(resolvable);
  const parked = new FakeParkedEventStore();
  const metrics = new RecordingMetrics();
  const logger = new CapturingLogger();
  const deps: EventBridgeIntakeDependencies = {
    source: SOURCE,
    process: pipeline.process,
    resolver,
    parked,
    admission: TEST_MODE_ADMISSION,
    logger,
    metrics,
    busyRetryDelaysMs: [0, 0],
    now: () => new Date('2026-01-02T03:04:05Z'),
  };
  const handler = createEventBridgeHandler(deps);
  const invoke = (event: StripeEventBridgeEnvelope, context: Context = lambdaContext()) =>
    handler(event, context);
  return { pipeline, resolver, parked, metrics, logger, invoke };
}

const snapshot = (type = 'payment_intent.succeeded'): Stripe.Event =>
  stripeEvent(type, paymentIntentObject('succeeded')) as unknown as Stripe.Event;

const thin = (event: Stripe.Event, overrides: Partial<ThinEventNotification> = {}) => ({
  object: 'v2.core.event' as const,
  id: `evt_thin_${event.id}`,
  type: `v1.${event.type}`,
  created: new Date(event.created * 1000).toISOString(),
  livemode: false,
  snapshot_event: event.id,
  related_object: { id: 'pi_1', type: 'payment_intent', url: '/v1/payment_intents/pi_1' },
  ...overrides,
});

function envelope(detail: unknown, overrides: Partial<StripeEventBridgeEnvelope> = {}) {
  const type = (detail as { type?: string }).type ?? 'unknown';
  return {
    version: '0',
    id: `envelope-${type}`,
    'detail-type': type,
    source: SOURCE,
    account: ACCOUNT,
    time: '2026-01-02T03:04:05Z',
    region: 'eu-west-1',
    resources: [],
    detail,
    ...overrides,
  } as StripeEventBridgeEnvelope;
}

describe('the EventBridge intake', () => {
  it('reads the account from the invoked function ARN', () => {
    expect(
      accountOf({
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:f:live',
      }),
    ).toBe('111122223333');
  });

  it('puts a snapshot event through the pipeline, keyed by its Stripe event id', async () => {
    const { pipeline, metrics, invoke } = setup();
    const event = snapshot();
    const outcome = await invoke(envelope(event));
    expect(outcome).toEqual({
      status: 'processed',
      stripeEventId: event.id,
      billingEventId: `${event.id}:x`,
      duplicate: false,
    });
    expect(pipeline.processed.map((d) => d.event)).toEqual([event]);
    expect(JSON.parse(pipeline.processed[0]?.rawBody.toString() ?? '')).toEqual(event);
    expect(metrics.totals()).toEqual({ [METRICS.eventBridgeReceived]: 1 });
  });

  it.each([
    ['another source', { source: 'aws.partner/stripe.com/ed_someone_else' }],
    ['a non-partner source', { source: 'my.app' }],
    ['another account', { account: '111122223333' }],
  ])('rejects an event from %s: counted, nothing processed, not retried', async (_, fields) => {
    const { pipeline, metrics, invoke } = setup();
    const outcome = await invoke(envelope(snapshot(), fields));
    expect(outcome.status).toBe('rejected');
    expect(pipeline.processed).toEqual([]);
    expect(metrics.totals()).toEqual({ [METRICS.eventBridgeRejected]: 1 });
  });

  it.each([
    ['another source', { source: 'my.app' }, `source "my.app" is not ${SOURCE}`],
    [
      'another account',
      { account: '111122223333' },
      `account "111122223333" is not this function's (${ACCOUNT})`,
    ],
  ])(
    'says why an event from %s was dropped, and logs it without the detail',
    async (_, fields, reason) => {
      const { logger, invoke } = setup();
      const event = snapshot();
      const sent = envelope(event, fields);
      expect(await invoke(sent)).toEqual({ status: 'rejected', reason });
      expect(logger.lines).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: 'EventBridge event rejected; dropped',
          envelopeId: sent.id,
          source: sent.source,
          account: sent.account,
          detailType: 'payment_intent.succeeded',
          reason,
        }),
      ]);
      // The detail is not known to be Stripe's: none of it may reach the logs.
      expect(JSON.stringify(logger.lines)).not.toContain(event.id);
    },
  );

  describe('the envelope attacks (test/support/event-bridge-envelopes.ts)', () => {
    const event = snapshot();
    const corpus = forgedEnvelopes(event, thin(event), { source: SOURCE, account: ACCOUNT });
    it.each(corpus.map((forged) => [forged.name, forged] as const))(
      'rejects %s: dropped, counted, logged without the detail, never processed or retried',
      async (_, forged) => {
        const { pipeline, resolver, parked, metrics, logger, invoke } = setup({
          [event.id]: event,
        });
        expect(await invoke(forged.envelope)).toEqual({
          status: 'rejected',
          reason: forged.reason,
        });
        expect(pipeline.processed).toEqual([]);
        expect(resolver.asked).toEqual([]);
        expect(parked.calls).toEqual([]);
        expect(metrics.totals()).toEqual({ [METRICS.eventBridgeRejected]: 1 });
        expect(logger.lines).toEqual([
          expect.objectContaining({
            level: 'WARN',
            message: 'EventBridge event rejected; dropped',
            envelopeId: forged.envelope.id,
            detailType: forged.envelope['detail-type'],
            reason: forged.reason,
          }),
        ]);
        expect(JSON.stringify(logger.lines)).not.toContain(event.id);
      },
    );

    it('lets through every handled type, snapshot and thin, whose detail-type is its own', async () => {
      for (const type of HANDLED_STRIPE_EVENT_TYPES) {
        const { pipeline, metrics, invoke } = setup();
        const typed = snapshot(type);
        await invoke(envelope(typed));
        expect(pipeline.processed.map((d) => d.event.id)).toEqual([typed.id]);
        expect(metrics.totals()[METRICS.eventBridgeRejected]).toBeUndefined();
      }
    });
  });

  it('checks the account against the function it runs as', async () => {
    const { pipeline, invoke } = setup();
    const elsewhere = {
      ...lambdaContext(),
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:999999999999:function:f',
    };
    expect((await invoke(envelope(snapshot()), elsewhere)).status).toBe('rejected');
    expect(pipeline.processed).toEqual([]);
  });

  it('parks a detail from the right source that is not a Stripe event (kept, not dropped)', async () => {
    const { pipeline, metrics, parked, invoke } = setup();
    const sent = envelope({ type: 'payment_intent.succeeded', id: 'nope' });
    const outcome = await invoke(sent);
    expect(outcome).toEqual({ status: 'parked', stripeEventId: sent.id });
    expect(pipeline.processed).toEqual([]);
    expect(parked.parked.has(sent.id)).toBe(true);
    expect(metrics.totals()).toEqual({ [METRICS.eventsParked]: 1 });
  });

  it('parks a detail that is not a Stripe event with its reason and the detail as delivered, and warns', async () => {
    const { parked, logger, invoke } = setup();
    const detail = { type: 'payment_intent.succeeded', id: 'nope' };
    const sent = envelope(detail);
    await invoke(sent);
    expect(parked.calls).toEqual([
      {
        eventId: sent.id,
        type: 'payment_intent.succeeded',
        reason:
          'The EventBridge detail from the partner source is not a Stripe event or thin notification',
        parkedAt: '2026-01-02T03:04:05.000Z',
        rawBody: expect.any(Buffer) as unknown,
      },
    ]);
    // The operator replays or inspects what Stripe sent, so the body is the detail itself.
    expect(JSON.parse(parked.calls[0]?.rawBody.toString() ?? '')).toEqual(detail);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'EventBridge event parked: not a Stripe event',
        envelopeId: sent.id,
        detailType: 'payment_intent.succeeded',
        rawBodyStored: true,
      }),
    ]);
  });

  it('ignores an event type the service does not handle (snapshot or thin)', async () => {
    const { pipeline, resolver, invoke } = setup();
    const unhandled = snapshot('customer.created');
    expect(await invoke(envelope(unhandled))).toMatchObject({ status: 'ignored' });
    expect(await invoke(envelope(thin(unhandled)))).toMatchObject({ status: 'ignored' });
    expect(
      await invoke(envelope(thin(unhandled, { type: 'v2.core.account.updated' }))),
    ).toMatchObject({ status: 'ignored' });
    expect(pipeline.processed).toEqual([]);
    expect(resolver.asked).toEqual([]);
  });

  it('resolves a thin notification to its snapshot event and processes that', async () => {
    const event = snapshot('payment_intent.payment_failed');
    const { pipeline, resolver, metrics, invoke } = setup({ [event.id]: event });
    const outcome = await invoke(envelope(thin(event)));
    expect(outcome).toMatchObject({ status: 'processed', stripeEventId: event.id });
    expect(resolver.asked.map((n) => n.snapshot_event)).toEqual([event.id]);
    expect(pipeline.processed.map((d) => d.event.id)).toEqual([event.id]);
    expect(metrics.totals()).toEqual({
      [METRICS.eventBridgeReceived]: 1,
      [METRICS.thinEventsResolved]: 1,
    });
  });

  it('parks a thin notification whose event Stripe does not have (never retried)', async () => {
    const event = snapshot();
    const { pipeline, parked, metrics, invoke } = setup({});
    const outcome = await invoke(envelope(thin(event)));
    const notification = thin(event);
    expect(outcome).toEqual({ status: 'parked', stripeEventId: notification.id });
    expect(pipeline.processed).toEqual([]);
    // As the webhook parks it: under the notification's id, the notification as delivered.
    expect(parked.calls).toEqual([
      expect.objectContaining({
        eventId: notification.id,
        type: 'v1.payment_intent.succeeded',
        parkedAt: '2026-01-02T03:04:05.000Z',
        reason: expect.stringContaining(`snapshot event ${event.id}`) as unknown,
      }),
    ]);
    expect(JSON.parse(parked.calls[0]?.rawBody.toString() ?? '')).toEqual(notification);
    expect(metrics.totals()).toEqual({
      [METRICS.eventBridgeReceived]: 1,
      [METRICS.eventsParked]: 1,
    });
  });

  it('logs a processed event with the envelope, the Stripe event and its billing event', async () => {
    const { logger, invoke } = setup();
    const event = snapshot();
    const sent = envelope(event);
    await invoke(sent);
    expect(logger.lines.filter((line) => line.level !== 'DEBUG')).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Stripe event processed',
        envelopeId: sent.id,
        stripeEventId: event.id,
        stripeEventType: 'payment_intent.succeeded',
        billingEventId: `${event.id}:x`,
      }),
    ]);
  });

  it.each([
    ['parked', 'park', { parked: true }],
    ['superseded (a newer event was published)', 'supersede', { superseded: true }],
  ] as const)('reports an event the pipeline %s, not published', async (_, behaviour, flag) => {
    const { pipeline, invoke } = setup();
    const event = snapshot();
    pipeline.behaviour.set(event.id, behaviour);
    expect(await invoke(envelope(event))).toEqual({
      status: 'processed',
      stripeEventId: event.id,
      billingEventId: null,
      duplicate: false,
      ...flag,
    });
  });

  it('counts a duplicate (the webhook got there first) and publishes nothing more', async () => {
    const event = snapshot();
    const { pipeline, metrics, logger, invoke } = setup({ [event.id]: event });
    await invoke(envelope(event));
    const again = await invoke(envelope(thin(event)));
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'INFO',
      message: 'Stripe event already processed; nothing published',
      stripeEventId: event.id,
      billingEventId: `${event.id}:x`,
    });
    expect(again).toMatchObject({ status: 'processed', duplicate: true });
    expect(pipeline.processed).toHaveLength(1);
    expect(metrics.totals()).toEqual({
      [METRICS.eventBridgeReceived]: 2,
      [METRICS.thinEventsResolved]: 1,
      [METRICS.eventBridgeDuplicate]: 1,
    });
  });

  it('throws a transient failure, so Lambda retries the event', async () => {
    const { pipeline, logger, invoke } = setup();
    pipeline.failures.push(new Error('SNS unavailable'));
    const sent = envelope(snapshot());
    await expect(invoke(sent)).rejects.toThrow('SNS unavailable');
    expect(pipeline.processed).toEqual([]);
    expect(logger.lines.filter((line) => line.level === 'WARN')).toEqual([
      expect.objectContaining({
        message: 'Stripe event not processed; it is retried',
        envelopeId: sent.id,
        error: expect.objectContaining({ message: 'SNS unavailable' }) as unknown,
      }),
    ]);
  });

  it('throws when Stripe cannot be reached to resolve a thin notification', async () => {
    const failing = createEventBridgeHandler({
      source: SOURCE,
      process: new FakePipeline().process,
      resolver: { resolve: () => Promise.reject(new Error('Stripe timed out')) },
      parked: new FakeParkedEventStore(),
      admission: TEST_MODE_ADMISSION,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    await expect(failing(envelope(thin(snapshot())), lambdaContext())).rejects.toThrow(
      'Stripe timed out',
    );
  });

  it('waits out an event in progress on the webhook, then finds it done', async () => {
    const { pipeline, invoke } = setup();
    const event = snapshot();
    pipeline.failures.push(new EventInProgressError('evt', 'in progress'));
    expect(await invoke(envelope(event))).toMatchObject({ status: 'processed' });
    expect(pipeline.processed).toHaveLength(1);
  });

  it('throws when the event (or its subscription) stays busy, for Lambda to retry', async () => {
    const { pipeline, logger, invoke } = setup();
    pipeline.failures.push(
      new EventInProgressError('evt', 'in progress'),
      new SubscriptionBusyError('sub_1'),
      new EventInProgressError('evt', 'in progress'),
    );
    const event = snapshot();
    const sent = envelope(event);
    await expect(invoke(sent)).rejects.toThrow('in progress');
    expect(pipeline.processed).toEqual([]);
    expect(logger.lines.filter((line) => line.level === 'WARN')).toEqual([
      expect.objectContaining({
        message: 'Stripe event not processed; it is retried',
        envelopeId: sent.id,
        stripeEventId: event.id,
        error: expect.objectContaining({ message: 'in progress' }) as unknown,
      }),
    ]);
  });
});
