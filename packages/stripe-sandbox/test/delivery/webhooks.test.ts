import Stripe from 'stripe';
import { type DeliveryAttempt, signatureHeader } from '../../src';
import { useHarness, WEBHOOK_SECRET } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ retryDelaysMs: [30, 60, 120], between: 'settle' });

async function deliveries(eventId: string): Promise<DeliveryAttempt[]> {
  const response = await fetch(`${h.sandbox.url}/_sandbox/deliveries?wait=true&event=${eventId}`);
  return ((await response.json()) as { deliveries: DeliveryAttempt[] }).deliveries;
}

describe('webhook delivery', () => {
  it('signs each event as Stripe does: constructEvent accepts it with the secret, rejects it with another', async () => {
    const customer = await h.stripe.customers.create({ email: 'signed@example.com' });
    await h.settle();
    const event = h.receiver.events.find((e) => e.type === 'customer.created');
    expect(event?.data.object).toMatchObject({ id: customer.id });
    expect(event).toMatchObject({
      object: 'event',
      api_version: Stripe.API_VERSION,
      livemode: false,
      pending_webhooks: 1,
    });
    expect(event?.request).toMatchObject({ id: expect.stringMatching(/^req_/) as unknown });

    const stored = await h.stripe.events.retrieve(event?.id ?? '');
    const payload = JSON.stringify(stored, null, 2);
    const header = signatureHeader(payload, WEBHOOK_SECRET);
    expect(() => Stripe.webhooks.constructEvent(payload, header, WEBHOOK_SECRET)).not.toThrow();
    expect(() => Stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('retries a non-2xx answer with backoff until the endpoint accepts, and logs each attempt', async () => {
    h.receiver.failNext = 2;
    await h.stripe.customers.create({ email: 'retry@example.com' });
    const event = (await h.stripe.events.list({ type: 'customer.created', limit: 1 })).data[0];
    const attempts = await deliveries(event?.id ?? '');
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const gaps = attempts
      .slice(1)
      .map((a, i) => Date.parse(a.at) - Date.parse(attempts[i]?.at ?? ''));
    expect(gaps[0]).toBeGreaterThanOrEqual(25);
    expect(h.receiver.events.filter((e) => e.id === event?.id)).toHaveLength(1);
  });

  it('gives up after the schedule runs out', async () => {
    h.receiver.failNext = 10;
    await h.stripe.customers.create({ email: 'giveup@example.com' });
    const event = (await h.stripe.events.list({ type: 'customer.created', limit: 1 })).data[0];
    const attempts = await deliveries(event?.id ?? '');
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
  });

  it('retries an endpoint that cannot be reached, recording the error', async () => {
    await h.control('webhook-endpoints', { urls: ['http://127.0.0.1:9/unreachable'] });
    try {
      await h.stripe.customers.create({ email: 'down@example.com' });
      const event = (await h.stripe.events.list({ type: 'customer.created', limit: 1 })).data[0];
      const attempts = await deliveries(event?.id ?? '');
      expect(attempts).toHaveLength(4);
      for (const attempt of attempts)
        expect([attempt.status, typeof attempt.error]).toEqual([null, 'string']);
    } finally {
      await h.control('webhook-endpoints', { urls: [h.endpoint] });
    }
  });

  it('sends first attempts in event order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await h.stripe.customers.create({ email: `order-${i}@example.com` })).id);
    await h.settle();
    const delivered = h.receiver.events
      .filter((e) => e.type === 'customer.created')
      .map((e) => e.data.object.id);
    expect(delivered).toEqual(ids);
  });

  it('forgets state, deliveries and pending retries on reset', async () => {
    h.receiver.failNext = 1;
    await h.stripe.customers.create({ email: 'reset@example.com' });
    await h.control('reset');
    expect((await h.stripe.customers.list()).data).toEqual([]);
    expect(await deliveries('')).toEqual([]);
  });
});
