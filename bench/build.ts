import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { BUNDLING } from '../lib/bundling.ts';
import { NewsdeskStack } from '../lib/newsdesk-stack.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const OUT_DIR = join(PROJECT_ROOT, 'bench', '.out');

export interface Bundle {
  readonly file: string;
  readonly bytes: number;
}

/**
 * Bundles `entry` with the esbuild options CDK's NodejsFunction derives from Newsdesk's
 * BUNDLING (aws-lambda-nodejs Bundling.buildEsbuildArgs), so the bytes are those `cdk synth` ships.
 */
export async function buildBundle(id: string, entry: string): Promise<Bundle> {
  const file = join(OUT_DIR, id, 'index.mjs');
  const { metafile } = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: BUNDLING.bundleAwsSDK ? [] : ['@aws-sdk/*'],
    outfile: file,
    metafile: true,
    logLevel: 'warning',
  });
  // For a look at what a bundle holds: https://esbuild.github.io/analyze/
  writeFileSync(join(OUT_DIR, id, 'meta.json'), JSON.stringify(metafile));
  return { file, bytes: readFileSync(file).length };
}

/** Bundles one of the bench's own child programs so that it runs on plain `node`, without a TypeScript loader. */
export async function buildHelper(entry: string): Promise<string> {
  const outfile = join(OUT_DIR, 'helpers', entry.replace(/^.*\/|\.ts$/g, ''), 'index.mjs');
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

/** Values for the template's CloudFormation references; any other reference is an error. */
const REFERENCES: Readonly<Record<string, string>> = {
  TABLE_NAME: 'Newsdesk-ArticlesTable-BENCH',
  CURSOR_SECRET: 'BenchCursorSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK',
  // The preview key's secret: answered by the bench's stub (bench/dynamodb.ts).
  PREVIEW_KEY_SECRET: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:newsdesk-preview-BENCH',
};

/**
 * Each function's environment in Lambda, by route id: the variables of the synthesized
 * template (synthesized without bundling, which takes seconds) plus those the Lambda
 * runtime sets, with dummy credentials, and nothing from this process.
 */
export function lambdaEnvironments(): Map<string, Record<string, string>> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: object };
  const outdir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-synth-'));
  const app = new App({
    outdir,
    context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new NewsdeskStack(app, 'Newsdesk');
  const resources = app.synth().getStackByName(stack.stackName).template.Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  rmSync(outdir, { recursive: true, force: true });
  const environments = new Map<string, Record<string, string>>();
  for (const { Type, Properties, Metadata } of Object.values(resources)) {
    const id = /^[^/]+\/([^/]+)\/Function\/Resource$/.exec(String(Metadata?.['aws:cdk:path']))?.[1];
    if (Type !== 'AWS::Lambda::Function' || id === undefined) continue;
    const variables = (Properties.Environment as { Variables?: Record<string, unknown> }).Variables ?? {};
    environments.set(id, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: `AWS_Lambda_${String(Properties.Runtime)}`,
      AWS_LAMBDA_FUNCTION_NAME: `Newsdesk-${id}-BENCH`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(Properties.MemorySize ?? 128),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      _X_AMZN_TRACE_ID: 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1',
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
      AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/benc',
      AWS_SESSION_TOKEN: 'BenchSessionToken',
      // Lambda runs Node 24; the SDK's warning for older versions would only add noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...Object.fromEntries(
        Object.entries(variables).map(([name, value]) => {
          const resolved = typeof value === 'string' ? value : REFERENCES[name];
          if (resolved === undefined) throw new Error(`${id}: no bench value for the reference ${name}`);
          return [name, resolved];
        }),
      ),
    });
  }
  return environments;
}
