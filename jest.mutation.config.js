// The Jest configuration of a mutation run (`npm run test:mutation`, stryker.config.mjs):
// the unit project's settings, no projects and no global setup (scripts/mutation.ts starts
// DynamoDB Local and the SNS emulator once for the whole run). Its tests: the unit tests of
// lambda/, and the integration tests of the money paths' DynamoDB adapters and their
// contracts. Tests that start a whole local stack are left out: every mutant they cover
// would pay for its start-up, and the adapters' own tests cover the same code directly.
const { projects } = require('./jest.config.js');

const { displayName: _unit, testMatch: _all, ...unit } = projects[0];

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  testMatch: [
    '<rootDir>/test/unit/lambda/**/*.test.ts',
    '<rootDir>/test/integration/lambda/adapters/*.test.ts',
    '<rootDir>/test/integration/lambda/api/use-cases/*.test.ts',
  ],
};
