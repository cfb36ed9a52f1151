import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE_TARGET } from '../lib/constructs/service-function';
import { FUNCTION_ENTRIES } from '../lib/constructs/service-functions';
import { ENV } from '../lambda/shared/function-environment';
import { median } from './support';

/**
 * Cold start: each function's bundle, built as the stack builds it (esbuild, minified,
 * CJS, the AWS SDK bundled in), its size, and its load time in a fresh Node process, beside
 * a baseline bundle that only imports (and constructs) the AWS SDK clients the function
 * uses. The ratio is what our code and its libraries add to the floor the SDK sets.
 */
const ROOT = path.join(__dirname, '..');
const RUNS = 21;

const BASELINES: Record<keyof typeof FUNCTION_ENTRIES, string> = {
  api: `
    const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
    exports.clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new SecretsManagerClient({})];`,
  webhook: `
    const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
    const { SNSClient } = require('@aws-sdk/client-sns');
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
    exports.clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new SNSClient({}), new SecretsManagerClient({})];`,
  reconcile: `
    const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
    const { SNSClient } = require('@aws-sdk/client-sns');
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
    exports.clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new SNSClient({}), new SecretsManagerClient({})];`,
};

/** What the stack sets; the functions validate it at load. */
const FUNCTION_ENV: Record<string, string> = {
  [ENV.customersTable]: 'bench-customers',
  [ENV.catalogSyncTable]: 'bench-catalog-sync',
  [ENV.idempotencyTable]: 'bench-idempotency',
  [ENV.parkedEventsTable]: 'bench-parked-events',
  [ENV.subscriptionOrderTable]: 'bench-subscription-order',
  [ENV.reconciliationStateTable]: 'bench-reconciliation-state',
  [ENV.productsTable]: 'bench-products',
  [ENV.pricesTable]: 'bench-prices',
  [ENV.billingEventsTopicArn]: 'arn:aws:sns:us-east-1:000000000000:bench-billing-events',
  [ENV.stripeSecretKeyName]: 'bench-stripe-key',
  [ENV.stripeWebhookSecretName]: 'bench-webhook-secret',
  [ENV.jwtSecretName]: 'bench-jwt',
  [ENV.allowedRedirectOrigins]: 'https://app.example.com',
  [ENV.metricsNamespace]: 'bench-stripe-service',
  [ENV.environmentName]: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function bundle(options: { entry?: string; contents?: string }, outfile: string) {
  await build({
    ...(options.entry
      ? { entryPoints: [path.join(ROOT, options.entry)] }
      : { stdin: { contents: options.contents ?? '', resolveDir: ROOT, loader: 'js' } }),
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    logLevel: 'error',
  });
  const code = fs.readFileSync(outfile);
  return { bytes: code.length, gzipped: gzipSync(code).length };
}

/** Milliseconds to `require` the bundle in a fresh process, measured inside it. */
function loadTime(file: string): number {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', probe], {
    env: { PATH: process.env.PATH, ...FUNCTION_ENV },
  });
  return Number(out.toString());
}

export interface ColdStartFigure {
  readonly fn: string;
  readonly bytes: number;
  readonly gzipped: number;
  readonly loadMs: number;
  readonly baselineBytes: number;
  readonly baselineGzipped: number;
  readonly baselineLoadMs: number;
}

export async function measureColdStart(): Promise<ColdStartFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  const figures: ColdStartFigure[] = [];
  for (const fn of Object.keys(FUNCTION_ENTRIES) as (keyof typeof FUNCTION_ENTRIES)[]) {
    const fnFile = path.join(dir, `${fn}.js`);
    const baseFile = path.join(dir, `${fn}-baseline.js`);
    const own = await bundle({ entry: FUNCTION_ENTRIES[fn] }, fnFile);
    const base = await bundle({ contents: BASELINES[fn] }, baseFile);
    // Interleaved, so drift on a noisy machine hits both alike; one warm-up each.
    loadTime(fnFile);
    loadTime(baseFile);
    const fnTimes: number[] = [];
    const baseTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fnTimes.push(loadTime(fnFile));
      baseTimes.push(loadTime(baseFile));
    }
    figures.push({
      fn,
      bytes: own.bytes,
      gzipped: own.gzipped,
      loadMs: median(fnTimes),
      baselineBytes: base.bytes,
      baselineGzipped: base.gzipped,
      baselineLoadMs: median(baseTimes),
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

export const COLD_START_RUNS = RUNS;
