import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness();

describe('Stripe sandbox endpoints, through the stripe SDK', () => {
  it('customers: create, retrieve, update, list by email, delete', async () => {
    const created = await h.stripe.customers.create({
      email: 'ada@example.com',
      metadata: { userId: 'u1' },
    });
    expect(created).toMatchObject({
      object: 'customer',
      email: 'ada@example.com',
      metadata: { userId: 'u1' },
    });
    expect(created.id).toMatch(/^cus_/);
    expect(await h.stripe.customers.retrieve(created.id)).toEqual(created);

    const updated = await h.stripe.customers.update(created.id, {
      email: 'ada@new.example',
      metadata: { role: 'admin' },
    });
    expect(updated).toMatchObject({
      email: 'ada@new.example',
      metadata: { userId: 'u1', role: 'admin' },
    });
    const cleared = await h.stripe.customers.update(created.id, { metadata: { role: '' } });
    expect(cleared.metadata).toEqual({ userId: 'u1' });

    const listed = await h.stripe.customers.list({ email: 'ada@new.example' });
    expect(listed.data.map((c) => c.id)).toEqual([created.id]);

    const deleted = await h.stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    expect(await h.stripe.customers.retrieve(created.id)).toMatchObject({ deleted: true });
    await expect(h.stripe.customers.update(created.id, { name: 'x' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
    });
  });
});
