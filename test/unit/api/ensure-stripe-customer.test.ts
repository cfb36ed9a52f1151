import {
  ensureStripeCustomer,
  replaceMissingCustomer,
} from '../../../lambda/api/use-cases/ensure-stripe-customer';
import { FakeStripe, InMemoryCustomers } from '../../support/fake-billing';

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
    expect(stripe.calls).toEqual([{ userId: 'u1', idempotencyKey: 'customer-u1' }]);
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
    expect(new Set(stripe.calls.map((c) => c.idempotencyKey))).toEqual(new Set(['customer-u1']));
    expect(customers.rows.size).toBe(1);
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
      idempotencyKey: 'customer-u1-replaces-cus_1',
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
