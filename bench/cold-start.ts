import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { BUNDLE_ENTRY_FILE, bundleFunction, type BundleSource } from '../lib/bundling';
import { FUNCTION_ENTRIES } from '../lib/constructs/service-functions';
import { ENV } from '../lambda/shared/function-environment';
import { median } from './support';

/**
 * Cold start: each function bundled exactly as the stack bundles it (`lib/bundling.ts`),
 * what of it loads at cold start and what ships, and its load time in a fresh Node process,
 * beside a baseline bundled the same way that only imports (and constructs) the AWS SDK
 * clients the function uses. The ratio is what our code and its libraries add to the floor
 * the SDK sets.
 */
const ROOT = path.join(__dirname, '..');
const RUNS = 31;

const CLIENTS = {
  dynamo: {
    imports: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`,
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
  },
  sns: {
    imports: `import { SNSClient } from '@aws-sdk/client-sns';`,
    construct: 'new SNSClient({})',
  },
  secrets: {
    imports: `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';`,
    construct: 'new SecretsManagerClient({})',
  },
} as const;

/** The AWS SDK clients each function builds; its baseline imports and constructs those. */
const BASELINE_CLIENTS: Readonly<
  Record<keyof typeof FUNCTION_ENTRIES, readonly (keyof typeof CLIENTS)[]>
> = {
  api: ['dynamo', 'secrets'],
  webhook: ['dynamo', 'sns', 'secrets'],
  reconcile: ['dynamo', 'sns', 'secrets'],
  catalogSnapshot: ['dynamo'],
  eventBridge: ['dynamo', 'sns', 'secrets'],
};

function baselineSource(fn: keyof typeof FUNCTION_ENTRIES): BundleSource {
  const clients = BASELINE_CLIENTS[fn];
  const contents = [
    ...clients.map((c) => CLIENTS[c].imports),
    `export const clients = [${clients.map((c) => CLIENTS[c].construct).join(', ')}];`,
  ].join('\n');
  return { contents, resolveDir: ROOT };
}

/**
 * What the stack sets; the functions validate it at load. Every table and secret name the
 * functions may read is set, so a function that gains a table still loads here.
 */
const FUNCTION_ENV: Record<string, string> = {
  ...Object.fromEntries(
    Object.values(ENV)
      .filter((name) => name.endsWith('_TABLE_NAME') || name.endsWith('_SECRET_NAME'))
      .map((name) => [name, `bench-${name.toLowerCase()}`]),
  ),
  [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:000000000000:bench-billing-events',
  [ENV.allowedRedirectOrigins]: 'https://app.example.com',
  [ENV.metricsNamespace]: 'bench-stripe-service',
  [ENV.environmentName]: 'bench',
  [ENV.eventBridgeSource]: 'aws.partner/stripe.com/ed_bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface BundleSizes {
  /** The entry file and every chunk it imports statically: what is read and parsed at load. */
  readonly atLoad: number;
  /** All the code in the package (chunks loaded on first use included). */
  readonly code: number;
  /** The source maps beside it. */
  readonly maps: number;
}

function sizes(metafile: Metafile): BundleSizes {
  const { outputs } = metafile;
  const entry = Object.keys(outputs).find((file) => path.basename(file) === BUNDLE_ENTRY_FILE);
  if (entry === undefined) throw new Error(`The bundle has no ${BUNDLE_ENTRY_FILE}`);
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const { path: imported, kind } of outputs[file]?.imports ?? []) {
      if (kind === 'import-statement' && imported in outputs) visit(imported);
    }
  };
  visit(entry);
  const total = (files: string[]) =>
    files.reduce((sum, file) => sum + (outputs[file]?.bytes ?? 0), 0);
  const files = Object.keys(outputs);
  return {
    atLoad: total([...loaded]),
    code: total(files.filter((file) => !file.endsWith('.map'))),
    maps: total(files.filter((file) => file.endsWith('.map'))),
  };
}

/**
 * Milliseconds to import the bundle in a fresh process, measured inside it: what Lambda's
 * init does before the first invocation. `nodeOptions` as the function's `NODE_OPTIONS`.
 */
function loadTime(file: string, nodeOptions = ''): number {
  const probe = `const t=process.hrtime.bigint();import(${JSON.stringify(pathToFileURL(file).href)}).then(()=>process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)))`;
  const out = execFileSync(process.execPath, ['-e', probe], {
    env: { PATH: process.env.PATH, ...FUNCTION_ENV, NODE_OPTIONS: nodeOptions },
  });
  return Number(out.toString());
}

export interface ColdStartFigure {
  readonly fn: string;
  readonly bundle: BundleSizes;
  readonly loadMs: number;
  /** The same bundle loaded with `NODE_OPTIONS=--enable-source-maps`. */
  readonly loadWithSourceMapsMs: number;
  readonly baseline: BundleSizes;
  readonly baselineLoadMs: number;
}

export async function measureColdStart(): Promise<ColdStartFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  const figures: ColdStartFigure[] = [];
  try {
    for (const fn of Object.keys(FUNCTION_ENTRIES) as (keyof typeof FUNCTION_ENTRIES)[]) {
      const entry = FUNCTION_ENTRIES[fn];
      const own = sizes(
        await bundleFunction({ entry: path.join(ROOT, entry) }, path.join(dir, fn)),
      );
      const base = sizes(
        await bundleFunction(baselineSource(fn), path.join(dir, `${fn}-baseline`)),
      );
      const fnFile = path.join(dir, fn, BUNDLE_ENTRY_FILE);
      const baseFile = path.join(dir, `${fn}-baseline`, BUNDLE_ENTRY_FILE);
      // Interleaved, so drift on a noisy machine hits all alike; one warm-up each.
      loadTime(fnFile);
      loadTime(fnFile, '--enable-source-maps');
      loadTime(baseFile);
      const times: Record<'fn' | 'maps' | 'base', number[]> = { fn: [], maps: [], base: [] };
      for (let i = 0; i < RUNS; i++) {
        times.fn.push(loadTime(fnFile));
        times.maps.push(loadTime(fnFile, '--enable-source-maps'));
        times.base.push(loadTime(baseFile));
      }
      figures.push({
        fn,
        bundle: own,
        loadMs: median(times.fn),
        loadWithSourceMapsMs: median(times.maps),
        baseline: base,
        baselineLoadMs: median(times.base),
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

export const COLD_START_RUNS = RUNS;
