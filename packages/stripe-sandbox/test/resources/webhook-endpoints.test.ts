import Stripe from 'stripe';
import {
  DEFAULT_API_VERSION,
  type DeliveryAttempt,
  IMPLICIT_ENDPOINT_DESCRIPTION,
} from '../../src';
import {
  startReceiver,
  useHarness,
  WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });
const extra: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(extra.map((r) => r.stop()));
});

/** A receiver for a new endpoint, verifying with the secret the create call answers. */
async function endpointWithReceiver(
  enabledEvents: Stripe.WebhookEndpointCreateParams.EnabledEvent[],
): Promise<{ endpoint: Stripe.WebhookEndpoint; receiver: WebhookReceiver }> {
  const { receiver, url } = await startReceiver();
  extra.push(receiver);
  const endpoint = await h.stripe.webhookEndpoints.create({ url, enabled_events: enabledEvents });
  receiver.secret = endpoint.secret ?? '';
  return { endpoint, receiver };
}

const deliveries = (query: string) =>
  h.call<{ deliveries: DeliveryAttempt[] }>('GET', `deliveries?wait=true&${query}`);

// Stripe's webhook_endpoint attributes (API reference), `secret` only at creation.
const ENDPOINT_KEYS = [
  'api_version',
  'application',
  'created',
  'description',
  'enabled_events',
  'id',
  'livemode',
  'metadata',
  'object',
  'status',
  'url',
];

