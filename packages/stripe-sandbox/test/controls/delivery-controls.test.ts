import type Stripe from 'stripe';
import type { DeliveryAttempt } from '../../src';
import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

/** The service's endpoint: found by its URL, as a test against real Stripe would. */
async function serviceEndpoint(): Promise<Stripe.WebhookEndpoint> {
  const found = (await h.stripe.webhookEndpoints.list({ limit: 100 })).data.find(
    (endpoint) => endpoint.url === h.endpoint,
  );
  if (!found) throw new Error('the service endpoint is not registered');
  return found;
}

/** An endpoint that answers 200 to everything and keeps nothing: the sandbox's sink. */
const sinkEndpoint = () =>
  h.stripe.webhookEndpoints.create({
    url: `${h.sandbox.url}/_sandbox/sink`,
    enabled_events: ['*'],
    description: 'the wrong endpoint',
  });

describe('a wrong endpoint acknowledged the event', () => {
  it('service endpoint disabled, the sink acknowledges: delivery_success is true, the service saw nothing', async () => {
    const service = await serviceEndpoint();
    await h.stripe.webhookEndpoints.update(service.id, { disabled: true });
    const sink = await sinkEndpoint();
    const since = Math.floor(Date.now() / 1000);

    const customer = await h.stripe.customers.create({ email: 'swallowed@example.com' });
    await h.settle();
    expect(h.receiver.events).toEqual([]);

    const [event] = (
      await h.stripe.events.list({ type: 'customer.created', delivery_success: true })
    ).data;
    expect((event?.data.object as Stripe.Customer).id).toBe(customer.id);
    expect(event?.pending_webhooks).toBe(0);
    expect(
      (await h.stripe.events.list({ type: 'customer.created', delivery_success: false })).data,
    ).toEqual([]);
    const { deliveries } = await h.call<{ deliveries: DeliveryAttempt[] }>(
      'GET',
      `deliveries?event=${event?.id ?? ''}`,
    );
    expect(deliveries.map((d) => [d.endpointId, d.status])).toEqual([[sink.id, 200]]);

    // What reconciliation does instead of trusting delivery_success: walk the events.
    const walked: string[] = [];
    await h.stripe.events
      .list({ types: ['customer.created'], created: { gte: since - 1 } })
      .autoPagingEach((e) => void walked.push(e.id));
    expect(walked).toEqual([event?.id]);

    // Restoring: the service gets what comes next; the swallowed event stays swallowed.
    await h.stripe.webhookEndpoints.update(service.id, { disabled: false });
    await h.stripe.webhookEndpoints.del(sink.id);
    await h.stripe.customers.update(customer.id, { name: 'Later' });
    await h.settle();
    expect(h.receiver.types()).toEqual(['customer.updated']);
  });

  it('service endpoint not subscribed to the type, the sink is: the same from the outside', async () => {
    const service = await serviceEndpoint();
    await h.stripe.webhookEndpoints.update(service.id, { enabled_events: ['customer.updated'] });
    await sinkEndpoint();
    const customer = await h.stripe.customers.create({ email: 'unsubscribed@example.com' });
    await h.stripe.customers.update(customer.id, { name: 'Seen' });
    await h.settle();
    expect(h.receiver.types()).toEqual(['customer.updated']);
    const delivered = await h.stripe.events.list({ delivery_success: true });
    expect(delivered.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
  });
});
