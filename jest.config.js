const os = require('node:os');

// The layers, each runnable alone: `npm run test:unit`, `test:infra`, `test:integration`,
// `test:e2e` (Chromium), `test:resilience`.
// SWC only transpiles (to CommonJS, as tsconfig.json's `module`); `npm run typecheck` does the
// type checking. jose 6 is ESM-only, so it is transpiled too instead of being ignored like
// other packages.
const swc = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  setupFiles: ['<rootDir>/test/support/quiet-environment.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // A mutation run's copy of the project (`npm run test:mutation`) is not this project.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};

/** @type {import('jest').Config} */
module.exports = {
  // One worker per core, never fewer than two. Jest's default (cores - 1) runs the suite in
  // one worker on a 2-core machine, although most test time waits on other processes
  // (DynamoDB Local, the SNS emulator, the sandbox, Chromium, stalled dependencies): two
  // workers there take the suite from 213 s to 136 s (measured with `npm test` on 2 cores).
  maxWorkers: Math.max(2, os.availableParallelism()),
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      snapshotFormat: { escapeString: false, printBasicPrototype: false },
    },
    {
      ...shared,
      displayName: 'integration',
      // The workspace packages' own tests (packages/stripe-sandbox/test) run with these.
      testMatch: [
        '<rootDir>/test/integration/**/*.test.ts',
        '<rootDir>/packages/*/test/**/*.test.ts',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'resilience',
      testMatch: ['<rootDir>/test/resilience/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/test/support/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
