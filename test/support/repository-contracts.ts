import type { CatalogPrice, CatalogProduct } from '../../lambda/domain/catalog';
import type { CatalogRepository } from '../../lambda/domain/catalog-repository';
import type { CatalogSyncRecord, CatalogSyncRepository } from '../../lambda/domain/catalog-sync';
import type { CustomerRepository } from '../../lambda/domain/customer';
import type { EventToPark, ParkedEventStore } from '../../lambda/domain/parked-event';

/**
 * What a customers table promises its use cases, written once and run against the
 * DynamoDB adapter (DynamoDB Local) and the in-memory fake the unit tests use, so the fake
 * can never keep a rule the real table does not (the reservation of a first checkout, the
 * completion that happens once, the replacement only from the customer read).
 */
export function customerRepositoryContract(make: () => Promise<CustomerRepository>): void {
  let repository: CustomerRepository;
  beforeEach(async () => {
    repository = await make();
  });
  const reservation = { userId: 'user-1', createdAt: 't0', updatedAt: 't0' };

  it('reserves a user once: a second createIfAbsent loses and changes nothing', async () => {
    expect(await repository.createIfAbsent(reservation)).toBe(true);
    expect(await repository.createIfAbsent({ ...reservation, createdAt: 't1' })).toBe(false);
    expect(await repository.get('user-1')).toEqual(reservation);
  });

  it('completes a reservation once, and never a user it has no record of', async () => {
    expect(await repository.completeMapping('user-1', 'cus_1', 't1')).toBe(false);
    expect(await repository.get('user-1')).toBeUndefined();
    await repository.createIfAbsent(reservation);
    expect(await repository.completeMapping('user-1', 'cus_1', 't1')).toBe(true);
    expect(await repository.completeMapping('user-1', 'cus_2', 't2')).toBe(false);
    expect(await repository.get('user-1')).toEqual({
      ...reservation,
      stripeCustomerId: 'cus_1',
      updatedAt: 't1',
    });
  });

  it('replaces the customer only when it still is the one read', async () => {
    await repository.createIfAbsent(reservation);
    await repository.completeMapping('user-1', 'cus_1', 't1');
    expect(await repository.replaceStripeCustomer('user-1', 'cus_0', 'cus_2', 't2')).toBe(false);
    expect(await repository.replaceStripeCustomer('user-1', 'cus_1', 'cus_2', 't2')).toBe(true);
    expect((await repository.get('user-1'))?.stripeCustomerId).toBe('cus_2');
    expect(await repository.replaceStripeCustomer('user-9', 'cus_1', 'cus_3', 't3')).toBe(false);
    expect(await repository.get('user-9')).toBeUndefined();
  });

  it('keeps the contact current on an existing record; for a user without one it fails and creates none', async () => {
    await repository.createIfAbsent(reservation);
    await repository.updateContact('user-1', { email: 'a@example.com', role: 'admin' }, 't1');
    expect(await repository.get('user-1')).toEqual({
      ...reservation,
      email: 'a@example.com',
      role: 'admin',
      updatedAt: 't1',
    });
    await expect(
      repository.updateContact('user-9', { email: 'b@example.com' }, 't1'),
    ).rejects.toThrow();
    expect(await repository.get('user-9')).toBeUndefined();
  });
}

/**
 * What the catalog sync table promises price sync: a record moves from the Stripe price
 * it was read with to a new one, or is written again with the same one (a retry), and
 * never over a Stripe price another sync wrote in between.
 */
export function catalogSyncContract(make: () => Promise<CatalogSyncRepository>): void {
  let repository: CatalogSyncRepository;
  beforeEach(async () => {
    repository = await make();
  });
  const record = (stripePriceId: string, syncedAt = 't0'): CatalogSyncRecord => ({
    priceId: 'price-local',
    productId: 'prod-local',
    stripeProductId: 'prod_1',
    stripePriceId,
    terms: 'usd:2500',
    syncedAt,
  });

  it('writes the first record only when none was read', async () => {
    expect(await repository.save(record('price_1'), 'price_0')).toBe(false);
    expect(await repository.get('price-local')).toBeUndefined();
    expect(await repository.save(record('price_1'), undefined)).toBe(true);
    expect(await repository.get('price-local')).toEqual(record('price_1'));
  });

  it('moves from the price read, takes its own retry, and refuses a stale writer', async () => {
    await repository.save(record('price_1'), undefined);
    expect(await repository.save(record('price_2', 't1'), 'price_1')).toBe(true);
    expect(await repository.save(record('price_2', 't2'), 'price_1')).toBe(true);
    expect(await repository.save(record('price_3', 't3'), 'price_1')).toBe(false);
    expect(await repository.save(record('price_3', 't3'), undefined)).toBe(false);
    expect(await repository.get('price-local')).toEqual(record('price_2', 't2'));
  });
}

