// Mutation testing of the money paths (`npm run test:mutation`, docs/testing.md): StrykerJS
// plants small bugs in the modules below, one at a time, and runs the tests that cover each
// one; a bug no test notices is a "survivor". Not part of `npm test`: a full run takes
// tens of minutes on 2 cores, a rerun after a small change (incremental) a few.

/** The modules where a bug costs money or access; each group is one row of the report. */
export const MONEY_PATHS = {
  'signature verification': [
    'lambda/webhook/signature-verifier.ts',
    'lambda/webhook/stripe-signature.ts',
  ],
  'event pipeline and mapping': [
    'lambda/webhook/routes/stripe-webhook.ts',
    'lambda/eventbridge/use-cases/take-partner-event.ts',
    'lambda/stripe-events/intake.ts',
    'lambda/stripe-events/payloads.ts',
    'lambda/stripe-events/billing-event-mapping.ts',
    'lambda/stripe-events/mapping/*.ts',
    'lambda/stripe-events/use-cases/*.ts',
  ],
  ordering: ['lambda/domain/subscription-order.ts', 'lambda/adapters/dynamo-subscription-order.ts'],
  'idempotency and parking': [
    'lambda/adapters/idempotent-processor.ts',
    'lambda/adapters/event-ledger.ts',
    'lambda/adapters/dynamo-parked-event-store.ts',
  ],
  'customer reservation and price sync': [
    'lambda/api/use-cases/ensure-stripe-customer.ts',
    'lambda/adapters/dynamo-customer-repository.ts',
    'lambda/api/use-cases/sync-price.ts',
  ],
  auth: ['lambda/core/auth.ts'],
  'listing paging and ETags': [
    'lambda/api/use-cases/list-prices.ts',
    'lambda/domain/price-listing.ts',
  ],
  'reconciliation cursor': [
    'lambda/reconcile/use-cases/reconcile-window.ts',
    'lambda/reconcile/use-cases/walk-events.ts',
    'lambda/adapters/dynamo-reconciliation-state.ts',
  ],
};

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: Object.values(MONEY_PATHS).flat(),
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant) needs the whole run per mutant: hours here.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 3,
  timeoutMS: 20_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
