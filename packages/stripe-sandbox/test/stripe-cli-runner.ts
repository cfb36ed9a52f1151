/**
 * The runner is in `support/stripe-cli-runner.ts`. This path stays for the repository's
 * own `test/integration/stripe-trigger.test.ts`, which imports the runner from here.
 */
export * from './support/stripe-cli-runner';
