import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { DeliveryAttempt, EventBridgeEnvelope } from '../../src';
import { postEnvelopesTo } from '../../src/delivery/event-destinations';
import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

/** An endpoint that keeps every delivery as received (raw body and signature); `status` answers. */
class RawReceiver {
  readonly received: { body: string; signature: string }[] = [];
  statuses: number[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(request.headers['stripe-signature']),
        });
        response.writeHead(this.statuses.shift() ?? 200).end('{}');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}

const receivers: RawReceiver[] = [];
async function receiver(): Promise<{ receiver: RawReceiver; url: string }> {
  const created = new RawReceiver();
  receivers.push(created);
  return { receiver: created, url: await created.start() };
}
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

const attempts = (endpoint: string) =>
  h.call<{ deliveries: DeliveryAttempt[] }>('GET', `deliveries?wait=true&endpoint=${endpoint}`);

describe('deliveries to event destinations', () => {
  it('sends a thin event, signed with the destination secret, that the SDK verifies and resolves', async () => {
    const { receiver: thinReceiver, url } = await receiver();
    const destination = await h.stripe.v2.core.eventDestinations.create({
      name: 'thin',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v1.customer.created'],
      webhook_endpoint: { url },
      include: ['webhook_endpoint.signing_secret'],
    });
    const secret = destination.webhook_endpoint?.signing_secret ?? '';
    const customer = await h.stripe.customers.create({ email: 'thin@example.com' });
    await h.settle();

    expect(thinReceiver.received).toHaveLength(1);
    const [delivery] = thinReceiver.received;
    const notification = h.stripe.parseEventNotification(
      delivery?.body ?? '',
      delivery?.signature ?? '',
      secret,
    );
    const [snapshot] = (await h.stripe.events.list({ type: 'customer.created' })).data;
    expect(notification).toMatchObject({
      object: 'v2.core.event',
      type: 'v1.customer.created',
      livemode: false,
      snapshot_event: snapshot?.id,
      related_object: { id: customer.id, type: 'customer', url: `/v1/customers/${customer.id}` },
    });
    expect(notification.id).toMatch(/^evt_/);
    expect(notification.id).not.toBe(snapshot?.id);
    // The SDK's own helpers fetch the event and the object from the sandbox.
    if (notification.type !== 'v1.customer.created') throw new Error(notification.type);
    await expect(notification.fetchEvent()).resolves.toMatchObject({
      id: notification.id,
      snapshot_event: snapshot?.id,
    });
    await expect(notification.fetchRelatedObject()).resolves.toMatchObject({ id: customer.id });
    // Any other secret does not verify.
    expect(() =>
      h.stripe.parseEventNotification(delivery?.body ?? '', delivery?.signature ?? '', 'whsec_x'),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('sends a snapshot destination the v1 event itself, and retries a non-2xx answer', async () => {
    const { receiver: snapshotReceiver, url } = await receiver();
    snapshotReceiver.statuses = [500];
    const destination = await h.stripe.v2.core.eventDestinations.create({
      name: 'snapshot',
      type: 'webhook_endpoint',
      event_payload: 'snapshot',
      enabled_events: ['customer.created'],
      webhook_endpoint: { url },
      include: ['webhook_endpoint.signing_secret'],
    });
    expect(destination.snapshot_api_version).toBe(h.sandbox.apiVersion);
    await h.stripe.customers.create({ email: 'snap@example.com' });
    const log = await attempts(destination.id);
    expect(log.deliveries.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    const last = snapshotReceiver.received.at(-1);
    const event = Stripe.webhooks.constructEvent(
      last?.body ?? '',
      last?.signature ?? '',
      destination.webhook_endpoint?.signing_secret ?? '',
    );
    expect(event.type).toBe('customer.created');
    await expect(h.stripe.events.retrieve(event.id)).resolves.toMatchObject({ id: event.id });
  });

  it('puts EventBridge envelopes through eventBridgeDelivery, retrying a failed put', async () => {
    const envelopes: EventBridgeEnvelope[] = [];
    let failures = 1;
    h.sandbox.state.delivery.configure({
      eventBridgeDelivery: (envelope) => {
        if (failures-- > 0) return Promise.reject(new Error('PutEvents throttled'));
        envelopes.push(envelope);
        return Promise.resolve();
      },
    });
    try {
      const destination = await h.stripe.v2.core.eventDestinations.create({
        name: 'bus',
        type: 'amazon_eventbridge',
        event_payload: 'thin',
        enabled_events: ['v1.customer.created'],
        amazon_eventbridge: { aws_account_id: '123456789012', aws_region: 'eu-west-1' },
      });
      expect(destination.amazon_eventbridge).toEqual({
        aws_account_id: '123456789012',
        aws_event_source_arn: `arn:aws:events:eu-west-1::event-source/aws.partner/stripe.com/${destination.id}`,
        aws_event_source_status: 'active',
      });
      expect(destination.webhook_endpoint).toBeNull();
      const customer = await h.stripe.customers.create({ email: 'bus@example.com' });
      const log = await attempts(destination.id);
      expect(log.deliveries.map((a) => a.status)).toEqual([null, 200]);
      expect(envelopes).toHaveLength(1);
      const [envelope] = envelopes;
      expect(envelope).toMatchObject({
        version: '0',
        'detail-type': 'v1.customer.created',
        source: `aws.partner/stripe.com/${destination.id}`,
        account: '123456789012',
        region: 'eu-west-1',
        resources: [],
        detail: { object: 'v2.core.event', type: 'v1.customer.created' },
      });
      // The SDK takes the envelope as EventBridge hands it over.
      const notification = h.stripe.parseEventNotificationWithoutVerification(
        JSON.stringify(envelope),
      );
      if (notification.type !== 'v1.customer.created') throw new Error(notification.type);
      await expect(notification.fetchRelatedObject()).resolves.toMatchObject({ id: customer.id });
    } finally {
      h.sandbox.state.delivery.configure({ eventBridgeDelivery: undefined });
    }
  });

  it('POSTs envelopes to a URL (--eventbridge-url), a non-2xx being a failed put', async () => {
    const { receiver: bus, url } = await receiver();
    bus.statuses = [503];
    h.sandbox.state.delivery.configure({ eventBridgeDelivery: postEnvelopesTo(url, 2_000) });
    try {
      const destination = await h.stripe.v2.core.eventDestinations.create({
        name: 'bus',
        type: 'amazon_eventbridge',
        event_payload: 'snapshot',
        enabled_events: ['customer.created'],
        amazon_eventbridge: { aws_account_id: '000000000000', aws_region: 'local' },
      });
      await h.stripe.customers.create({ email: 'post@example.com' });
      const log = await attempts(destination.id);
      expect(log.deliveries.map((a) => a.status)).toEqual([null, 200]);
      const envelope = JSON.parse(bus.received.at(-1)?.body ?? '{}') as EventBridgeEnvelope;
      expect(envelope).toMatchObject({
        'detail-type': 'customer.created',
        source: `aws.partner/stripe.com/${destination.id}`,
        detail: { object: 'event', type: 'customer.created' },
      });
    } finally {
      h.sandbox.state.delivery.configure({ eventBridgeDelivery: undefined });
    }
  });

  it('does not deliver to a disabled destination', async () => {
    const { receiver: idle, url } = await receiver();
    const destination = await h.stripe.v2.core.eventDestinations.create({
      name: 'off',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v1.customer.created'],
      webhook_endpoint: { url },
    });
    await expect(h.stripe.v2.core.eventDestinations.disable(destination.id)).resolves.toMatchObject(
      { status: 'disabled' },
    );
    await h.stripe.customers.create({ email: 'off@example.com' });
    await h.settle();
    expect(idle.received).toEqual([]);
  });
});
