import { StripeThinEventResolver } from '../../../../lambda/adapters/stripe-thin-event-resolver';
import type { StripeClientProvider } from '../../../../lambda/adapters/stripe-client-provider';
import { dependencyFailureOf } from '../../../../lambda/core/dependencies';
import { stripeFailure } from '../../../../lambda/core/errors';
import { snapshotOf, thinNotification } from '../../../support/thin-events';

describe('StripeThinEventResolver', () => {
  const noClient = {
    client: () => Promise.reject(new Error('the SDK must not be needed')),
  } as unknown as StripeClientProvider;

  it('retrieves the snapshot event a notification names, without rebuilding anything', async () => {
    const snapshot = snapshotOf();
    const asked: string[] = [];
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: (id) => {
        asked.push(id);
        return Promise.resolve(snapshot);
      },
    });
    await expect(resolver.resolve(thinNotification())).resolves.toBe(snapshot);
    expect(asked).toEqual(['evt_1SnapshotEventId']);
  });

  it('says undefined when Stripe has no such snapshot event', async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () => Promise.resolve(undefined),
    });
    await expect(resolver.resolve(thinNotification())).resolves.toBeUndefined();
  });

  it("throws a Stripe failure as a transient one (a 500, counted as Stripe's)", async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () =>
        Promise.reject(
          stripeFailure({ operation: 'events.retrieve', type: 'StripeConnectionError' }),
        ),
    });
    const error: unknown = await resolver.resolve(thinNotification()).catch((e: unknown) => e);
    expect(dependencyFailureOf(error)).toEqual({
      dependency: 'Stripe',
      operation: 'events.retrieve',
    });
    expect(error).toMatchObject({ type: 'StripeConnectionError' });
  });

  /** A client whose SDK answers `fetchEvent()` (GET /v2/core/events/:id) with `v2Event`. */
  const clientServing = (v2Event: Record<string, unknown>) =>
    ({
      client: () =>
        Promise.resolve({
          parseEventNotificationWithoutVerification: () => ({
            fetchEvent: () => Promise.resolve(v2Event),
          }),
        }),
    }) as unknown as StripeClientProvider;

  it("asks Stripe's v2 event for the snapshot event when the notification does not name it", async () => {
    const snapshot = snapshotOf();
    const resolver = new StripeThinEventResolver(
      clientServing({ snapshot_event: 'evt_1SnapshotEventId' }),
      { retrieve: (id) => Promise.resolve(id === snapshot.id ? snapshot : undefined) },
    );
    await expect(resolver.resolve(thinNotification({ snapshot_event: null }))).resolves.toBe(
      snapshot,
    );
  });

  it('never publishes under the thin id: no snapshot event anywhere is undefined (parked)', async () => {
    const resolver = new StripeThinEventResolver(clientServing({ snapshot_event: null }), {
      retrieve: () => Promise.reject(new Error('must not be called')),
    });
    await expect(
      resolver.resolve(thinNotification({ snapshot_event: null })),
    ).resolves.toBeUndefined();
  });

  it('says undefined when the event retrieved is not the one the notification speaks of', async () => {
    const resolver = new StripeThinEventResolver(noClient, {
      retrieve: () => Promise.resolve(snapshotOf()),
    });
    await expect(
      resolver.resolve(thinNotification({ type: 'v1.invoice.payment_failed' })),
    ).resolves.toBeUndefined();
  });

  it('retries (transient) a notification just sent whose event Stripe does not show yet', async () => {
    const created = new Date('2026-01-02T03:04:05.678Z');
    const resolver = new StripeThinEventResolver(
      noClient,
      { retrieve: () => Promise.resolve(undefined) },
      () => new Date(created.getTime() + 60_000),
    );
    const error: unknown = await resolver
      .resolve(thinNotification({ created: created.toISOString() }))
      .catch((e: unknown) => e);
    expect(dependencyFailureOf(error)).toEqual({
      dependency: 'Stripe',
      operation: 'events.retrieve',
    });
  });
});
