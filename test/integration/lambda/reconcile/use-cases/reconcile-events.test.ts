import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { DynamoParkedEventStore } from '../../../../../lambda/adapters/dynamo-parked-event-store';
import { PowertoolsMetrics } from '../../../../../lambda/adapters/powertools-metrics';
import { StripeClientProvider } from '../../../../../lambda/adapters/stripe-client-provider';
import { StripeSdkEventSource } from '../../../../../lambda/adapters/stripe-event-source';
import type { BillingEvent } from '../../../../../lambda/domain/billing-event';
import {
  METRICS,
  type MetricName,
  type ServiceMetrics,
} from '../../../../../lambda/domain/metrics';
import {
  buildReconcileHandler,
  buildReconciler,
  ReconciliationFailedError,
} from '../../../../../lambda/reconcile/composition-root';
import type { ReconcileConfig } from '../../../../../lambda/reconcile/config';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../../lambda/stripe-events/billing-event-mapping';
import { STRIPE_API_VERSION } from '../../../../../lambda/shared/stripe-api-version';
import { SCHEDULED_STRIPE_RATE_LIMIT_RETRIES } from '../../../../../lambda/core/dependencies';
import { LOCAL_SECRET_DEFAULTS } from '../../../../../local/config';
import { localContext } from '../../../../../local/http-adapter';
import type { LocalStack } from '../../../../../local/local-stack';
import { localDynamoClient, localSnsClient } from '../../../../../local/services/aws-clients';
import { localReconcileConfig } from '../../../../../scripts/lib/targets';
import { captureStdout, emfTotal } from '../../../../support/emf-capture';
import {
  billingEventsOf,
  buy,
  customerOf,
  deliveriesSettled,
  eventsOfCustomer,
  stripeFor,
  swallowDeliveries,
} from '../../../../support/reconciliation';
import { postToWebhook, silentLogger, startTestStack } from '../../../../support/test-stack';
import {
  DEFAULT_RECONCILIATION_NAME,
  overlapSecondsFor,
} from '../../../../../lambda/reconcile/use-cases/reconcile-window';
import { UnknownEventError } from '../../../../../lambda/reconcile/use-cases/replay-event';

jest.setTimeout(90_000);

/**
 * Reconciliation (contract section 8) against the local stack: DynamoDB Local, the SNS
 * emulator and the Stripe sandbox, through the same pipeline (and ledger) as the webhook.
 */
let stack: LocalStack;
let stripe: Stripe;
let dynamo: DynamoDBClient;
let sns: SNSClient;
let config: ReconcileConfig;
const HANDLED: readonly string[] = HANDLED_STRIPE_EVENT_TYPES;

beforeAll(async () => {
  stack = await startTestStack();
  stripe = stripeFor(stack);
  dynamo = localDynamoClient(stack.endpoints.dynamodb);
  sns = localSnsClient(stack.endpoints.sns);
  config = localReconcileConfig(stack.names, stack.billingEventsTopicArn);
});
afterAll(async () => {
  dynamo.destroy();
  sns.destroy();
  await stack.stop();
});

function recordingMetrics() {
  const counted: [MetricName, number][] = [];
  const metrics: ServiceMetrics = { count: (name, value = 1) => counted.push([name, value]) };
  const total = (name: MetricName) =>
    counted.filter(([n]) => n === name).reduce((sum, [, v]) => sum + v, 0);
  return { metrics, total };
}