describe('/v1/webhook_endpoints through the stripe SDK', () => {
  it("create answers the endpoint's own whsec_ secret, once; retrieve, update and list never show it", async () => {
    const created = await h.stripe.webhookEndpoints.create({
      url: 'https://billing.example.com/stripe/webhook',
      enabled_events: ['customer.subscription.updated', 'invoice.payment_failed'],
      api_version: DEFAULT_API_VERSION,
      description: 'billing',
      metadata: { team: 'payments' },
    });
    expect(created).toMatchObject({
      object: 'webhook_endpoint',
      url: 'https://billing.example.com/stripe/webhook',
      enabled_events: ['customer.subscription.updated', 'invoice.payment_failed'],
      api_version: DEFAULT_API_VERSION,
      application: null,
      description: 'billing',
      livemode: false,
      metadata: { team: 'payments' },
      status: 'enabled',
    });
    expect(created.id).toMatch(/^we_[A-Za-z0-9]{24}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(Object.keys(created).sort()).toEqual([...ENDPOINT_KEYS, 'secret'].sort());
    const other = await h.stripe.webhookEndpoints.create({
      url: 'https://other.example.com/hook',
      enabled_events: ['*'],
    });
    expect(other.secret).not.toBe(created.secret);
    expect(other).toMatchObject({ api_version: null, description: null, metadata: {} });

    const retrieved = await h.stripe.webhookEndpoints.retrieve(created.id);
    expect(Object.keys(retrieved).sort()).toEqual(ENDPOINT_KEYS);
    const { secret: _secret, ...withoutSecret } = created;
    expect(retrieved).toEqual(withoutSecret);

    const updated = await h.stripe.webhookEndpoints.update(created.id, {
      enabled_events: ['*'],
      disabled: true,
      description: '',
      metadata: { team: '' },
      url: 'https://billing.example.com/v2/webhook',
    });
    expect(updated).toMatchObject({
      enabled_events: ['*'],
      status: 'disabled',
      description: null,
      metadata: {},
      url: 'https://billing.example.com/v2/webhook',
    });
    expect(updated).not.toHaveProperty('secret');
    expect((await h.stripe.webhookEndpoints.update(created.id, { disabled: false })).status).toBe(
      'enabled',
    );

    const listed = await h.stripe.webhookEndpoints.list();
    expect(listed.data.map((e) => e.url)).toEqual([
      'https://other.example.com/hook',
      'https://billing.example.com/v2/webhook',
      h.endpoint,
    ]);
    for (const endpoint of listed.data) expect(endpoint).not.toHaveProperty('secret');
    expect((await h.stripe.webhookEndpoints.list({ limit: 1 })).has_more).toBe(true);

    expect(await h.stripe.webhookEndpoints.del(created.id)).toEqual({
      id: created.id,
      object: 'webhook_endpoint',
      deleted: true,
    });
    await expect(h.stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it("delivers each event to every enabled endpoint subscribed to its type, signed with that endpoint's secret", async () => {
    const only = await endpointWithReceiver(['customer.created']);
    const all = await endpointWithReceiver(['*']);
    const wrongSecret = await endpointWithReceiver(['*']);
    wrongSecret.receiver.secret = only.endpoint.secret ?? '';

    const customer = await h.stripe.customers.create({ email: 'fanout@example.com' });
    await h.stripe.customers.update(customer.id, { name: 'Ada' });
    await h.settle();

    expect(only.receiver.types()).toEqual(['customer.created']);
    expect(all.receiver.types()).toEqual(['customer.created', 'customer.updated']);
    expect(h.receiver.types()).toEqual(['customer.created', 'customer.updated']);
    for (const receiver of [only.receiver, all.receiver, h.receiver])
      expect(receiver.rejected).toEqual([]);
    // Signed with its own secret: another endpoint's secret does not verify it.
    expect(wrongSecret.receiver.events).toEqual([]);
    expect(wrongSecret.receiver.rejected[0]).toMatch(/No signatures found matching/);
    const refused = await deliveries(`endpoint=${wrongSecret.endpoint.id}`);
    expect(refused.deliveries.every((d) => d.status === 400)).toBe(true);

    // The event as sent names how many endpoints it went to.
    expect(only.receiver.events[0]?.pending_webhooks).toBe(4);
    expect(all.receiver.events[1]?.pending_webhooks).toBe(3);
    expect(only.receiver.events[0]?.id).toBe(h.receiver.events[0]?.id);
  });

  it('a disabled or deleted endpoint gets nothing (not even pending retries); re-enabled, new events flow', async () => {
    const { endpoint, receiver } = await endpointWithReceiver(['*']);
    receiver.failNext = 1;
    await h.stripe.customers.create({ email: 'first@example.com' });
    // Disabled before its retry: the retry is abandoned, as Stripe stops delivering.
    await h.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    await h.stripe.customers.create({ email: 'while-disabled@example.com' });
    await h.settle();
    expect(receiver.events).toEqual([]);
    expect(h.receiver.types()).toEqual(['customer.created', 'customer.created']);

    await h.stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    await h.stripe.customers.create({ email: 'again@example.com' });
    await h.settle();
    expect(receiver.events.map((e) => (e.data.object as Stripe.Customer).email)).toEqual([
      'again@example.com',
    ]);

    await h.stripe.webhookEndpoints.del(endpoint.id);
    await h.stripe.customers.create({ email: 'after-delete@example.com' });
    await h.settle();
    expect(receiver.events).toHaveLength(1);
  });

  it('the start-option endpoint is listed like any other; its settings hold, reset restores them', async () => {
    const [implicit, ...others] = (await h.stripe.webhookEndpoints.list()).data;
    expect(others).toEqual([]);
    expect(implicit).toMatchObject({
      url: h.endpoint,
      enabled_events: ['*'],
      status: 'enabled',
      api_version: DEFAULT_API_VERSION,
      description: IMPLICIT_ENDPOINT_DESCRIPTION,
    });
    const id = implicit?.id ?? '';
    await h.stripe.webhookEndpoints.update(id, { enabled_events: ['customer.updated'] });
    const customer = await h.stripe.customers.create({ email: 'narrow@example.com' });
    await h.stripe.customers.update(customer.id, { name: 'Narrow' });
    await h.settle();
    expect(h.receiver.types()).toEqual(['customer.updated']);
    expect(h.receiver.rejected).toEqual([]); // still signed with the webhookSecret option

    // Configuring the same URL again (as the local stack does once started) keeps it.
    h.sandbox.state.delivery.configure({ endpoints: [h.endpoint], secret: WEBHOOK_SECRET });
    expect(await h.stripe.webhookEndpoints.retrieve(id)).toMatchObject({
      enabled_events: ['customer.updated'],
    });

    await h.control('reset');
    const [restored] = (await h.stripe.webhookEndpoints.list()).data;
    expect(restored).toMatchObject({ url: h.endpoint, enabled_events: ['*'] });
  });

  it('POST /_sandbox/webhook-endpoints replaces the start-option endpoints, API-created ones stay', async () => {
    const { endpoint } = await endpointWithReceiver(['*']);
    try {
      await h.control('webhook-endpoints', { urls: ['http://127.0.0.1:9/elsewhere'] });
      const urls = (await h.stripe.webhookEndpoints.list()).data.map((e) => e.url);
      expect(urls).toEqual(['http://127.0.0.1:9/elsewhere', endpoint.url]);
    } finally {
      await h.control('webhook-endpoints', { urls: [h.endpoint] });
    }
  });

  it("refuses what Stripe refuses, with Stripe's errors", async () => {
    const refused = (params: Record<string, unknown>) =>
      h.stripe.webhookEndpoints.create(params as unknown as Stripe.WebhookEndpointCreateParams);
    await expect(refused({ enabled_events: ['*'] })).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'url',
    });
    await expect(refused({ url: 'https://a.example/h' })).rejects.toMatchObject({
      code: 'parameter_missing',
      param: 'enabled_events',
    });
    await expect(refused({ url: 'not a url', enabled_events: ['*'] })).rejects.toMatchObject({
      code: 'parameter_invalid',
      param: 'url',
    });
    await expect(
      refused({ url: 'https://a.example/h', enabled_events: ['*', 'Not An Event'] }),
    ).rejects.toMatchObject({ code: 'parameter_invalid', param: 'enabled_events[1]' });
    await expect(
      refused({ url: 'https://a.example/h', enabled_events: ['*'], api_version: '2020-08-27' }),
    ).rejects.toMatchObject({ code: 'parameter_invalid', param: 'api_version' });
    await expect(
      refused({ url: 'https://a.example/h', enabled_events: ['*'], secret: 'whsec_mine' }),
    ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'secret' });
    await expect(h.stripe.webhookEndpoints.update('we_missing', {})).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });

    // Stripe allows 16 endpoints per account and mode (the start-option one counts).
    for (let i = 1; i < 16; i++)
      await h.stripe.webhookEndpoints.create({
        url: `https://a.example/${i}`,
        enabled_events: ['*'],
      });
    await expect(
      h.stripe.webhookEndpoints.create({ url: 'https://a.example/17', enabled_events: ['*'] }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/maximum of 16/) as unknown,
    });
  });
});
