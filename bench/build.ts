import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Format, type Metafile } from 'esbuild';
import { BUNDLING } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

/**
 * Builds bundles exactly as `cdk synth` does for a `NodejsFunction` with Newsdesk's
 * `BUNDLING` (lib/bundling.ts). CDK runs, from the project root,
 *   esbuild --bundle <entry> --target=<target> --platform=node --format=<format>
 *     --outfile=<asset>/index.mjs [--minify] [--external:<m> …] [--banner:js=…]
 *     [--main-fields=…]
 * (aws-cdk-lib/aws-lambda-nodejs Bundling.buildEsbuildArgs); `esbuildOptions` is the same
 * command in esbuild's API, plus a metafile (which does not change the output).
 * `bench/run.ts --verify-synth` checks the claim byte for byte against a real synth.
 */

export const BENCH_DIR = join(PROJECT_ROOT, 'bench');
/** Build output of the bench (git-ignored). */
export const OUT_DIR = join(BENCH_DIR, '.out');
/** esbuild metafiles, one per function (git-ignored). */
export const META_DIR = join(BENCH_DIR, 'meta');

/** CDK's default externals when the SDK is not bundled (feature flag off: `@aws-sdk/*` only). */
const SDK_EXTERNALS = ['@aws-sdk/*'];

function esbuildFormat(): Format {
  const format = String(BUNDLING.format);
  if (format !== 'esm' && format !== 'cjs') throw new Error(`unexpected bundling format ${format}`);
  return format;
}

/** The esbuild options `cdk synth` uses for `entry` (relative to the project root). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    target: BUNDLING.target,
    platform: 'node',
    format: esbuildFormat(),
    outfile,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    external: BUNDLING.bundleAwsSDK ? [] : SDK_EXTERNALS,
    banner: { js: BUNDLING.banner },
    mainFields: [...BUNDLING.mainFields],
    metafile: true,
    logLevel: 'warning',
  };
}

export interface BuiltBundle {
  readonly id: string;
  readonly entry: string;
  /** Absolute path of the bundle. */
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sha256: string;
  /** Where the metafile was written, relative to the project root. */
  readonly metaFile: string;
  /** The heaviest packages (or source files) in the bundle, bytes in the minified output. */
  readonly topInputs: readonly { readonly name: string; readonly bytes: number }[];
}

/** `…/node_modules/@scope/name/…` → `@scope/name` (the innermost package); own files stay as they are. */
export function packageOf(input: string): string {
  const matches = [...input.matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return matches.at(-1)?.[1] ?? input;
}

/** Bytes in the output by package (or own file), heaviest first. */
export function bytesByPackage(metafile: Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/** Builds one function's bundle to bench/.out/<id>/index.mjs and its metafile to bench/meta/<id>.json. */
export async function buildFunction(id: string, entry: string): Promise<BuiltBundle> {
  const file = join(OUT_DIR, id, esbuildFormat() === 'esm' ? 'index.mjs' : 'index.js');
  mkdirSync(join(OUT_DIR, id), { recursive: true });
  mkdirSync(META_DIR, { recursive: true });
  const { metafile } = await build(esbuildOptions(entry, file));
  if (metafile === undefined) throw new Error('esbuild returned no metafile');
  const metaPath = join(META_DIR, `${id}.json`);
  writeFileSync(metaPath, JSON.stringify(metafile));
  const code = readFileSync(file);
  return {
    id,
    entry,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    sha256: createHash('sha256').update(code).digest('hex'),
    metaFile: relative(PROJECT_ROOT, metaPath),
    topInputs: bytesByPackage(metafile).slice(0, 12),
  };
}

/**
 * Bundles one of the bench's own helper programs (children it spawns: warm-up invoker,
 * DynamoDB stub) so they run on plain `node`, with no TypeScript loader in the process
 * being measured.
 */
export async function buildHelper(entry: string, name: string): Promise<string> {
  const outfile = join(OUT_DIR, 'helpers', `${name}.mjs`);
  await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
