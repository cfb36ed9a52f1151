import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions, buildSync, type Metafile } from 'esbuild';

const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * How every function is bundled, defined once: the stack's assets (`ServiceFunction`) and
 * `npm run bench` (bench/cold-start.ts) both build through `bundleFunction*`, so the load
 * time the benchmark prints is the load time of what deploys.
 */

/** The esbuild target of the function bundles: the runtime's Node.js (`FUNCTION_RUNTIME`). */
export const BUNDLE_TARGET = 'node24';

/** The file the runtime loads for the `index.handler` handler. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/**
 * Source maps are written beside the code (`index.mjs.map`, one per chunk, linked), without
 * the sources' text, and the runtime does not apply them (no `--enable-source-maps`).
 * Applying them is paid on every cold start, for stack traces read only when something
 * breaks: measured (`npm run bench`, the "--enable-source-maps" column), the flag adds
 * 20-30 ms to loading these bundles, a quarter of it; before, with CommonJS and maps that
 * carried the sources, it added 21 ms and 8 MiB of maps. Unapplied, linked maps cost
 * nothing at load and keep the way back to the source: `NODE_OPTIONS=--enable-source-maps`
 * set on a function maps its traces from then on, and a logged trace can be mapped
 * offline with the deployed package. Without the sources' text (in the repository at the
 * deployed commit) the maps are about 1 MiB a function, 250 KiB of its zip.
 */
const SOURCE_MAPS = { sourcemap: 'linked', sourcesContent: false } as const;

/**
 * ESM, so code reached only through `import()` (the stripe SDK in the webhook, the AWS
 * SDK's credential providers other than the environment's, the browser user-agent parser
 * `bowser`) is split into chunks that load on first use, never at cold start: a CommonJS
 * bundle inlines every dynamic import, and the runtime parses all of it at load.
 */
const FORMAT: BuildOptions = {
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Packages that ship both prefer their ESM build: it is what esbuild can split and shake.
  mainFields: ['module', 'main'],
  // CommonJS packages bundled into ESM still `require` Node's built-ins.
  banner: {
    js: "import{createRequire as __bundleCreateRequire}from'node:module';const require=__bundleCreateRequire(import.meta.url);",
  },
};

/** What to bundle: a function's entry file, or source text (the benchmark's baselines). */
export type BundleSource =
  { readonly entry: string } | { readonly contents: string; readonly resolveDir: string };

/** The one set of esbuild options for every function (and every benchmark baseline). */
export function functionBuildOptions(source: BundleSource, outdir: string): BuildOptions {
  return {
    ...('entry' in source
      ? { entryPoints: { index: source.entry } }
      : {
          stdin: { contents: source.contents, resolveDir: source.resolveDir, loader: 'ts' },
          entryNames: 'index',
        }),
    outdir,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    minify: true,
    ...FORMAT,
    ...SOURCE_MAPS,
    // The AWS SDK is bundled too (nothing is external): the versions we test are the ones
    // that run, not whatever the runtime happens to carry.
    metafile: true,
    logLevel: 'error',
  };
}

/** Bundles into `outdir` (synchronously: CDK's local bundling cannot wait). */
export function bundleFunctionSync(source: BundleSource, outdir: string): Metafile {
  return finish(buildSync(functionBuildOptions(source, outdir)).metafile, outdir);
}

/** Bundles into `outdir`. */
export async function bundleFunction(source: BundleSource, outdir: string): Promise<Metafile> {
  return finish((await build(functionBuildOptions(source, outdir))).metafile, outdir);
}

/**
 * esbuild names a map's sources relative to the output directory, which is wherever CDK
 * or the benchmark builds: the same code would hash differently from one checkout (or
 * `cdk.out`) to another and deploy again unchanged. They are renamed as if the package's
 * root were the project's (`index.mjs.map` names `lambda/webhook/index.ts`, a chunk's map
 * `../node_modules/...`), so the package depends on the code alone.
 */
function finish(metafile: Metafile | undefined, outdir: string): Metafile {
  if (!metafile) throw new Error('esbuild returned no metafile');
  const posix = (p: string) => `/${p.split(path.sep).join('/')}`;
  for (const output of Object.keys(metafile.outputs)) {
    if (!output.endsWith('.map')) continue;
    const file = path.resolve(output);
    const mapDir = posix(path.relative(outdir, path.dirname(file)));
    const map = JSON.parse(fs.readFileSync(file, 'utf8')) as { sources: string[] };
    map.sources = map.sources.map((source) =>
      path.posix.relative(
        mapDir,
        posix(path.relative(PROJECT_ROOT, path.resolve(path.dirname(file), source))),
      ),
    );
    fs.writeFileSync(file, JSON.stringify(map));
  }
  return metafile;
}
