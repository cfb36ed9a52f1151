import type Stripe from 'stripe';
import { paidSubscription, useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

const DAY = 24 * 60 * 60;

async function customers(count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await h.stripe.customers.create({ email: `${prefix}-${i}@example.com` })).id);
  return ids;
}

/** Every event the listing yields, walking all pages as a reconciliation would. */
async function all(params: Stripe.EventListParams): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  await h.stripe.events.list(params).autoPagingEach((event) => {
    events.push(event);
  });
  return events;
}

const subjectIds = (events: Stripe.Event[]) =>
  events.map((e) => (e.data.object as { id: string }).id);

describe('GET /v1/events: filters and pagination through the stripe SDK', () => {
  it('type (exact or with * wildcards) and types[] filter, newest first', async () => {
    const [customer] = await customers(1, 'typed');
    await h.stripe.customers.update(customer ?? '', { name: 'Typed' });
    await h.stripe.products.create({ name: 'Typed product' });

    const types = async (params: Stripe.EventListParams) =>
      (await all(params)).map((event) => event.type);
    expect(await types({})).toEqual(['product.created', 'customer.updated', 'customer.created']);
    expect(await types({ type: 'customer.created' })).toEqual(['customer.created']);
    expect(await types({ type: 'customer.*' })).toEqual(['customer.updated', 'customer.created']);
    expect(await types({ type: '*.created' })).toEqual(['product.created', 'customer.created']);
    expect(await types({ types: ['product.created', 'customer.created'] })).toEqual([
      'product.created',
      'customer.created',
    ]);
    await expect(
      h.stripe.events.list({ type: 'customer.created', types: ['product.created'] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'types' });
    await expect(
      h.stripe.events.list({ types: Array.from({ length: 21 }, (_, i) => `t.e${i}`) }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'types' });
  });

  it('created: exact and ranges; a frozen clock gives several events one second, listed newest first', async () => {
    const t = Math.floor(Date.now() / 1000) - DAY;
    await h.control('clock', { frozen_at: t });
    const first = await customers(3, 'same-second');
    await h.control('clock', { advance_seconds: 1 });
    const second = await customers(2, 'next-second');
    await h.control('clock', { advance_seconds: 1 });
    const third = await customers(1, 'third-second');

    const at = async (created: Stripe.EventListParams['created']) =>
      subjectIds(await all({ type: 'customer.created', created }));
    expect(await at(t)).toEqual([...first].reverse());
    expect(await at({ gte: t + 1 })).toEqual([...third, ...[...second].reverse()]);
    expect(await at({ gt: t, lt: t + 2 })).toEqual([...second].reverse());
    expect(await at({ lte: t })).toEqual([...first].reverse());
    expect(await at({ gte: t, lte: t + 2 })).toHaveLength(6);
    const stamped = await all({ type: 'customer.created', created: t });
    expect(stamped.map((e) => e.created)).toEqual([t, t, t]);
    // Objects created meanwhile carry the same clock.
    expect((await h.stripe.customers.retrieve(first[0] ?? '')) as Stripe.Customer).toMatchObject({
      created: t,
    });
    expect(await h.call('DELETE', 'clock')).toMatchObject({ frozen_at: null, offset_seconds: 0 });
  });

  it('autoPagingEach walks every page newest first; ending_before pages back', async () => {
    const ids = await customers(23, 'page');
    const newestFirst = [...ids].reverse();
    expect(subjectIds(await all({ type: 'customer.created', limit: 5 }))).toEqual(newestFirst);

    const firstPage = await h.stripe.events.list({ limit: 10 });
    expect(firstPage.has_more).toBe(true);
    const next = await h.stripe.events.list({
      limit: 10,
      starting_after: firstPage.data[9]?.id ?? '',
    });
    expect(subjectIds(next.data)).toEqual(newestFirst.slice(10, 20));
    const back = await h.stripe.events.list({ limit: 4, ending_before: next.data[0]?.id ?? '' });
    expect(subjectIds(back.data)).toEqual(newestFirst.slice(6, 10));
    expect(back.has_more).toBe(true);

    // Backwards with the SDK: from the oldest up, as the SDK reverses each page.
    const oldest = (await all({ limit: 100 })).at(-1)?.id ?? '';
    const upward: string[] = [];
    await h.stripe.events
      .list({ ending_before: oldest, limit: 7 })
      .autoPagingEach((event) => void upward.push((event.data.object as { id: string }).id));
    expect(upward).toEqual(ids.slice(1));
  });

  it('delivery_success and pending_webhooks follow the deliveries: failed, pending, acknowledged', async () => {
    h.receiver.failNext = 100;
    const [failed] = await customers(1, 'failed');
    await h.settle(); // the retry schedule runs out
    h.receiver.failNext = 1;
    const [retried] = await customers(1, 'retried');
    await h.settle(); // answered 500, then 200
    // Held by chaos (a batch never full, never timed out): still pending.
    await h.control('chaos', { reorder: 'reverse', batch_size: 100, hold_ms: 60_000 });
    const [pending] = await customers(1, 'pending');

    const byCustomer = async (deliverySuccess: boolean) =>
      subjectIds(await all({ type: 'customer.created', delivery_success: deliverySuccess }));
    expect(await byCustomer(true)).toEqual([retried]);
    expect(await byCustomer(false)).toEqual([pending, failed]);
    const events = await all({ type: 'customer.created' });
    expect(events.map((e) => e.pending_webhooks)).toEqual([1, 0, 1]);

    await h.call('DELETE', 'chaos'); // releases the batch
    await h.settle();
    expect(await byCustomer(true)).toEqual([pending, retried]);
    const retrieved = await h.stripe.events.retrieve(events[0]?.id ?? '');
    expect(retrieved.pending_webhooks).toBe(0);
  });

  it('a cursor still works when its event no longer matches the filter', async () => {
    await h.control('chaos', { reorder: 'reverse', batch_size: 100, hold_ms: 60_000 });
    await customers(4, 'cursor');
    const pendingPage = await h.stripe.events.list({ delivery_success: false, limit: 2 });
    expect(pendingPage.data).toHaveLength(2);
    await h.call('DELETE', 'chaos');
    await h.settle();
    h.receiver.failNext = 100;
    const [late] = await customers(1, 'late');
    await h.settle();
    // The cursor's event is delivered now, so it is no longer listed, but marks the place.
    const next = await h.stripe.events.list({
      delivery_success: false,
      starting_after: pendingPage.data[1]?.id ?? '',
    });
    expect(next.data).toEqual([]);
    const newer = await h.stripe.events.list({
      delivery_success: false,
      ending_before: pendingPage.data[0]?.id ?? '',
    });
    expect(subjectIds(newer.data)).toEqual([late]);
  });

  it("keeps Stripe's 30 days: older events are neither listed nor retrievable", async () => {
    await h.control('clock', { offset_seconds: -31 * DAY });
    const [old] = await customers(1, 'old');
    await h.control('clock', { offset_seconds: -29 * DAY });
    const [recent] = await customers(1, 'recent');
    await h.call('DELETE', 'clock');
    const [today] = await customers(1, 'today');

    const listed = await all({ type: 'customer.created' });
    expect(subjectIds(listed)).toEqual([today, recent]);
    const oldEvent = h.sandbox.state.store
      .list('event')
      .find((e) => (e.data as { object: { id: string } }).object.id === old);
    expect(oldEvent).toBeDefined();
    await expect(h.stripe.events.retrieve(oldEvent?.id as string)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('each event carries api_version, request (id and Idempotency-Key, null for automatic ones)', async () => {
    const customer = await h.stripe.customers.create(
      { email: 'request@example.com' },
      { idempotencyKey: 'create-request-1' },
    );
    await h.settle();
    const [created] = (await h.stripe.events.list({ type: 'customer.created' })).data;
    expect(created).toMatchObject({
      api_version: h.sandbox.state.apiVersion,
      livemode: false,
      request: {
        id: expect.stringMatching(/^req_/) as unknown,
        idempotency_key: 'create-request-1',
      },
    });
    expect((created?.data.object as Stripe.Customer).id).toBe(customer.id);
    expect(await h.stripe.events.retrieve(created?.id ?? '')).toEqual(created);
    await expect(h.stripe.events.retrieve('evt_missing')).rejects.toMatchObject({
      statusCode: 404,
    });

    // A renewal is Stripe's own doing: no API request caused it.
    const { session } = await paidSubscription(h, 'automatic@example.com');
    await h.control(`subscriptions/${session.subscription as string}/renew`, {});
    const [renewed] = (await h.stripe.events.list({ type: 'customer.subscription.updated' })).data;
    expect(renewed?.request).toEqual({ id: null, idempotency_key: null });
  });
});