function reconcilerWith(options: { sns?: SNSClient; metrics?: ServiceMetrics } = {}) {
  const { stripeConnection } = stack.functions;
  const infrastructure = {
    dynamo,
    sns: options.sns ?? sns,
    secrets: stack.functions.secrets,
    logger: silentLogger(),
    ...(stripeConnection ? { stripeConnection } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  return {
    reconciler: buildReconciler(config, infrastructure),
    handler: buildReconcileHandler(config, infrastructure),
  };
}

const reconcile = (options: { sns?: SNSClient; metrics?: ServiceMetrics } = {}) =>
  reconcilerWith(options).reconciler.reconcile({ context: localContext('stripe-reconcile') });

/** A user's checkout whose events the webhook never gets: what a replay must recover. */
async function missedCheckout(
  userId: string,
  how: 'wrong-endpoint' | 'disabled',
  priceId?: string,
) {
  const swallow = await swallowDeliveries(stack, stripe, how);
  const session = await buy(stack, userId, priceId);
  const deliveries = await deliveriesSettled(stack);
  await swallow.restore();
  const events = (await eventsOfCustomer(stripe, await customerOf(stripe, session))).filter((e) =>
    HANDLED.includes(e.type),
  );
  expect(events.length).toBeGreaterThanOrEqual(2);
  return { events, deliveries, wrongEndpointId: swallow.wrongEndpointId };
}

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id).sort();
const stripeIdsOf = (messages: readonly BillingEvent[]) =>
  messages.map((m) => m.stripeEventId).sort();

async function stateItem() {
  const { Item } = await DynamoDBDocumentClient.from(dynamo).send(
    new GetCommand({
      TableName: stack.names.reconciliationStateTable,
      Key: { name: DEFAULT_RECONCILIATION_NAME },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('events the webhook never processed', () => {
  it('a wrong endpoint acknowledged them: published after a reconciliation, exactly once; a second run publishes nothing', async () => {
    const user = 'recon-wrong-endpoint';
    const { events, deliveries, wrongEndpointId } = await missedCheckout(user, 'wrong-endpoint');

    // The wrong endpoint answered 200 to each: Stripe calls them delivered.
    for (const event of events) {
      expect(deliveries.filter((d) => d.eventId === event.id)).toEqual([
        expect.objectContaining({ endpointId: wrongEndpointId, status: 200 }),
      ]);
    }
    const delivered = await stripe.events.list({
      delivery_success: true,
      types: [...HANDLED],
      limit: 100,
    });
    expect(delivered.data.map((e) => e.id)).toEqual(expect.arrayContaining(ids(events)));
    expect(await billingEventsOf(stack, user)).toEqual([]);

    const { metrics, total } = recordingMetrics();
    const report = await reconcile({ metrics });
    expect(report).toMatchObject({ succeeded: true, complete: true });
    expect([...report.recovered].sort()).toEqual(ids(events));
    expect(report.counts.published).toBe(events.length);
    expect(total(METRICS.eventsRecovered)).toBe(events.length);
    expect(total(METRICS.reconciliationRuns)).toBe(1);

    const messages = await billingEventsOf(stack, user);
    expect(stripeIdsOf(messages)).toEqual(ids(events));
    expect(messages.every((m) => m.id === `${m.stripeEventId}:${m.type}`)).toBe(true);

    const again = await reconcile();
    expect(again.counts).toMatchObject({ published: 0, failed: 0 });
    expect(again.counts.alreadyProcessed).toBeGreaterThanOrEqual(events.length);
    expect(await billingEventsOf(stack, user)).toHaveLength(events.length);
  });

  it("the service's endpoint was disabled: published after a reconciliation, exactly once", async () => {
    const user = 'recon-disabled';
    const { events, deliveries } = await missedCheckout(user, 'disabled', 'price-pro-monthly');
    expect(deliveries.filter((d) => ids(events).includes(d.eventId))).toEqual([]);

    const report = await reconcile();
    expect([...report.recovered].sort()).toEqual(ids(events));
    expect(stripeIdsOf(await billingEventsOf(stack, user))).toEqual(ids(events));
    expect((await reconcile()).counts.published).toBe(0);
  });
});

describe('events the webhook processed', () => {
  it('are found already processed: nothing is published again', async () => {
    const user = 'recon-delivered';
    await buy(stack, user);
    await deliveriesSettled(stack);
    const before = await billingEventsOf(stack, user);
    expect(before.length).toBeGreaterThanOrEqual(2);

    const report = await reconcile();
    expect(report.succeeded).toBe(true);
    expect(report.counts.published).toBe(0);
    expect(report.counts.alreadyProcessed).toBeGreaterThanOrEqual(before.length);
    expect(await billingEventsOf(stack, user)).toHaveLength(before.length);
  });
});

describe('reconciliation and the webhook at once', () => {
  it('on the same events: exactly one message per event', async () => {
    const user = 'recon-concurrent';
    await missedCheckout(user, 'disabled');
    // One customer per user: the second checkout's list has the first one's events too.
    const { events } = await missedCheckout(user, 'disabled', 'price-pro-monthly');
    expect(events.length).toBeGreaterThanOrEqual(5);

    /** What Stripe's (re)delivery of the event to the service would be. */
    const deliver = async (event: Stripe.Event) => (await postToWebhook(stack, event)).status;
    // Two reconciliations (two containers) and two deliveries of each event, all at once.
    const [statuses, first, second] = await Promise.all([
      Promise.all([...events, ...events].map(deliver)),
      reconcile(),
      reconcile(),
    ]);
    // 409: the delivery found the event in progress elsewhere (Stripe retries later).
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(first.counts.failed + second.counts.failed).toBe(0);

    // Whatever one way in found in progress, the next run settles.
    await reconcile();
    const messages = await billingEventsOf(stack, user);
    expect(stripeIdsOf(messages)).toEqual(ids(events));
  });
});

describe('the cursor', () => {
  it('is saved after a run, and the next run starts one interval (the overlap) before it', async () => {
    await reconcile();
    const item = await stateItem();
    const newest = (await stripe.events.list({ types: [...HANDLED], limit: 1 })).data[0];
    expect(item).toMatchObject({
      name: DEFAULT_RECONCILIATION_NAME,
      cursor: newest?.created,
      cursorAt: new Date((newest?.created ?? 0) * 1000).toISOString(),
      runStartedAt: expect.any(String) as unknown,
      lastRunAt: expect.any(String) as unknown,
      counts: expect.objectContaining({ failed: 0 }) as unknown,
    });

    const next = await reconcile();
    const overlap = overlapSecondsFor(config.reconcileIntervalMinutes);
    expect(overlap).toBe(15 * 60);
    expect(next.window.from).toBe(
      new Date(((newest?.created ?? 0) - overlap) * 1000).toISOString(),
    );
    expect(next.cursor.previous).toBe(item?.cursorAt);
  });

  it('stays where it was when a run fails (SNS unreachable); the next good run publishes what failed', async () => {
    const user = 'recon-sns-down';
    await reconcile();
    const before = await stateItem();
    const { events } = await missedCheckout(user, 'disabled');

    const deadSns = localSnsClient('http://127.0.0.1:9');
    try {
      const { metrics, total } = recordingMetrics();
      const failed = await reconcile({ sns: deadSns, metrics });
      expect(failed.succeeded).toBe(false);
      expect(failed.counts.failed).toBeGreaterThanOrEqual(1);
      expect(failed.counts.published).toBe(0);
      expect(failed.cursor.saved).toBeUndefined();
      expect(total(METRICS.reconciliationFailures)).toBe(1);
      expect(total(METRICS.reconciliationRuns)).toBe(0);
      expect(await stateItem()).toEqual(before);

      // The scheduled function fails too (Lambda's Errors), after counting the failure.
      const { handler } = reconcilerWith({ sns: deadSns });
      await expect(handler({}, localContext('stripe-reconcile'))).rejects.toThrow(
        ReconciliationFailedError,
      );
      expect(await stateItem()).toEqual(before);
    } finally {
      deadSns.destroy();
    }

    const recovered = await reconcile();
    expect(recovered.succeeded).toBe(true);
    expect([...recovered.recovered].sort()).toEqual(ids(events));
    expect(stripeIdsOf(await billingEventsOf(stack, user))).toEqual(ids(events));
    expect((await stateItem())?.cursor).toBeGreaterThanOrEqual(before?.cursor as number);
  });

  it('the scheduled handler runs with its own context, returns its report and emits its metrics (EMF)', async () => {
    const user = 'recon-scheduled';
    const { events } = await missedCheckout(user, 'disabled');
    const metrics = new PowertoolsMetrics({
      namespace: 'test-stripe-service',
      environment: 'local',
    });
    const { handler } = reconcilerWith({ metrics });
    const instrumented = metrics.instrument(handler);
    const stdout = captureStdout();
    let report: Awaited<ReturnType<typeof handler>>;
    try {
      report = await instrumented(
        { 'detail-type': 'Scheduled Event', source: 'aws.events' } as never,
        localContext('stripe-reconcile'),
      );
    } finally {
      stdout.restore();
    }
    expect(report).toMatchObject({ succeeded: true, name: DEFAULT_RECONCILIATION_NAME });
    const emf = stdout.emf();
    expect(emfTotal(emf, METRICS.reconciliationRuns)).toBe(1);
    expect(emfTotal(emf, METRICS.reconciliationFailures)).toBe(0);
    expect(emfTotal(emf, METRICS.eventsRecovered)).toBe(events.length);
    expect(emf.every((line) => line.environment === 'local')).toBe(true);
    expect(stripeIdsOf(await billingEventsOf(stack, user))).toEqual(ids(events));
  });
});

describe('replaying one event (--event)', () => {
  it('a parked event, after the fix, is published and unparked; the ledger then knows it', async () => {
    const user = 'recon-parked';
    const { events } = await missedCheckout(user, 'disabled', 'price-pro-monthly');
    const created = events.find((e) => e.type === 'customer.subscription.created');
    if (!created) throw new Error('no customer.subscription.created event');

    // Delivered once with a payload the mapper cannot take (before the "fix"): parked.
    const broken = structuredClone(created) as unknown as {
      data: { object: Record<string, unknown> };
    };
    delete broken.data.object.items;
    const response = await postToWebhook(stack, broken);
    expect(await response.json()).toMatchObject({ parked: true });
    const parked = new DynamoParkedEventStore(
      DynamoDBDocumentClient.from(dynamo),
      stack.names.parkedEventsTable,
    );
    expect(await parked.get(created.id)).toMatchObject({ eventId: created.id });

    // A reconciliation finds it processed (parked): it stays parked.
    const run = await reconcile();
    expect(run.recovered).not.toContain(created.id);
    expect(await parked.get(created.id)).toBeDefined();

    const { reconciler } = reconcilerWith();
    const replay = await reconciler.replayEvent(created.id, localContext('stripe-replay'));
    expect(replay).toMatchObject({
      eventId: created.id,
      source: 'stripe',
      disposition: 'published',
      billingEventId: `${created.id}:subscription.created`,
      wasParked: true,
      unparked: true,
    });
    expect(await parked.get(created.id)).toBeUndefined();
    const messages = (await billingEventsOf(stack, user)).filter(
      (m) => m.stripeEventId === created.id,
    );
    expect(messages).toHaveLength(1);

    const again = await reconciler.replayEvent(created.id, localContext('stripe-replay'));
    expect(again).toMatchObject({ disposition: 'already_processed', wasParked: false });
    expect(await billingEventsOf(stack, user)).toHaveLength(events.length);
  });

  it('an event Stripe does not have fails clearly', async () => {
    const { reconciler } = reconcilerWith();
    await expect(
      reconciler.replayEvent('evt_doesNotExist123', localContext('stripe-replay')),
    ).rejects.toThrow(UnknownEventError);
  });
});

describe("reading Stripe's events oldest first", () => {
  it('gives the same events in the same order whether the window is buffered or walked twice', async () => {
    // Pages of one event make a request per event: Stripe's rate limits are waited out, as
    // reconciliation waits them out.
    const provider = new StripeClientProvider(
      () => Promise.resolve(LOCAL_SECRET_DEFAULTS.stripeSecretKey),
      stack.functions.stripeConnection,
      SCHEDULED_STRIPE_RATE_LIMIT_RETRIES,
    );
    const now = Math.floor(Date.now() / 1000);
    const window = { types: HANDLED, createdFrom: now - 3600, createdTo: now };
    const read = async (source: StripeSdkEventSource) => {
      const seen: Stripe.Event[] = [];
      for await (const event of source.eventsOldestFirst(window)) seen.push(event);
      return seen;
    };
    const buffered = await read(new StripeSdkEventSource(provider));
    const twice = await read(new StripeSdkEventSource(provider, 1));
    expect(buffered.length).toBeGreaterThan(5);
    expect(twice.map((e) => e.id)).toEqual(buffered.map((e) => e.id));
    const created = buffered.map((e) => e.created);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(buffered.every((e) => HANDLED.includes(e.type))).toBe(true);
    expect(buffered.every((e) => e.api_version === STRIPE_API_VERSION)).toBe(true);
  });
});
