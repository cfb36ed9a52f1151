import * as fs from 'node:fs';
import * as path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { startBenchStack } from './local-services';
import {
  type Out,
  reportCatalogScale,
  reportColdStart,
  reportCriticalPath,
  reportHeader,
  reportNotes,
  reportWebhookLoad,
} from './report';

/**
 * `npm run bench`: every figure measured in this one run, printed with the machine it ran
 * on, and written to BENCHMARKS.md. `npm run bench -- --no-write` only prints.
 */
async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const lines: string[] = [];
  const out: Out = (line = '') => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };

  reportHeader(out);
  await reportColdStart(out);
  const { stack, services, stop } = await startBenchStack();
  try {
    await reportCriticalPath(out, stack);
    await reportWebhookLoad(out, stack, services);
    await reportCatalogScale(out, stack);
  } finally {
    await stop();
  }
  reportNotes(out);
  if (!process.argv.includes('--no-write')) await writeBenchmarksFile(lines);
}

/** BENCHMARKS.md, formatted as `npm run lint` checks it. */
async function writeBenchmarksFile(lines: readonly string[]): Promise<void> {
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const options = (await resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await format(`${lines.join('\n')}\n`, { ...options, filepath: file }));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
