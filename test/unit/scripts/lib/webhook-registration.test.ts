import type Stripe from 'stripe';
import { HANDLED_STRIPE_EVENT_TYPES } from '../../../../lambda/stripe-events/billing-event-mapping';
import { STRIPE_API_VERSION } from '../../../../lambda/shared/stripe-api-version';
import {
  ENDPOINT_OWNER_METADATA_KEY,
  registerWebhookEndpoint,
} from '../../../../scripts/lib/webhook-registration';

/** `stripe.webhookEndpoints` over a list in memory, recording the calls. */
function fakeStripe(existing: Partial<Stripe.WebhookEndpoint>[]) {
  const calls: string[] = [];
  const endpoints = existing.map((e, i) => ({
    id: `we_${i}`,
    url: 'https://a.example/stripe/webhook',
    enabled_events: [...HANDLED_STRIPE_EVENT_TYPES],
    api_version: STRIPE_API_VERSION,
    status: 'enabled',
    description: null,
    metadata: {},
    ...e,
  }));
  const stripe = {
    webhookEndpoints: {
      list: () => ({
        async *[Symbol.asyncIterator]() {
          await Promise.resolve();
          yield* endpoints;
        },
      }),
      create: (params: Record<string, unknown>) => {
        calls.push('create');
        return Promise.resolve({ ...params, id: 'we_new', status: 'enabled', secret: 'whsec_n' });
      },
      update: (id: string, params: Record<string, unknown>) => {
        calls.push(`update ${id}`);
        return Promise.resolve({ ...endpoints.find((e) => e.id === id), ...params });
      },
      del: (id: string) => {
        calls.push(`del ${id}`);
        return Promise.resolve({ id, deleted: true });
      },
    },
  };
  return { stripe: stripe as unknown as Stripe, calls };
}

const request = { url: 'https://a.example/stripe/webhook', serviceName: 'svc', roll: false };

describe('registering the webhook endpoint', () => {
  it('creates one with exactly the handled types and the pinned API version', async () => {
    const { stripe, calls } = fakeStripe([]);
    const created = await registerWebhookEndpoint(stripe, request);
    expect(calls).toEqual(['create']);
    expect(created).toMatchObject({ action: 'created', secret: 'whsec_n', deleted: [] });
    expect([...created.endpoint.enabledEvents].sort()).toEqual(
      [...HANDLED_STRIPE_EVENT_TYPES].sort(),
    );
    expect(created.endpoint.apiVersion).toBe(STRIPE_API_VERSION);
  });

  it('refuses to keep an endpoint on another API version (Stripe cannot change it): --roll replaces it', async () => {
    const { stripe, calls } = fakeStripe([
      { api_version: '2024-06-20', metadata: { [ENDPOINT_OWNER_METADATA_KEY]: 'svc' } },
    ]);
    await expect(registerWebhookEndpoint(stripe, request)).rejects.toThrow(
      /API version 2024-06-20.*--roll --store/,
    );
    expect(calls).toEqual([]);
    const rolled = await registerWebhookEndpoint(stripe, { ...request, roll: true });
    expect(rolled).toMatchObject({ action: 'rolled', deleted: ['we_0'] });
    expect(calls).toEqual(['create', 'del we_0']);
  });

  it('changes nothing when the endpoint is as it should be', async () => {
    const { stripe, calls } = fakeStripe([
      {
        metadata: { [ENDPOINT_OWNER_METADATA_KEY]: 'svc' },
        description: 'svc: billing events (managed by npm run stripe:webhook)',
      },
    ]);
    expect((await registerWebhookEndpoint(stripe, request)).action).toBe('unchanged');
    expect(calls).toEqual([]);
  });
});
