import * as fs from 'node:fs';
import * as path from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { LocalStack } from '../local/local-stack';
import { type BenchServices, startBenchStack } from './local-services';
import {
  type Out,
  reportCatalogScale,
  reportColdStart,
  reportCriticalPath,
  reportHeader,
  reportNotes,
  reportWebhookLoad,
} from './report';
import { reportLaunchDay, reportRequestCosts } from './report-capacity';
import { machine } from './support';

/** What a section measures on: the bench stack, started once for every section needing it. */
interface StackContext {
  readonly stack: LocalStack;
  readonly services: BenchServices;
}

/** One section of BENCHMARKS.md: its `## ` heading, and what prints it. */
interface Section {
  readonly name: string;
  readonly heading: string;
  readonly run: (out: Out, context: () => Promise<StackContext>) => Promise<void>;
}

/** In the order `npm run bench` runs and writes them. */
const SECTIONS: readonly Section[] = [
  { name: 'cold-start', heading: 'Cold start', run: (out) => reportColdStart(out) },
  {
    name: 'critical-path',
    heading: 'Critical path',
    run: async (out, context) => reportCriticalPath(out, (await context()).stack),
  },
  {
    name: 'webhook-load',
    heading: 'Webhook load',
    run: async (out, context) => {
      const { stack, services } = await context();
      await reportWebhookLoad(out, stack, services);
    },
  },
  {
    name: 'request-costs',
    heading: 'Per-request costs',
    run: async (out, context) => reportRequestCosts(out, (await context()).stack),
  },
  {
    name: 'catalog-scale',
    heading: 'Price listing at catalog scale',
    run: async (out, context) => reportCatalogScale(out, (await context()).stack),
  },
  {
    name: 'launch-day',
    heading: "Launch day: checkouts over Stripe's rate limits",
    run: async (out, context) => {
      const { stack, services } = await context();
      await reportLaunchDay(out, stack, services);
    },
  },
];

const USAGE = `Usage: npm run bench [-- --no-write] [-- --only <section>[,<section>...]]
  --no-write   print only; BENCHMARKS.md is left as it is
  --only       run these sections alone, and replace only their sections in BENCHMARKS.md
               (each says it was measured alone, and when); sections: ${SECTIONS.map((s) => s.name).join(', ')}`;

/** The sections `--only` names (every one when absent); an unknown name is a usage error. */
function chosenSections(argv: readonly string[]): readonly Section[] | undefined {
  const at = argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
  if (at < 0) return undefined;
  const arg = argv[at] ?? '';
  const list = arg.startsWith('--only=') ? arg.slice('--only='.length) : (argv[at + 1] ?? '');
  const names = list.split(',').filter((name) => name !== '');
  const unknown = names.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `${unknown.length > 0 ? `Unknown section ${unknown.join(', ')}. ` : ''}${USAGE}`,
    );
  }
  return SECTIONS.filter((section) => names.includes(section.name));
}

/**
 * `npm run bench`: every figure measured in this one run, printed with the machine it ran
 * on, and written to BENCHMARKS.md. `-- --no-write` only prints; `-- --only <names>` runs
 * those sections and rewrites only them (the others keep their figures and their date).
 */
async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const only = chosenSections(process.argv);
  const lines: string[] = [];
  const out: Out = (line = '') => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  if (only === undefined) reportHeader(out);
  const sections = await runSections(only ?? SECTIONS, out);
  if (only === undefined) reportNotes(out);
  if (process.argv.includes('--no-write')) return;
  await writeBenchmarksFile(
    only === undefined ? lines : replaceSections(readBenchmarksFile(), measuredAlone(sections)),
  );
}

/**
 * Runs `sections` in order, starting the bench stack for the first that needs it and
 * stopping it at the end. Returns each section's lines.
 */
async function runSections(
  sections: readonly Section[],
  out: Out,
): Promise<Map<Section, string[]>> {
  let started: ReturnType<typeof startBenchStack> | undefined;
  const context = (): Promise<StackContext> => (started ??= startBenchStack());
  const bySection = new Map<Section, string[]>();
  try {
    for (const section of sections) {
      const own: string[] = [];
      await section.run((line = '') => {
        own.push(line);
        out(line);
      }, context);
      bySection.set(section, own);
    }
  } finally {
    if (started) await (await started).stop();
  }
  return bySection;
}

/**
 * Sections run alone, by heading, each saying under its heading that it was measured
 * alone and when: the file's header dates the last whole run, not these figures.
 */
function measuredAlone(sections: ReadonlyMap<Section, readonly string[]>): Map<string, string[]> {
  const byHeading = new Map<string, string[]>();
  for (const [section, lines] of sections) {
    const [heading = `## ${section.heading}`, ...rest] = lines;
    byHeading.set(section.heading, [
      heading,
      '',
      `Measured alone by \`npm run bench -- --only ${section.name}\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}.`,
      ...rest,
    ]);
  }
  return byHeading;
}

const BENCHMARKS_FILE = path.join(__dirname, '..', 'BENCHMARKS.md');

function readBenchmarksFile(): string[] {
  return fs.readFileSync(BENCHMARKS_FILE, 'utf8').split('\n');
}

/**
 * `file` with each section of `sections` (by its `## ` heading) replaced by the new lines;
 * a section it does not have yet goes where a whole run would write it: before the first
 * later section the file has, or before the notes.
 */
function replaceSections(
  file: readonly string[],
  sections: ReadonlyMap<string, readonly string[]>,
): string[] {
  let result = [...file];
  for (const [heading, lines] of sections) {
    const start = result.indexOf(`## ${heading}`);
    if (start < 0) {
      const later = SECTIONS.slice(SECTIONS.findIndex((s) => s.heading === heading) + 1)
        .map((s) => `## ${s.heading}`)
        .concat('## Notes');
      const found = result.findIndex((line) => later.includes(line));
      const at = found < 0 ? result.length : found;
      result = [...result.slice(0, at), ...lines, ...result.slice(at)];
      continue;
    }
    const next = result.findIndex((line, i) => i > start && line.startsWith('## '));
    const end = next < 0 ? result.length : next;
    result = [...result.slice(0, start), ...lines, ...result.slice(end)];
  }
  return result;
}

/** BENCHMARKS.md, formatted as `npm run lint` checks it. */
async function writeBenchmarksFile(lines: readonly string[]): Promise<void> {
  const options = (await resolveConfig(BENCHMARKS_FILE)) ?? {};
  fs.writeFileSync(
    BENCHMARKS_FILE,
    await format(`${lines.join('\n')}\n`, { ...options, filepath: BENCHMARKS_FILE }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
