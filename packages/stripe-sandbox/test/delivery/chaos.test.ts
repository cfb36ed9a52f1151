import type Stripe from 'stripe';
import type { ChaosState, DeliveryAttempt } from '../../src';
import { useHarness } from '../support/harness';

jest.setTimeout(30_000);

const h = useHarness({ between: 'reset' });

/** Creates customers one after another; answers their ids in creation order. */
async function customers(count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await h.stripe.customers.create({ email: `${prefix}-${i}@example.com` })).id);
  return ids;
}

/** Waits for every delivery (releasing held batches), then what the endpoint got. */
async function arrived(): Promise<Stripe.Event[]> {
  await h.call('GET', 'deliveries?wait=true');
  expect(h.receiver.rejected).toEqual([]);
  return h.receiver.events;
}

const customerIds = (events: Stripe.Event[]) =>
  events.map((e) => (e.data.object as Stripe.Customer).id);

/** The order the customers' events arrived in, as indexes into their creation order. */
async function arrivalOrder(ids: string[]): Promise<number[]> {
  return customerIds(await arrived()).map((id) => ids.indexOf(id));
}

describe('POST /_sandbox/chaos: duplicated, delayed and reordered deliveries', () => {
  it('duplicates: each delivery goes out N times, the same event (id, payload) each time', async () => {
    const answer = await h.control('chaos', { duplicates: 3, seed: 1 });
    expect(answer).toMatchObject({ enabled: true, seed: 1, duplicates: 3, reorder: 'none' });
    const [id] = await customers(1, 'dup');
    const events = await arrived();
    expect(customerIds(events)).toEqual([id, id, id]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[1]).toEqual(events[0]);
    const { deliveries } = await h.call<{ deliveries: DeliveryAttempt[] }>('GET', 'deliveries');
    expect(deliveries.map((d) => d.copy).sort()).toEqual([1, 2, 3]);
  });

  it('duplicate_probability: the same deliveries are duplicated for the same seed', async () => {
    const run = async (seed: number) => {
      await h.control('reset');
      h.receiver.clear();
      await h.control('chaos', { duplicates: 2, duplicate_probability: 0.5, seed });
      const ids = await customers(12, `p${seed}`);
      const events = await arrived();
      return ids.map((id) => customerIds(events).filter((c) => c === id).length);
    };
    const first = await run(7);
    expect(first.every((n) => n === 1 || n === 2)).toBe(true);
    expect(first).toContain(1);
    expect(first).toContain(2);
    expect(await run(7)).toEqual(first);
  });

  it('delay_ms holds every delivery back; a random delay reorders, the same way for a seed', async () => {
    await h.control('chaos', { delay_ms: 150 });
    const started = Date.now();
    await customers(1, 'late');
    await arrived();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await h.call<ChaosState>('GET', 'chaos')).toMatchObject({
      min_delay_ms: 150,
      max_delay_ms: 150,
    });

    // Delays far apart (0..1000 ms for events created within a few ms) decide the order.
    const run = async () => {
      await h.control('reset');
      h.receiver.clear();
      await h.control('chaos', { min_delay_ms: 0, max_delay_ms: 1000, seed: 99 });
      const ids = await customers(6, 'random');
      return arrivalOrder(ids);
    };
    const order = await run();
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(order).not.toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reorder reverse: a held batch arrives newest first', async () => {
    await h.control('chaos', { reorder: 'reverse', batch_size: 5, hold_ms: 60_000 });
    const ids = await customers(5, 'reverse'); // the fifth fills the batch: released at once
    expect(await arrivalOrder(ids)).toEqual([4, 3, 2, 1, 0]);
  });

  it('reorder shuffle: a permutation that the seed decides', async () => {
    const run = async (seed: number) => {
      await h.control('reset');
      h.receiver.clear();
      await h.control('chaos', { reorder: 'shuffle', batch_size: 8, seed });
      return arrivalOrder(await customers(8, `shuffle${seed}`));
    };
    const order = await run(42);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(order).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await run(42)).toEqual(order);
    expect(await run(43)).not.toEqual(order);
  });

  it('a partial batch is released by hold_ms, by wait=true, by flush, and when chaos is turned off', async () => {
    await h.control('chaos', { reorder: 'reverse', batch_size: 100, hold_ms: 250 });
    const timed = await customers(2, 'timed');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(customerIds(h.receiver.events)).toEqual([...timed].reverse());

    h.receiver.clear();
    await h.control('chaos', { reorder: 'reverse', batch_size: 100, hold_ms: 60_000 });
    const waited = await customers(2, 'waited');
    expect(await h.call<ChaosState>('GET', 'chaos')).toMatchObject({ held: 2 });
    expect(customerIds(await arrived())).toEqual([...waited].reverse());

    h.receiver.clear();
    const flushed = await customers(3, 'flushed');
    expect(await h.control('chaos/flush')).toEqual({ released: 3 });
    expect(customerIds(await arrived())).toEqual([...flushed].reverse());

    h.receiver.clear();
    const held = await customers(2, 'held');
    expect(await h.call('DELETE', 'chaos')).toEqual({ enabled: false, held: 0, released: 2 });
    const after = await customers(3, 'after');
    expect(customerIds(await arrived())).toEqual([...[...held].reverse(), ...after]);
  });

  it('refuses settings it does not know, so a typo cannot turn chaos down', async () => {
    await expect(h.control('chaos', { duplicate: 2 })).rejects.toThrow(/parameter_unknown/);
    await expect(h.control('chaos', { reorder: 'sideways' })).rejects.toThrow(/reorder/);
    await expect(h.control('chaos', { min_delay_ms: 50, max_delay_ms: 10 })).rejects.toThrow(
      /max_delay_ms/,
    );
    await expect(h.control('chaos', { duplicate_probability: 2 })).rejects.toThrow(/between/);
    expect(await h.call('GET', 'chaos')).toEqual({ enabled: false, held: 0 });
  });

  it('with a frozen clock: same-second events, duplicated and reversed; de-duplicated by id they are the stored events', async () => {
    await h.control('clock', { frozen_at: 'now' });
    await h.control('chaos', { duplicates: 2, reorder: 'reverse', batch_size: 50, seed: 5 });
    const ids = await customers(4, 'tie');
    const events = await arrived();
    expect(events).toHaveLength(8);
    expect(new Set(events.map((e) => e.created)).size).toBe(1);
    // Reversed: the newest event arrives first, twice.
    expect(customerIds(events).slice(0, 2)).toEqual([ids[3], ids[3]]);
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    const stored = (await h.stripe.events.list({ type: 'customer.created' })).data;
    expect(unique.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());
  });
});
