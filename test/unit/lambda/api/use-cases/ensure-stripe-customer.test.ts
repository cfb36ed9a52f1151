import {
  SEARCH_RESERVATIONS_OLDER_THAN_MS,
  ensureStripeCustomer,
  replaceMissingCustomer,
} from '../../../../../lambda/api/use-cases/ensure-stripe-customer';
import type { CustomerRecord } from '../../../../../lambda/domain/customer';
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

  it('reads the record once for a first request: the mapping it completes is not read back', async () => {
    const { customers, deps } = setup();
    const get = jest.spyOn(customers, 'get');
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('stores no contact the token does not carry', async () => {
    const { customers, stripe, deps } = setup();
    const createCustomer = jest.spyOn(stripe, 'createCustomer');
    await ensureStripeCustomer(deps, { userId: 'u1' });
    // No email or role attribute at all, not one holding undefined.
    expect(customers.rows.get('u1')).toStrictEqual({
      userId: 'u1',
      stripeCustomerId: 'cus_1',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(createCustomer.mock.calls[0]?.[0]).toStrictEqual({
      userId: 'u1',
      idempotencyKey: customerIdempotencyKey('u1'),
    });
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

describe('keeping the contact of a mapped user current', () => {
  const EARLIER = '2026-11-01T00:00:00.000Z';
  const mapped: CustomerRecord = {
    userId: 'u1',
    stripeCustomerId: 'cus_mapped',
    email: 'ada@example.com',
    role: 'student',
    createdAt: EARLIER,
    updatedAt: EARLIER,
  };
  function mappedSetup() {
    const context = setup();
    context.customers.rows.set('u1', { ...mapped });
    return { ...context, updateContact: jest.spyOn(context.customers, 'updateContact') };
  }

  it.each([
    ['a changed email', { email: 'ada@new.example', role: 'student' }],
    ['a changed role', { email: 'ada@example.com', role: 'teacher' }],
  ])('writes %s alone', async (_, claims) => {
    const { customers, deps } = mappedSetup();
    expect(await ensureStripeCustomer(deps, { userId: 'u1', ...claims })).toBe('cus_mapped');
    expect(customers.rows.get('u1')).toEqual({
      ...mapped,
      ...claims,
      updatedAt: NOW.toISOString(),
    });
  });

  it.each([
    ['the claims match the record', { email: 'ada@example.com', role: 'student' }],
    ['the token carries no email or role', {}],
  ])('writes nothing when %s', async (_, claims) => {
    const { customers, updateContact, deps } = mappedSetup();
    expect(await ensureStripeCustomer(deps, { userId: 'u1', ...claims })).toBe('cus_mapped');
    expect(updateContact).not.toHaveBeenCalled();
    expect(customers.rows.get('u1')).toEqual(mapped);
  });

  it.each([
    ['email', { role: 'teacher' }],
    ['role', { email: 'ada@new.example' }],
  ])('keeps the stored %s when a token without it changes the other claim', async (_, claims) => {
    const { customers, updateContact, deps } = mappedSetup();
    await ensureStripeCustomer(deps, { userId: 'u1', ...claims });
    expect(customers.rows.get('u1')).toEqual({
      ...mapped,
      ...claims,
      updatedAt: NOW.toISOString(),
    });
    // Only the claims the token carries: a contact key holding undefined would clear it.
    expect(updateContact.mock.calls[0]?.[1]).toStrictEqual(claims);
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

  it('searches only for a reservation older than the search threshold, not one exactly that old', async () => {
    const { customers, stripe, deps } = setup();
    const createCustomer = jest.spyOn(stripe, 'createCustomer');
    customers.withReservation(
      'u1',
      new Date(NOW.getTime() - SEARCH_RESERVATIONS_OLDER_THAN_MS).toISOString(),
    );
    expect(await ensureStripeCustomer(deps, user)).toBe('cus_1');
    expect(stripe.log).toEqual(['customers.create']);
    // From the reservation, which has no email, not from this request's claims.
    expect(createCustomer.mock.calls[0]?.[0]).toStrictEqual({
      userId: 'u1',
      idempotencyKey: customerIdempotencyKey('u1'),
    });
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

describe('a customer record changed under the request by hand', () => {
  it('fails naming the user when the record vanishes while the mapping is completed', async () => {
    const { customers, deps } = setup();
    customers.withReservation('u1', NOW.toISOString());
    // Records are deleted only by an operator; this one goes just before the completion.
    customers.beforeWrite = () => customers.rows.delete('u1');
    await expect(ensureStripeCustomer(deps, user)).rejects.toThrow(
      'The customer record of user "u1" vanished.',
    );
  });

  it('fails when a completion is refused while the record is still a reservation', async () => {
    const { customers, deps } = setup();
    // As after the record was deleted and reserved again between the write and the read.
    jest.spyOn(customers, 'completeMapping').mockResolvedValue(false);
    await expect(ensureStripeCustomer(deps, user)).rejects.toThrow(
      'The customer record of a user lost its completion.',
    );
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

  it('moves the mapping with one conditional write, reading nothing back', async () => {
    const { customers, deps } = setup();
    await ensureStripeCustomer(deps, user);
    const get = jest.spyOn(customers, 'get');
    expect(await replaceMissingCustomer(deps, user, 'cus_1')).toBe('cus_2');
    expect(get).not.toHaveBeenCalled();
  });

  it('creates the replacement of a user without email with no email', async () => {
    const { stripe, deps } = setup();
    await ensureStripeCustomer(deps, { userId: 'u1' });
    const createCustomer = jest.spyOn(stripe, 'createCustomer');
    await replaceMissingCustomer(deps, { userId: 'u1' }, 'cus_1');
    expect(createCustomer.mock.calls[0]?.[0]).toStrictEqual({
      userId: 'u1',
      idempotencyKey: replacementCustomerIdempotencyKey('u1', 'cus_1'),
    });
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
