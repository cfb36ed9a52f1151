import {
  ensureStripeCustomer,
  replaceMissingCustomer,
} from '../../../../../lambda/api/use-cases/ensure-stripe-customer';
import {
  customerIdempotencyKey,
  replacementCustomerIdempotencyKey,
} from '../../../../../lambda/domain/stripe-identity';
import { FakeStripe, InMemoryCustomers } from '../../../../support/fake-billing';

const NOW = new Date('2026-11-23T10:00:00Z');
function setup() {
  const customers = new InMemoryCustomers();
  const stripe = new FakeStripe();
  return { customers, stripe, deps: { customers, stripe, now: () => NOW } };
}
const user = { userId: 'u1', email: 'ada@example.com', role: 'student' };

describe('ensureStripeCustomer', () => {
  it('creates the customer with a key derived from the user id and writes the mapping', async () => {
    const { customers, stripe, deps } = setup();
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(stripe.calls).toEqual([
      { userId: 'u1', email: 'ada@example.com', idempotencyKey: customerIdempotencyKey('u1') },
    ]);
    expect(customers.rows.get('u1')).toEqual({
      userId: 'u1',
      stripeCustomerId: 'cus_1',
      email: 'ada@example.com',
      role: 'student',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  });

  it('uses an existing mapping without calling Stripe', async () => {
    const { stripe, deps } = setup();
    await ensureStripeCustomer(deps, user);
    stripe.calls.length = 0;
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(stripe.calls).toEqual([]);
  });

  it('keeps email and role current', async () => {
    const { customers, deps } = setup();
    await ensureStripeCustomer(deps, user);
    await ensureStripeCustomer(deps, { userId: 'u1', email: 'ada@new.example', role: 'teacher' });
    expect(customers.rows.get('u1')).toMatchObject({ email: 'ada@new.example', role: 'teacher' });
  });

  it('adopts the mapping of a concurrent request that won the write', async () => {
    const { customers, deps } = setup();
    customers.beforeWrite = () => {
      customers.beforeWrite = undefined;
      customers.withMapping('u1', 'cus_winner');
    };
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_winner');
  });

  it('gives 20 concurrent first requests one customer', async () => {
    const { customers, stripe, deps } = setup();
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => ensureStripeCustomer(deps, user)),
    );
    expect(new Set(ids)).toEqual(new Set(['cus_1']));
    expect(new Set(stripe.calls.map((c) => c.idempotencyKey))).toEqual(
      new Set([customerIdempotencyKey('u1')]),
    );
    expect(customers.rows.size).toBe(1);
  });
});

describe('one customer whatever the claims, whenever the retry', () => {
  it('creates from the reservation: concurrent first requests with different emails send Stripe one set of parameters', async () => {
    const { customers, stripe, deps } = setup();
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ensureStripeCustomer(deps, { userId: 'u1', email: `ada+${String(i)}@example.com` }),
      ),
    );
    expect(new Set(ids)).toEqual(new Set(['cus_1']));
    const sent = new Set(stripe.calls.map((c) => JSON.stringify(c)));
    expect(sent.size).toBe(1);
    expect(customers.rows.get('u1')?.email).toBe(stripe.calls[0]?.email);
  });

  it('completes a fresh reservation by creating with the same key (Stripe replays it)', async () => {
    const { customers, stripe, deps } = setup();
    const earlier = new Date(NOW.getTime() - 5 * 60_000).toISOString();
    customers.withReservation('u1', earlier, 'first@example.com');
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(stripe.log).toEqual(['customers.create']);
    expect(stripe.calls[0]?.email).toBe('first@example.com');
    expect(customers.rows.get('u1')?.stripeCustomerId).toBe('cus_1');
  });

  it('finds the customer of a reservation older than Stripe keeps keys, instead of creating a second', async () => {
    const { customers, stripe, deps } = setup();
    // An attempt two days ago created the customer at Stripe, then failed to write its id.
    const created = await stripe.createCustomer({
      userId: 'u1',
      idempotencyKey: customerIdempotencyKey('u1'),
    });
    stripe.expireIdempotencyKeys();
    stripe.log.length = 0;
    customers.withReservation('u1', new Date(NOW.getTime() - 2 * 86_400_000).toISOString());
    expect(await ensureStripeCustomer(deps, user)).toBe(created);
    expect(stripe.log).toEqual(['customers.search']);
    expect(customers.rows.get('u1')?.stripeCustomerId).toBe(created);
  });

  it('creates the customer when an old reservation never reached Stripe', async () => {
    const { customers, stripe, deps } = setup();
    customers.withReservation('u1', new Date(NOW.getTime() - 2 * 86_400_000).toISOString());
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(stripe.log).toEqual(['customers.search', 'customers.create']);
  });

  it('does not search for a young reservation (the key still replays; the index may lag)', async () => {
    const { customers, stripe, deps } = setup();
    customers.withReservation('u1', new Date(NOW.getTime() - 30 * 60_000).toISOString());
    await ensureStripeCustomer(deps, user);
    expect(stripe.log).toEqual(['customers.create']);
  });

  it('adopts the customer of a concurrent request that completed the reservation first', async () => {
    const { customers, deps } = setup();
    customers.withReservation('u1', NOW.toISOString());
    customers.beforeWrite = () => {
      customers.beforeWrite = undefined;
      const row = customers.rows.get('u1');
      if (row) customers.rows.set('u1', { ...row, stripeCustomerId: 'cus_winner' });
    };
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_winner');
  });
});

describe('replaceMissingCustomer', () => {
  it('creates a replacement with a new key and moves the mapping', async () => {
    const { customers, stripe, deps } = setup();
    await ensureStripeCustomer(deps, user);
    const replacement = await replaceMissingCustomer(deps, user, 'cus_1');
    expect(replacement).toBe('cus_2');
    expect(stripe.calls.at(-1)).toEqual({
      userId: 'u1',
      email: 'ada@example.com',
      idempotencyKey: replacementCustomerIdempotencyKey('u1', 'cus_1'),
    });
    expect(customers.rows.get('u1')?.stripeCustomerId).toBe('cus_2');
  });

  it('adopts the replacement a concurrent request already wrote', async () => {
    const { customers, deps } = setup();
    await ensureStripeCustomer(deps, user);
    customers.beforeWrite = () => {
      customers.beforeWrite = undefined;
      const row = customers.rows.get('u1');
      if (row) customers.rows.set('u1', { ...row, stripeCustomerId: 'cus_healed_elsewhere' });
    };
    expect(await replaceMissingCustomer(deps, user, 'cus_1')).toBe('cus_healed_elsewhere');
  });
});
