import * as path from 'node:path';
import { BUNDLE_CACHE_VARIABLE } from '../../lib/bundle-cache';

/**
 * Where the tests keep the functions' bundles (`lib/bundle-cache.ts` says when one is
 * reused): beside the installed packages, so `npm ci` starts it afresh, and shared by the
 * jest workers and the `cdk synth` subprocesses of one checkout.
 */
export const TEST_BUNDLE_CACHE_DIR = path.join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'function-bundles',
);

/** Makes the syntheses of this process go through the bundle cache. */
export function useBundleCache(): void {
  process.env[BUNDLE_CACHE_VARIABLE] = TEST_BUNDLE_CACHE_DIR;
}
