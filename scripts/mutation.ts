/**
 * `npm run test:mutation [-- --mutate <file> | --force]`: StrykerJS over the money paths
 * (stryker.config.mjs, docs/testing.md). `--mutate lambda/core/auth.ts` runs one module;
 * `--force` ignores the incremental file and tests every mutant again.
 *
 * The integration tests among the ones Stryker runs need DynamoDB Local and the SNS
 * emulator: they are started here once for the whole run (Jest's global setup would start
 * them again for every group of mutants), on free loopback ports that Stryker's test
 * processes inherit through the environment.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
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
    options: { mutate: { type: 'string', multiple: true }, force: { type: 'boolean' } },
  });
  // Stryker is an ES module (its types resolve only under node16 module resolution, hence
  // the shape written out here); it reads stryker.config.mjs, these options override it.
  const { Stryker } = (await import(STRYKER as string)) as StrykerModule;
  await globalSetup();
  try {
    const results = await new Stryker({
      ...(values.mutate ? { mutate: values.mutate } : {}),
      ...(values.force ? { force: true } : {}),
    }).runMutationTest();
    return results.length > 0 ? 0 : 1;
  } finally {
    await globalTeardown();
  }
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
