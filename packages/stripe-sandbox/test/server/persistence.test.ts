import nodeFs, * as fs from 'node:fs';
import * as nodeHttp from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { STATE_FILE, STATE_FORMAT_VERSION, startStripeSandbox } from '../../src';
import {
  failure,
  type Harness,
  paidSubscription,
  priceFixture,
  startHarness,
} from '../support/harness';

jest.setTimeout(30_000);

let dir: string;
const running: Harness[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-sandbox-data-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A harness on the data directory (a new sandbox port and receiver each time). */
async function start(dataDir = dir): Promise<Harness> {
  const h = await startHarness({ dataDir });
  running.push(h);
  return h;
}

async function restart(h: Harness): Promise<Harness> {
  await h.settle();
  running.splice(running.indexOf(h), 1);
  await h.stop();
  return start();
}

describe('a data directory keeps the sandbox state across restarts', () => {
  it('keeps objects, events, webhook endpoints, sessions, test cards and idempotency keys', async () => {
    const first = await start();
    expect(first.sandbox.restored).toBe(false);
    const ada = await first.stripe.customers.create(
      { email: 'ada@example.com', metadata: { userId: 'u1' } },
      { idempotencyKey: 'create-ada' },
    );
    const bob = await first.stripe.customers.create({ email: 'bob@example.com' });
    const paid = await paidSubscription(first, 'paid@example.com');
    // A card that is declined when charged: which test card a payment method is, is kept
    // beside the object.
    const declining = await first.stripe.customers.create({
      payment_method: 'pm_card_chargeCustomerFail',
      invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' },
    });
    // A session still open: what it sells is kept beside the object, for its completion.
    const { price: course } = await priceFixture(first.stripe, false, 4200);
    const open = await first.stripe.checkout.sessions.create({
      mode: 'payment',
      customer: ada.id,
      line_items: [{ price: course.id, quantity: 2 }],
      success_url: 'https://a.example/s',
    });
    const endpoint = await first.stripe.webhookEndpoints.create({
      url: 'https://hooks.example/stripe',
      enabled_events: ['customer.created'],
    });
    await first.settle();
    const events = (await first.stripe.events.list({ limit: 100 })).data;
    const customerIds = (await first.stripe.customers.list({ limit: 100 })).data.map((c) => c.id);

    const second = await restart(first);
    expect(second.sandbox.restored).toBe(true);
    expect(second.sandbox.port).not.toBe(first.sandbox.port);
    await expect(second.stripe.customers.retrieve(ada.id)).resolves.toMatchObject({
      email: 'ada@example.com',
      metadata: { userId: 'u1' },
    });
    expect((await second.stripe.customers.list({ limit: 100 })).data.map((c) => c.id)).toEqual(
      customerIds,
    );
    expect(customerIds).toContain(bob.id);
    await expect(
      second.stripe.subscriptions.retrieve(paid.session.subscription as string),
    ).resolves.toMatchObject({ status: 'active', customer: paid.customer.id });

    // The events, newest first, each retrievable, delivered as before.
    const kept = (await second.stripe.events.list({ limit: 100 })).data;
    expect(kept.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect((await second.stripe.events.list({ limit: 100, delivery_success: false })).data).toEqual(
      [],
    );
    await expect(second.stripe.events.retrieve(events[0]?.id ?? '')).resolves.toMatchObject({
      type: events[0]?.type,
    });

    // The API-created endpoint and its secret stay; the start-option one is the new run's.
    const endpoints = (await second.stripe.webhookEndpoints.list()).data;
    expect(endpoints.find((e) => e.id === endpoint.id)).toMatchObject({
      url: 'https://hooks.example/stripe',
      enabled_events: ['customer.created'],
    });
    expect(endpoints.map((e) => e.url)).toContain(second.endpoint);
    expect(endpoints.map((e) => e.url)).not.toContain(first.endpoint);

    // The same Idempotency-Key replays the first answer, as within Stripe's 24 hours.
    const replayed = await second.stripe.customers.create(
      { email: 'ada@example.com', metadata: { userId: 'u1' } },
      { idempotencyKey: 'create-ada' },
    );
    expect(replayed.id).toBe(ada.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');

    // The open session's hosted page moved to the new port, and it completes as created.
    const session = await second.stripe.checkout.sessions.retrieve(open.id);
    expect(session.url?.startsWith(`${second.sandbox.url}/`)).toBe(true);
    await second.control(`checkout/sessions/${open.id}/complete`, { outcome: 'succeeded' });
    await expect(second.stripe.checkout.sessions.retrieve(open.id)).resolves.toMatchObject({
      status: 'complete',
      amount_total: 8400,
    });

    // The declining card still declines.
    const error = await failure(
      second.stripe.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        customer: declining.id,
        payment_method: declining.invoice_settings.default_payment_method as string,
        confirm: true,
        off_session: true,
      }),
    );
    expect(error).toMatchObject({ statusCode: 402, code: 'card_declined' });

    // New objects get new ids and come first, after the kept ones.
    const carol = await second.stripe.customers.create({ email: 'carol@example.com' });
    expect(customerIds).not.toContain(carol.id);
    expect((await second.stripe.customers.list({ limit: 1 })).data[0]?.id).toBe(carol.id);
    const newest = (await second.stripe.events.list({ limit: 1 })).data[0];
    expect(newest).toMatchObject({ type: 'customer.created', data: { object: { id: carol.id } } });
    expect(events.map((e) => e.id)).not.toContain(newest?.id);

    // And a third run sees the second's changes.
    const third = await restart(second);
    await expect(third.stripe.customers.retrieve(carol.id)).resolves.toMatchObject({
      email: 'carol@example.com',
    });
  });

  it('saves nothing after stop: a request still arriving cannot overwrite the last save', async () => {
    const h = await start();
    await h.stripe.webhookEndpoints.create({
      url: 'https://example.com/hook',
      enabled_events: ['customer.created'],
    });
    const endpointsSaved = () =>
      (
        JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as {
          deliveries: { endpoints?: unknown[] };
        }
      ).deliveries.endpoints?.length;
    // A POST whose body is still arriving when the sandbox stops.
    const url = new URL('/v1/customers', h.sandbox.url);
    const pending = nodeHttp.request(url, {
      method: 'POST',
      headers: { 'content-length': '1000', authorization: 'Bearer sk_test_late' },
    });
    pending.on('error', () => undefined);
    pending.write('email=late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    running.splice(running.indexOf(h), 1);
    await h.stop();
    const atStop = endpointsSaved();
    expect(atStop).toBeGreaterThanOrEqual(1);
    pending.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(endpointsSaved()).toBe(atStop);
  });

  it('saves a moment after a change, without waiting for stop', async () => {
    const h = await start();
    const customer = await h.stripe.customers.create({ email: 'early@example.com' });
    const file = path.join(dir, STATE_FILE);
    const savedText = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    for (let i = 0; i < 100 && !savedText().includes(customer.id); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ format: 'stripe-sandbox-state', version: STATE_FORMAT_VERSION });
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it('writes nothing without a data directory', async () => {
    // The module object itself (`* as fs` is a copy whose properties cannot be spied on).
    const writes = [
      jest.spyOn(nodeFs, 'mkdirSync'),
      jest.spyOn(nodeFs, 'writeFileSync'),
      jest.spyOn(nodeFs.promises, 'open'),
      jest.spyOn(nodeFs.promises, 'rename'),
    ];
    try {
      const h = await startHarness();
      running.push(h);
      expect(h.sandbox.dataDir).toBeUndefined();
      await paidSubscription(h, 'memory@example.com');
      await h.settle();
      await h.stop();
      running.pop();
      for (const write of writes) expect(write).not.toHaveBeenCalled();
    } finally {
      for (const write of writes) write.mockRestore();
    }
  });

  it('refuses to start on a file it cannot read, and leaves the file as it is', async () => {
    const file = path.join(dir, STATE_FILE);
    const options = { port: 0, webhookSecret: 'whsec_x', dataDir: dir };

    fs.writeFileSync(file, '{"format":"stripe-sandbox-state","version":1,"objects":{');
    await expect(startStripeSandbox(options)).rejects.toThrow(
      `Cannot load the sandbox's saved state from ${file}: not JSON`,
    );
    expect(fs.readFileSync(file, 'utf8')).toMatch(/\{$/);

    fs.writeFileSync(file, JSON.stringify({ format: 'stripe-sandbox-state', version: 999 }));
    await expect(startStripeSandbox(options)).rejects.toThrow(
      `saved in format version 999, and this sandbox reads version ${STATE_FORMAT_VERSION} only`,
    );

    fs.writeFileSync(file, JSON.stringify({ customers: [] }));
    await expect(startStripeSandbox(options)).rejects.toThrow('not a stripe-sandbox-state file');
  });
});
