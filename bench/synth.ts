import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { NewsdeskStack } from '../lib/newsdesk-stack.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

/**
 * The deployed shape of each function, read from the synthesized template (cdk.json's
 * context, as `cdk synth` uses it): its environment variables, memory, runtime, and,
 * when bundling, the bundle CDK built.
 */

export interface SynthesizedFunction {
  /** Route id (the construct id in the stack). */
  readonly id: string;
  /** Environment variables; CloudFormation references are left as JSON (see `resolveEnvironment`). */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly memorySize: number;
  readonly runtime: string;
  /** The bundle CDK built (only with `bundle: true`). */
  readonly bundle: Buffer | undefined;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context');
  }
  return cdkJson.context as Record<string, unknown>;
}

/**
 * Synthesizes the stack into a temporary directory. Without `bundle`, bundling is skipped
 * (`aws:cdk:bundling-stacks: []`), which takes seconds instead of a minute.
 */
export function synthesizeFunctions({ bundle }: { bundle: boolean }): SynthesizedFunction[] {
  const outdir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-synth-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...cdkJsonContext(),
        // As the CLI does: record construct paths and asset staging paths in the template.
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
        ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      },
    });
    const stack = new NewsdeskStack(app, 'Newsdesk');
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, TemplateResource>;
    };
    const functions: SynthesizedFunction[] = [];
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const path = String(resource.Metadata?.['aws:cdk:path'] ?? '');
      // Newsdesk/<RouteId>/Function/Resource
      const match = /^[^/]+\/([^/]+)\/Function\/Resource$/.exec(path);
      if (match?.[1] === undefined) continue;
      const props = resource.Properties ?? {};
      const environment = (props.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      functions.push({
        id: match[1],
        environment: environment ?? {},
        memorySize: Number(props.MemorySize ?? 128),
        runtime: String(props.Runtime),
        bundle:
          bundle && typeof assetPath === 'string'
            ? readFileSync(join(outdir, assetPath, 'index.mjs'))
            : undefined,
      });
    }
    return functions;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
