import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { NewsdeskStack } from '../../lib/newsdesk-stack.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';

/** The context of cdk.json (defaults and feature flags), as `cdk synth` sees it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context');
  }
  return cdkJson.context as Record<string, unknown>;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: NewsdeskStack;
  readonly template: Template;
}

/**
 * Builds the real stack (real esbuild bundling) with cdk.json's context, plus
 * `overrides`, and synthesizes it once.
 */
export function synthesize(overrides: Record<string, unknown> = {}): Synthesized {
  const app = new App({
    // As the CLI does: record each asset's staging path, so tests can open the bundles.
    context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true, ...overrides },
  });
  const stack = new NewsdeskStack(app, 'Newsdesk');
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every cdk-nag acknowledgement (`Validations.of(x).acknowledge`) below `root`. */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

/** A rule pack's unacknowledged findings, one readable line each. */
export function findingsOf(report: PolicyValidationPluginReport): string[] {
  return report.violations.map(
    (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}
