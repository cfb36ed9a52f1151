/**
 * `npm run test:mutation [-- --mutate <file> | --force | --concurrency <n>]`: StrykerJS over
 * the money paths (stryker.config.mjs, docs/testing.md). `--mutate lambda/core/auth.ts` runs
 * one module; `--force` ignores the incremental file and tests every mutant again;
 * `--concurrency 1` leaves the other core free for other work; `--scores` only
 * prints the scores of the last run. The scores are printed per group of modules and per
 * module (docs/testing.md keeps the latest).
 *
 * The integration tests among the ones Stryker runs need DynamoDB Local and the SNS
 * emulator: they are started here once for the whole run (Jest's global setup would start
 * them again for every group of mutants), on free loopback ports that Stryker's test
 * processes inherit through the environment.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatScores, type MutationReport, mutationScores } from './lib/mutation-scores';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';

const STRYKER = '@stryker-mutator/core';

interface StrykerModule {
  readonly Stryker: new (options: Record<string, unknown>) => {
    runMutationTest(): Promise<readonly unknown[]>;
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mutate: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      scores: { type: 'boolean' },
      concurrency: { type: 'string' },
    },
  });
  if (values.scores) return printScores();
  // Stryker is an ES module (its types resolve only under node16 module resolution, hence
  // the shape written out here); it reads stryker.config.mjs, these options override it.
  const { Stryker } = (await import(STRYKER)) as StrykerModule;
  await globalSetup();
  try {
    const results = await new Stryker({
      ...(values.mutate ? { mutate: values.mutate } : {}),
      ...(values.force ? { force: true } : {}),
      ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    }).runMutationTest();
    if (results.length === 0) return 1;
  } finally {
    await globalTeardown();
  }
  return printScores();
}

const ROOT = path.resolve(__dirname, '..');

/** The scores of the last run, from its JSON report, by the config's groups. */
async function printScores(): Promise<number> {
  const config = (await import(pathToFileURL(path.join(ROOT, 'stryker.config.mjs')).href)) as {
    MONEY_PATHS: Record<string, string[]>;
    default: { jsonReporter: { fileName: string } };
  };
  const report = JSON.parse(
    readFileSync(path.join(ROOT, config.default.jsonReporter.fileName), 'utf8'),
  ) as MutationReport;
  const { groups, modules } = mutationScores(report, config.MONEY_PATHS);
  console.log(`\nMutation score by group:\n${formatScores(groups)}`);
  console.log(`\nBy module:\n${formatScores(modules)}`);
  return 0;
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
