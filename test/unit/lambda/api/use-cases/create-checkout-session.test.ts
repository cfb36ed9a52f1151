import { Logger } from '@aws-lambda-powertools/logger';
import { replacementCustomerIdempotencyKey } from '../../../../../lambda/domain/stripe-identity';
import { createCheckoutSession } from '../../../../../lambda/api/use-cases/create-checkout-session';
import { priceTerms } from '../../../../../lambda/domain/catalog-sync';
import type { CatalogPrice, CatalogProduct } from '../../../../../lambda/domain/catalog';
import { FakeStripe, InMemoryCustomers } from '../../../../support/fake-billing';
import { InMemoryCatalog, InMemoryCatalogSync } from '../../../../support/fake-catalog';
import { rejectedHttpError } from '../../../../support/http-errors';

const NOW = new Date('2026-11-23T10:00:00Z');
const product: CatalogProduct = { productId: 'course', name: 'Course', active: true };
const monthly: CatalogPrice = {
  priceId: 'monthly',
  productId: 'course',
  unitAmount: 1500,
  currency: 'usd',
  type: 'recurring',
  interval: 'month',
  intervalCount: 1,
  active: true,
};
const once: CatalogPrice = {
  priceId: 'once',
  productId: 'course',
  unitAmount: 9900,
  currency: 'eur',
  type: 'one_time',
  active: true,
};
const user = { userId: 'u1', email: 'ada@example.com' };
const request = (priceId: string) => ({
  priceId,
  successUrl: 'https://app.example.com/ok?session={CHECKOUT_SESSION_ID}',
  cancelUrl: 'https://app.example.com/cancel',
  quantity: 2,
});

function setup(prices: CatalogPrice[] = [monthly, once]) {
  const catalog = new InMemoryCatalog(
    [{ ...product }],
    prices.map((p) => ({ ...p })),
  );
  const catalogSync = new InMemoryCatalogSync();
  const customers = new InMemoryCustomers();
  const stripe = new FakeStripe();
  const deps = {
    catalog,
    catalogSync,
    customers,
    stripe,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
  };
  return { catalog, catalogSync, customers, stripe, deps };
}

