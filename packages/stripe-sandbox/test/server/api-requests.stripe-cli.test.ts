import { useHarness } from '../support/harness';
import { useStripeCli } from '../support/stripe-cli-runner';

jest.setTimeout(60_000);

const h = useHarness();
const stripeCli = useStripeCli(h);

describe('the official Stripe CLI against the sandbox', () => {
  it('stripe customers create', async () => {
    const result = await stripeCli(
      'customers',
      'create',
      '--email=cli@example.com',
      '-d',
      'metadata[userId]=cli-user',
    );
    expect(result.status).toBe(0);
    const customer = JSON.parse(result.stdout) as {
      id: string;
      email: string;
      metadata: Record<string, string>;
    };
    expect(customer).toMatchObject({ email: 'cli@example.com', metadata: { userId: 'cli-user' } });
    expect((await h.stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
  });

  it('stripe products create and stripe prices create', async () => {
    const product = JSON.parse(
      (await stripeCli('products', 'create', '--name=CLI product')).stdout,
    ) as {
      id: string;
    };
    const result = await stripeCli(
      'prices',
      'create',
      `--product=${product.id}`,
      '--currency=usd',
      '--unit-amount=1500',
      '-d',
      'recurring[interval]=month',
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      product: product.id,
      unit_amount: 1500,
      type: 'recurring',
      recurring: { interval: 'month' },
    });
  });

  it('stripe trigger customer.created: the event is stored and delivered', async () => {
    await h.settle();
    h.receiver.clear();
    const result = await stripeCli('trigger', 'customer.created');
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toContain('Trigger succeeded');
    await h.settle();
    expect(h.receiver.types()).toContain('customer.created');
    expect((await h.stripe.events.list({ type: 'customer.created', limit: 1 })).data).toHaveLength(
      1,
    );
  });

  it('stripe webhook_endpoints create / list and stripe events list --types --delivery-success', async () => {
    const created = await stripeCli(
      'webhook_endpoints',
      'create',
      '--url=https://cli.example.com/hook',
      '--enabled-events=customer.created',
      '--enabled-events=customer.updated',
    );
    expect(created.status).toBe(0);
    const endpoint = JSON.parse(created.stdout) as { id: string; secret: string };
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      enabled_events: ['customer.created', 'customer.updated'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = JSON.parse((await stripeCli('webhook_endpoints', 'list')).stdout) as {
      data: { id: string }[];
    };
    expect(listed.data.map((e) => e.id)).toContain(endpoint.id);
    expect((await stripeCli('webhook_endpoints', 'delete', endpoint.id, '--confirm')).status).toBe(
      0,
    );

    await h.stripe.customers.create({ email: 'cli-events@example.com' });
    await h.settle();
    const events = JSON.parse(
      (
        await stripeCli(
          'events',
          'list',
          '--types=customer.created',
          '--types=product.created',
          '--delivery-success=true',
          '--limit=3',
        )
      ).stdout,
    ) as { data: { type: string }[] };
    const types = events.data.map((e) => e.type);
    expect(types).toContain('customer.created');
    expect(types.filter((t) => t !== 'customer.created' && t !== 'product.created')).toEqual([]);
  });
});
