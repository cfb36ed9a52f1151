/**
 * The paths this page calls (contract section 4, the local helpers, and its own pages);
 * test/unit/local/demo-files.test.ts keeps them in step with lambda/shared/routes.ts.
 */
export const PATHS = {
  prices: '/stripe/prices',
  checkout: '/stripe/payment-intent',
  portal: '/stripe/portal',
  session: '/stripe/checkout-sessions/{id}',
  token: '/_local/token',
  billingEvents: '/_local/billing-events',
  home: '/',
  success: '/success',
  canceled: '/canceled',
};
