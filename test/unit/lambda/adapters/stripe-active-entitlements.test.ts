import { StripeActiveEntitlementSource } from '../../../../lambda/adapters/stripe-active-entitlements';
import type { StripeClientProvider } from '../../../../lambda/adapters/stripe-client-provider';
import { API, entitlement, EXPORTS } from '../../../support/entitlement-summaries';
import { CUSTOMER_ID } from '../../../support/stripe-events';

describe('StripeActiveEntitlementSource (the adapter)', () => {
  const source = (list: (params: unknown) => unknown) =>
    new StripeActiveEntitlementSource({
      client: () => Promise.resolve({ entitlements: { activeEntitlements: { list } } }),
    } as unknown as StripeClientProvider);

  it('reads every page (up to atMost), an expanded feature as its id', async () => {
    const calls: unknown[] = [];
    const found = await source((params) => {
      calls.push(params);
      return {
        autoPagingToArray: (options: unknown) => {
          calls.push(options);
          return Promise.resolve([
            entitlement(EXPORTS, 0),
            { ...entitlement(API, 1), feature: { id: 'feat_api', object: 'entitlements.feature' } },
          ]);
        },
      };
    }).current(CUSTOMER_ID, 7);
    expect(found).toEqual([
      { feature: 'feat_exports', lookupKey: 'pro-exports' },
      { feature: 'feat_api', lookupKey: 'api-access' },
    ]);
    expect(calls).toEqual([{ customer: CUSTOMER_ID, limit: 100 }, { limit: 7 }]);
  });

  it("rethrows a failure as Stripe's (transient), naming the call", async () => {
    const failing = source(() => ({
      autoPagingToArray: () => Promise.reject(new Error('connection reset')),
    }));
    await expect(failing.current(CUSTOMER_ID, 7)).rejects.toMatchObject({
      message: 'connection reset',
      dependency: 'Stripe',
      operation: 'entitlements.activeEntitlements.list',
    });
  });
});