export const CONTRACT_PRODUCT: CatalogProduct = {
  productId: 'prod-local',
  name: 'A course',
  active: true,
};
export const CONTRACT_PRICE: CatalogPrice = {
  priceId: 'price-local',
  productId: 'prod-local',
  unitAmount: 2500,
  currency: 'usd',
  type: 'one_time',
  active: true,
};

/**
 * What the catalog tables promise price sync: a Stripe id is recorded on a product once
 * (later writers learn the first one), on a price only over the id read (or its own
 * retry), and never on a record that does not exist (the tables are the catalog
 * services'). `make` starts from `CONTRACT_PRODUCT` and `CONTRACT_PRICE`.
 */
export function catalogRepositoryContract(make: () => Promise<CatalogRepository>): void {
  let repository: CatalogRepository;
  beforeEach(async () => {
    repository = await make();
  });

  it('records a product’s Stripe id once; a later writer gets the first one', async () => {
    expect(await repository.recordStripeProductId('prod-local', 'prod_1')).toBe('prod_1');
    expect(await repository.recordStripeProductId('prod-local', 'prod_1')).toBe('prod_1');
    expect(await repository.recordStripeProductId('prod-local', 'prod_2')).toBe('prod_1');
    expect((await repository.getProduct('prod-local'))?.stripeProductId).toBe('prod_1');
    await expect(repository.recordStripeProductId('prod-missing', 'prod_3')).rejects.toThrow();
    expect(await repository.getProduct('prod-missing')).toBeUndefined();
  });

  it('records a price’s Stripe id over the one read or as its own retry, never over another', async () => {
    expect(await repository.recordStripePriceId('price-local', 'price_1', 'price_0')).toBe(false);
    expect(await repository.recordStripePriceId('price-local', 'price_1', undefined)).toBe(true);
    expect(await repository.recordStripePriceId('price-local', 'price_1', undefined)).toBe(true);
    expect(await repository.recordStripePriceId('price-local', 'price_2', undefined)).toBe(false);
    expect(await repository.recordStripePriceId('price-local', 'price_2', 'price_1')).toBe(true);
    expect((await repository.getPrice('price-local'))?.stripePriceId).toBe('price_2');
    expect(await repository.recordStripePriceId('price-missing', 'price_3', undefined)).toBe(false);
    expect(await repository.getPrice('price-missing')).toBeUndefined();
  });
}

/**
 * What the parked-events store promises the pipeline and replay: a parked event comes back
 * with its raw body byte for byte; parking the same event id again keeps the first reason
 * and body and records the later parking beside them; the list
 * holds summaries without bodies; removing is idempotent. (A body too large for one item
 * is the DynamoDB adapter's own case, in its integration test.)
 */
export function parkedEventStoreContract(make: () => Promise<ParkedEventStore>): void {
  let store: ParkedEventStore;
  beforeEach(async () => {
    store = await make();
  });
  const parking = (reason: string): EventToPark => ({
    eventId: 'evt_parked',
    type: 'payment_intent.succeeded',
    reason,
    parkedAt: '2026-12-07T00:00:00.000Z',
    rawBody: Buffer.from([0x7b, 0xff, 0x00, 0x7d]),
  });

  it('keeps a parked event with its raw body, byte for byte, and lists it without', async () => {
    expect(await store.park(parking('malformed'))).toEqual({ rawBodyStored: true });
    const { rawBody: _, ...summary } = parking('malformed');
    expect(await store.get('evt_parked')).toEqual({
      ...summary,
      rawBodyStored: true,
      rawBody: parking('malformed').rawBody,
    });
    expect((await store.list()).events).toEqual([{ ...summary, rawBodyStored: true }]);
    expect(await store.get('evt_other')).toBeUndefined();
  });

  it('never replaces the first parking of an event id: a later one is recorded beside it', async () => {
    await store.park(parking('first'));
    const later = { ...parking('second'), rawBody: Buffer.from('{"forged":true}') };
    expect(await store.park({ ...later, parkedAt: '2026-12-07T00:01:00.000Z' })).toEqual({
      rawBodyStored: true,
    });
    await store.park({ ...parking('third'), parkedAt: '2026-12-07T00:02:00.000Z' });
    const kept = await store.get('evt_parked');
    expect(kept?.reason).toBe('first');
    expect(kept?.rawBody).toEqual(parking('first').rawBody);
    expect(kept?.parkedAgain).toEqual({
      count: 2,
      lastReason: 'third',
      lastParkedAt: '2026-12-07T00:02:00.000Z',
    });
    expect((await store.list()).events[0]?.parkedAgain?.count).toBe(2);
  });

  it('parks anew once removed (replayed), and removes idempotently', async () => {
    await store.park(parking('first'));
    await store.remove('evt_parked');
    await store.park(parking('second'));
    expect((await store.get('evt_parked'))?.reason).toBe('second');
    expect((await store.get('evt_parked'))?.parkedAgain).toBeUndefined();
    await store.remove('evt_parked');
    await store.remove('evt_parked');
    expect(await store.get('evt_parked')).toBeUndefined();
    expect((await store.list()).events).toEqual([]);
  });
}
