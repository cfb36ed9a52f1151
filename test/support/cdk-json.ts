import * as fs from 'node:fs';
import * as path from 'node:path';

/** The checkout's root, where cdk.json and the runbook are. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** The context `cdk.json` gives the app, so tests synthesize exactly what a deploy would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}
