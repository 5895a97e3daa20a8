import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The esbuild settings of every Newsdesk function, in one place: `NewsdeskFunction`
 * hands them to `NodejsFunction`, and the benchmark (bench/) builds its bundles from
 * the same object, so what it measures is what `cdk synth` ships.
 */

/** esbuild target: the Node.js version of the functions' runtime (`RUNTIME`). */
export const ESBUILD_TARGET = 'node24';

/**
 * An ESM bundle, minified, `module` before `main` (ESM builds of the dependencies), the
 * AWS SDK bundled in (not left to the runtime's copy: measured faster to initialize),
 * no source map, built by the local esbuild.
 */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: ESBUILD_TARGET,
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
  // CommonJS dependencies bundled into ESM may still call require() for Node
  // built-ins; give them one.
  banner:
    "import { createRequire as __newsdeskCreateRequire } from 'node:module'; const require = __newsdeskCreateRequire(import.meta.url);",
  forceDockerBundling: false,
} satisfies nodejs.BundlingOptions;
