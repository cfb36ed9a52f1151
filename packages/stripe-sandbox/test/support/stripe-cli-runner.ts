import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Harness } from './harness';

/**
 * The official Stripe CLI, from npm (@stripe/cli-linux-x64: the CLI's Linux build), an
 * optional dependency of the repository root, installed in the root's node_modules.
 */
export const STRIPE_CLI = path.join(
  __dirname,
  '../../../../node_modules/@stripe/cli-linux-x64/bin/stripe',
);

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Throws, saying why, when the CLI is not installed (it is optional: linux-x64 only). */
export function assertStripeCliInstalled(): void {
  if (!fs.existsSync(STRIPE_CLI)) {
    throw new Error(
      `The Stripe CLI is not installed at ${STRIPE_CLI}: it is an optional dependency for linux-x64 (npm ci on linux-x64).`,
    );
  }
}

/**
 * Runs the CLI against `apiBase` asynchronously (a sandbox in this process answers it),
 * with a home of its own so no user configuration or login is read, and telemetry off.
 */
export function stripeCliRunner(
  apiBase: string,
  apiKey = 'sk_test_cli_0123456789',
): (...args: string[]) => Promise<CliResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cli-home-'));
  return (...args) =>
    new Promise((resolve) => {
      execFile(
        STRIPE_CLI,
        [...args, '--api-base', apiBase, '--api-key', apiKey],
        {
          encoding: 'utf8',
          timeout: 30_000,
          env: {
            ...process.env,
            HOME: home,
            XDG_CONFIG_HOME: home,
            STRIPE_CLI_TELEMETRY_OPTOUT: '1',
          },
        },
        (error, stdout, stderr) => {
          resolve({
            status: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
            stdout,
            stderr,
          });
        },
      );
    });
}

/**
 * The CLI against a test file's harness (see `useHarness`), from before its first test;
 * the file fails, saying why, when the CLI is not installed.
 */
export function useStripeCli(h: Harness): (...args: string[]) => Promise<CliResult> {
  let run: ((...args: string[]) => Promise<CliResult>) | undefined;
  beforeAll(() => {
    assertStripeCliInstalled();
    run = stripeCliRunner(h.sandbox.url);
  });
  return (...args) => {
    if (!run) throw new Error('the Stripe CLI is used before the harness started');
    return run(...args);
  };
}
