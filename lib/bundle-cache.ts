import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Metafile, version as ESBUILD_VERSION } from 'esbuild';
import { bundleFunctionSync, functionBuildOptions } from './bundling';

/**
 * A cache of function bundles on disk, for the test suites: every synthesis bundles the
 * functions (CDK stages each asset in a new cloud assembly), and the infra tests synthesize
 * the app dozens of times, in several jest workers and `cdk synth` subprocesses. With the
 * cache, each function is bundled once per change of what it is built from, and every
 * synthesis copies that bundle.
 *
 * Off unless the environment variable `FUNCTION_BUNDLE_CACHE` names a directory: the tests
 * set it (`test/support/bundle-cache.ts`), a deploy does not, so `cdk synth` and
 * `cdk deploy` always bundle with esbuild afresh.
 *
 * Why a copy is the bundle esbuild would write now: an entry is used only when
 * - its key is the same: the esbuild version, every build option (`functionBuildOptions`),
 *   the entry file, and the way from the output directory to the project root (esbuild
 *   names chunks by a hash that covers their source maps, whose sources it writes relative
 *   to the output directory: the same code bundled one directory deeper has other chunk
 *   names); and
 * - its fingerprint is the same, taken from what that build read (esbuild's metafile):
 *   the content of every input file; the names in every directory that holds an input and
 *   in each of their parents up to the project root (a file added there, such as a
 *   `node_modules` folder or an `index.ts` beside `foo.ts`, could be resolved instead);
 *   and the content of the `package.json` and `tsconfig.json` files in those directories
 *   (module format, `sideEffects`, entry points and TypeScript options steer esbuild).
 * Anything else is a miss, and a miss bundles.
 */
export const BUNDLE_CACHE_VARIABLE = 'FUNCTION_BUNDLE_CACHE';

const PROJECT_ROOT = path.join(__dirname, '..');

/** A lock older than this was left by a process that died while bundling. */
const STALE_LOCK_MS = 120_000;
const LOCK_POLL_MS = 50;

interface CacheRecord {
  /** The fingerprint of what the bundle was built from (see above). */
  readonly fingerprint: Record<string, string>;
}

/** What the cache did for one bundle. */
export type BundleCacheOutcome = 'copied' | 'bundled';

/**
 * Bundles `entry` into `outdir` as `bundleFunctionSync` does, through the cache in
 * `cacheDir`: a current entry is copied, anything else is bundled and stored. One process
 * at a time per entry (a lock directory), so parallel test workers bundle it once.
 * `root` bounds the directories fingerprinted (the project's, but for tests of the cache).
 */
export function bundleFunctionSyncCached(
  entry: string,
  outdir: string,
  cacheDir: string,
  root: string = PROJECT_ROOT,
): BundleCacheOutcome {
  const slot = path.join(cacheDir, cacheKey(entry, outdir, root));
  fs.mkdirSync(cacheDir, { recursive: true });
  return withLock(`${slot}.lock`, () => {
    if (isCurrent(slot, root)) {
      fs.cpSync(path.join(slot, 'bundle'), outdir, { recursive: true });
      return 'copied';
    }
    const metafile = bundleFunctionSync({ entry }, outdir);
    store(slot, outdir, fingerprint(metafile, root));
    return 'bundled';
  });
}

/** The bundle cache directory the environment names, if any. */
export function bundleCacheDir(): string | undefined {
  const dir = process.env[BUNDLE_CACHE_VARIABLE];
  return dir === undefined || dir === '' ? undefined : dir;
}

function cacheKey(entry: string, outdir: string, root: string): string {
  const options = functionBuildOptions({ entry: path.relative(root, entry) }, '');
  return sha256(
    JSON.stringify({
      esbuild: ESBUILD_VERSION,
      options: { ...options, outdir: path.relative(path.resolve(outdir), root) },
    }),
  );
}

function isCurrent(slot: string, root: string): boolean {
  let record: CacheRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(slot, 'record.json'), 'utf8')) as CacheRecord;
  } catch {
    return false;
  }
  const recorded = Object.entries(record.fingerprint);
  return (
    recorded.length > 0 && recorded.every(([part, hash]) => fingerprintOf(part, root) === hash)
  );
}

/** Replaces the slot's bundle and record with the build just written to `outdir`. */
function store(slot: string, outdir: string, fingerprint: Record<string, string>): void {
  const staging = `${slot}.${String(process.pid)}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(outdir, path.join(staging, 'bundle'), { recursive: true });
  const record: CacheRecord = { fingerprint };
  fs.writeFileSync(path.join(staging, 'record.json'), JSON.stringify(record));
  fs.rmSync(slot, { recursive: true, force: true });
  fs.renameSync(staging, slot);
}

/**
 * What a build's output depends on besides its options, fingerprinted by part:
 * `file:<path>` (content) for each input and each `package.json` / `tsconfig.json` beside
 * an input or in a parent directory, `dir:<path>` (the names in it) for each of those
 * directories. Paths are relative to the project root.
 */
function fingerprint(metafile: Metafile, root: string): Record<string, string> {
  const files = new Set<string>();
  const directories = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const file = path.resolve(input);
    files.add(file);
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if (directories.has(dir)) break;
      directories.add(dir);
      if (dir === root || dir === path.dirname(dir)) break;
    }
  }
  for (const dir of directories) {
    for (const name of ['package.json', 'tsconfig.json']) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) files.add(file);
    }
  }
  const relative = (p: string) => path.relative(root, p);
  const parts = [
    ...[...files].map((file) => `file:${relative(file)}`),
    ...[...directories].map((dir) => `dir:${relative(dir)}`),
  ].sort();
  return Object.fromEntries(parts.map((part) => [part, fingerprintOf(part, root)]));
}

/** A part's current fingerprint; a file or directory that is gone has none. */
function fingerprintOf(part: string, root: string): string {
  const [kind, relativePath = ''] = part.split(/:(.*)/s);
  const absolute = path.resolve(root, relativePath);
  try {
    return kind === 'dir'
      ? sha256(fs.readdirSync(absolute).sort().join('\n'))
      : sha256(fs.readFileSync(absolute));
  } catch {
    return 'missing';
  }
}

/**
 * Runs `work` holding the lock directory `lock` (mkdir is atomic). Waits while another
 * process holds it, and breaks a lock older than `STALE_LOCK_MS`.
 */
function withLock<T>(lock: string, work: () => T): T {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(sleeper, 0, 0, LOCK_POLL_MS);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}

const sha256 = (data: string | Buffer): string =>
  crypto.createHash('sha256').update(data).digest('hex');
