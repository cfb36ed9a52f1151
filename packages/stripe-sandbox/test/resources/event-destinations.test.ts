import type Stripe from 'stripe';
import { failure, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

describe('/v2/core/event_destinations through the stripe SDK', () => {
  it('creates a webhook destination with its own secret, shown once; retrieve, list, delete', async () => {
    const created = await h.stripe.v2.core.eventDestinations.create({
      name: 'billing (thin)',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v1.payment_intent.succeeded', 'v1.invoice.payment_failed'],
      webhook_endpoint: { url: 'https://billing.example.com/stripe/webhook' },
      include: ['webhook_endpoint.signing_secret', 'webhook_endpoint.url'],
      metadata: { team: 'payments' },
    });
    expect(created).toMatchObject({
      object: 'v2.core.event_destination',
      name: 'billing (thin)',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v1.payment_intent.succeeded', 'v1.invoice.payment_failed'],
      events_from: ['@self'],
      livemode: false,
      metadata: { team: 'payments' },
      snapshot_api_version: null,
      status: 'enabled',
      amazon_eventbridge: null,
      webhook_endpoint: { url: 'https://billing.example.com/stripe/webhook' },
    });
    expect(created.id).toMatch(/^ed_test_/);
    expect(created.webhook_endpoint?.signing_secret).toMatch(/^whsec_/);
    expect(Number.isNaN(Date.parse(created.created))).toBe(false);

    const retrieved = await h.stripe.v2.core.eventDestinations.retrieve(created.id);
    expect(retrieved.webhook_endpoint).toEqual({ signing_secret: null, url: null });
    const withUrl = await h.stripe.v2.core.eventDestinations.retrieve(created.id, {
      include: ['webhook_endpoint.url'],
    });
    expect(withUrl.webhook_endpoint).toEqual({
      signing_secret: null,
      url: 'https://billing.example.com/stripe/webhook',
    });

    const listed: string[] = [];
    for await (const destination of h.stripe.v2.core.eventDestinations.list({ limit: 1 }))
      listed.push(destination.id);
    expect(listed).toEqual([created.id]);

    await expect(h.stripe.v2.core.eventDestinations.del(created.id)).resolves.toMatchObject({
      id: created.id,
    });
    const missing = await failure(h.stripe.v2.core.eventDestinations.retrieve(created.id));
    expect(missing.statusCode).toBe(404);
  });

  it.each([
    [
      'a thin destination naming a v1 event without its v1. prefix',
      { event_payload: 'thin', enabled_events: ['customer.created'] },
    ],
    [
      'a snapshot destination naming a thin type',
      { event_payload: 'snapshot', enabled_events: ['v1.customer.created'] },
    ],
    ['a webhook destination without its URL', { webhook_endpoint: undefined }],
  ] as const)('refuses %s (400)', async (_, fields) => {
    const error = await failure(
      h.stripe.v2.core.eventDestinations.create({
        name: 'bad',
        type: 'webhook_endpoint',
        event_payload: 'thin',
        enabled_events: ['v1.customer.created'],
        webhook_endpoint: { url: 'https://billing.example.com/hook' },
        ...fields,
      } as Stripe.V2.Core.EventDestinationCreateParams),
    );
    expect(error.statusCode).toBe(400);
  });
});
