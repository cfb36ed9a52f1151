import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleFunctionSyncCached } from '../../../lib/bundle-cache';
import { bundleFunctionSync } from '../../../lib/bundling';

/**
 * The bundle cache gives back exactly what esbuild would write now, and bundles again
 * whenever what the bundle is built from changes: an input's content, a file that would
 * be resolved instead, or the way from the output directory to the sources.
 */

let scratch: string;
let project: string;
let cacheDir: string;
let outdirs = 0;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
  project = path.join(scratch, 'project');
  cacheDir = path.join(scratch, 'cache');
  write('index.ts', "import { answer } from './answer';\nexport const handler = () => answer;\n");
  write('answer.ts', 'export const answer = 42;\n');
  write('package.json', '{}');
});
afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  fs.writeFileSync(path.join(project, file), text);
}

/** A new, empty output directory `under` the scratch directory. */
function newOutdir(under = '.'): string {
  outdirs += 1;
  const outdir = path.join(scratch, under, `out-${String(outdirs)}`);
  fs.mkdirSync(outdir, { recursive: true });
  return outdir;
}

/** Bundles the project's entry through the cache: what the cache did, and the files. */
function bundle(entry = 'index.ts', outdir = newOutdir()) {
  const outcome = bundleFunctionSyncCached(path.join(project, entry), outdir, cacheDir, project);
  return { outcome, files: filesOf(outdir) };
}

/** What esbuild writes for the entry, without the cache. */
function fresh(entry = 'index.ts', outdir = newOutdir()): Record<string, string> {
  bundleFunctionSync({ entry: path.join(project, entry) }, outdir);
  return filesOf(outdir);
}

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((file) => fs.statSync(path.join(dir, file)).isFile())
      .map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]),
  );
}

describe('bundleFunctionSyncCached', () => {
  it('bundles once, then copies the same files esbuild writes', () => {
    const first = bundle();
    const second = bundle();
    expect(first.outcome).toBe('bundled');
    expect(second.outcome).toBe('copied');
    expect(second.files).toEqual(fresh());
    expect(Object.keys(second.files)).toEqual(expect.arrayContaining(['index.mjs']));
  });

  it('bundles again when an input changes', () => {
    bundle();
    write('answer.ts', 'export const answer = 43;\n');
    const changed = bundle();
    expect(changed.outcome).toBe('bundled');
    expect(changed.files['index.mjs']).toContain('43');
    expect(bundle().outcome).toBe('copied');
  });

  it('bundles again when a new file would be resolved instead', () => {
    bundle();
    // esbuild tries .tsx before .ts: `./answer` is now this file.
    write('answer.tsx', 'export const answer = 44;\n');
    const shadowed = bundle();
    expect(shadowed.outcome).toBe('bundled');
    expect(shadowed.files['index.mjs']).toContain('44');
  });

  it('bundles again when a package.json beside an input changes', () => {
    bundle();
    write('package.json', JSON.stringify({ type: 'module' }));
    expect(bundle().outcome).toBe('bundled');
  });

  it('keeps an entry per way from the output directory to the sources (chunk names depend on it)', () => {
    // A chunk loaded on first use: its name carries a hash of its source map.
    write('lazy.ts', "export const handler = async () => (await import('./answer')).answer;\n");
    const shallow = bundle('lazy.ts');
    const deeper = bundle('lazy.ts', newOutdir('one/deeper'));
    expect(deeper.outcome).toBe('bundled');
    expect(deeper.files).toEqual(fresh('lazy.ts', newOutdir('one/deeper')));
    expect(Object.keys(deeper.files)).not.toEqual(Object.keys(shallow.files));
    expect(bundle('lazy.ts').outcome).toBe('copied');
  });

  it('keeps one entry per function', () => {
    write('other.ts', 'export const handler = () => 1;\n');
    expect(bundle().outcome).toBe('bundled');
    expect(bundle('other.ts').outcome).toBe('bundled');
    expect(bundle().outcome).toBe('copied');
    expect(bundle('other.ts').outcome).toBe('copied');
  });

  it('breaks a lock left by a process that died while bundling', () => {
    bundle();
    const [slot] = fs.readdirSync(cacheDir);
    const lock = path.join(cacheDir, `${slot ?? ''}.lock`);
    fs.mkdirSync(lock);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(lock, longAgo, longAgo);
    expect(bundle().outcome).toBe('copied');
    expect(fs.existsSync(lock)).toBe(false);
  });
});