describe('createCheckoutSession', () => {
  it('syncs product and price, creates the customer, and opens a subscription session', async () => {
    const { catalog, catalogSync, customers, stripe, deps } = setup();
    const result = await createCheckoutSession(deps, user, request('monthly'));

    expect(result).toEqual({
      checkoutUrl: 'https://checkout.example/cs_test_1',
      checkoutSessionId: 'cs_test_1',
      paymentIntentId: null,
      customerId: 'cus_1',
    });
    expect([...stripe.log].sort()).toEqual([
      'checkout.sessions.create',
      'customers.create',
      'prices.create',
      'products.create',
    ]);
    const stripePriceId = catalog.prices[0]?.stripePriceId;
    expect(stripePriceId).toMatch(/^price_/);
    expect(catalog.products[0]?.stripeProductId).toMatch(/^prod_/);
    expect(catalogSync.rows.get('monthly')).toEqual({
      priceId: 'monthly',
      productId: 'course',
      stripeProductId: catalog.products[0]?.stripeProductId,
      stripePriceId,
      terms: '1500 usd recurring month/1',
      syncedAt: NOW.toISOString(),
    });
    expect(customers.rows.get('u1')?.stripeCustomerId).toBe('cus_1');
    expect(stripe.checkoutSessions).toEqual([
      {
        mode: 'subscription',
        customerId: 'cus_1',
        userId: 'u1',
        priceId: 'monthly',
        stripePriceId,
        quantity: 2,
        successUrl: 'https://app.example.com/ok?session={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://app.example.com/cancel',
      },
    ]);
  });

  it('uses payment mode for a one-time price', async () => {
    const { stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('once'));
    expect(stripe.checkoutSessions[0]?.mode).toBe('payment');
  });

  it('makes exactly one Stripe call, the session, once customer and price are synced', async () => {
    const { stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    stripe.log.length = 0;
    await createCheckoutSession(deps, user, request('monthly'));
    expect(stripe.log).toEqual(['checkout.sessions.create']);
  });

  it('issues its three reads together, not one after another', async () => {
    const { catalog, catalogSync, customers, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    let inFlight = 0;
    let most = 0;
    const overlapping =
      <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Let the other reads start before this one answers.
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return read(...args);
      };
    customers.get = overlapping(customers.get.bind(customers));
    catalog.getPrice = overlapping(catalog.getPrice.bind(catalog));
    catalogSync.get = overlapping(catalogSync.get.bind(catalogSync));
    await createCheckoutSession(deps, user, request('monthly'));
    expect(most).toBe(3);
  });

  it('creates one product for two prices of it', async () => {
    const { stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    await createCheckoutSession(deps, user, request('once'));
    expect(stripe.log.filter((call) => call === 'products.create')).toHaveLength(1);
  });

  it.each([
    ['an unknown price', 'nope'],
    ['an inactive price', 'retired'],
  ])('is 404 price_not_found for %s, with no Stripe call and no write', async (_, priceId) => {
    const { customers, catalogSync, stripe, deps } = setup([
      monthly,
      { ...once, priceId: 'retired', active: false },
    ]);
    const error = await rejectedHttpError(createCheckoutSession(deps, user, request(priceId)));
    expect([error.status, error.code]).toEqual([404, 'price_not_found']);
    expect(stripe.log).toEqual([]);
    expect(customers.rows.size).toBe(0);
    expect(catalogSync.rows.size).toBe(0);
  });

  it('is 404 when the price names a product that does not exist, creating nothing', async () => {
    const { stripe, deps } = setup([{ ...once, productId: 'ghost' }]);
    const error = await rejectedHttpError(createCheckoutSession(deps, user, request('once')));
    expect(error.status).toBe(404);
    expect(stripe.log.filter((call) => call !== 'customers.create')).toEqual([]);
  });

  it('heals a mapping whose customer Stripe deleted, then opens the session', async () => {
    const { customers, stripe, deps } = setup();
    customers.withMapping('u1', 'cus_gone');
    stripe.deleted.add('cus_gone');
    const result = await createCheckoutSession(deps, user, request('once'));
    expect(result.customerId).not.toBe('cus_gone');
    expect(customers.rows.get('u1')?.stripeCustomerId).toBe(result.customerId);
    expect(stripe.calls.map((call) => call.idempotencyKey)).toEqual([
      replacementCustomerIdempotencyKey('u1', 'cus_gone'),
    ]);
    expect(stripe.checkoutSessions.map((s) => s.customerId)).toEqual([result.customerId]);
  });
});

describe('price sync on a change of terms', () => {
  it('creates a new Stripe price, archives the old one and updates the records', async () => {
    const { catalog, catalogSync, stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    const first = catalog.prices[0]?.stripePriceId ?? '';

    catalog.update('monthly', { unitAmount: 1800 });
    stripe.log.length = 0;
    await createCheckoutSession(deps, user, request('monthly'));

    const second = catalog.prices[0]?.stripePriceId ?? '';
    expect(second).not.toBe(first);
    expect(stripe.prices.get(first)?.active).toBe(false);
    expect(stripe.prices.get(second)).toMatchObject({
      active: true,
      terms: '1800 usd recurring month/1',
    });
    expect(catalogSync.rows.get('monthly')).toMatchObject({
      stripePriceId: second,
      terms: '1800 usd recurring month/1',
    });
    expect(stripe.checkoutSessions[1]?.stripePriceId).toBe(second);
    // The product exists already: a price, an archive and the session.
    expect(stripe.log).toEqual(['prices.create', 'prices.update', 'checkout.sessions.create']);
  });

  it('creates a new price again when the terms go back to earlier ones', async () => {
    const { catalog, stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    const first = catalog.prices[0]?.stripePriceId;
    catalog.update('monthly', { interval: 'year' });
    await createCheckoutSession(deps, user, request('monthly'));
    catalog.update('monthly', { interval: 'month' });
    await createCheckoutSession(deps, user, request('monthly'));
    const third = catalog.prices[0]?.stripePriceId;
    expect(third).not.toBe(first);
    expect(stripe.prices.get(third ?? '')?.active).toBe(true);
    expect([...stripe.prices.values()].filter((p) => p.active)).toHaveLength(1);
  });

  it('finishes a write-back that an interrupted sync left undone, without calling Stripe', async () => {
    const { catalog, catalogSync, stripe, deps } = setup();
    await createCheckoutSession(deps, user, request('monthly'));
    const synced = catalog.prices[0]?.stripePriceId;
    catalog.update('monthly', { stripePriceId: undefined });
    stripe.log.length = 0;
    await createCheckoutSession(deps, user, request('monthly'));
    expect(stripe.log).toEqual(['checkout.sessions.create']);
    expect(catalog.prices[0]?.stripePriceId).toBe(synced);
    expect(catalogSync.rows.get('monthly')?.stripePriceId).toBe(synced);
  });

  it('redoes a sync interrupted before its record was written with the same Stripe objects', async () => {
    const { catalog, catalogSync, stripe, deps } = setup();
    const failingSave = catalogSync.save.bind(catalogSync);
    catalogSync.save = () => Promise.reject(new Error('DynamoDB unavailable'));
    await expect(createCheckoutSession(deps, user, request('once'))).rejects.toThrow(
      'DynamoDB unavailable',
    );
    catalogSync.save = failingSave;
    await createCheckoutSession(deps, user, request('once'));
    expect(stripe.prices.size).toBe(1);
    expect(catalog.prices[1]?.stripePriceId).toBe([...stripe.prices.keys()][0]);
  });

  it('adopts a Stripe id synced before the sync table existed after one look at Stripe', async () => {
    const { catalog, catalogSync, stripe, deps } = setup();
    stripe.prices.set('price_legacy', {
      id: 'price_legacy',
      stripeProductId: 'prod_legacy',
      active: true,
      terms: priceTerms(once),
    });
    catalog.update('once', { stripePriceId: 'price_legacy' });
    await createCheckoutSession(deps, user, request('once'));
    expect(stripe.log.sort()).toEqual([
      'checkout.sessions.create',
      'customers.create',
      'prices.retrieve',
    ]);
    expect(catalogSync.rows.get('once')).toMatchObject({
      stripePriceId: 'price_legacy',
      stripeProductId: 'prod_legacy',
    });
  });

  it('replaces a legacy Stripe id whose price no longer matches', async () => {
    const { catalog, stripe, deps } = setup();
    stripe.prices.set('price_legacy', {
      id: 'price_legacy',
      stripeProductId: 'prod_legacy',
      active: true,
      terms: '1 usd one_time',
    });
    catalog.update('once', { stripePriceId: 'price_legacy' });
    await createCheckoutSession(deps, user, request('once'));
    expect(catalog.prices[1]?.stripePriceId).not.toBe('price_legacy');
    expect(stripe.prices.get('price_legacy')?.active).toBe(false);
  });
});
