import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgements, findingsOf, type Synthesized, synthesize } from './synth.ts';

/**
 * cdk-nag v3 runs as a policy-validation plugin (not an Aspect writing annotations):
 * `validateScope` returns the unacknowledged findings, errors and warnings alike.
 * Acknowledgements are `Validations.of(construct).acknowledge({ id, reason })`.
 */

let synth: Synthesized;

beforeAll(() => {
  // The checks read resources, not bundles: skip esbuild here (stack.test.ts builds them).
  synth = synthesize({ 'aws:cdk:bundling-stacks': [] });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    const findings = findingsOf(report);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names a rule and gives a real reason', () => {
    const acks = acknowledgements(synth.stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/(AwsSolutions-[A-Z]+\d+|Serverless-[A-Za-z]+)/);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    }
  });

  it('wildcard acknowledgements are narrowed to a finding, never a whole rule', () => {
    for (const ack of acknowledgements(synth.stack).filter((a) => a.id.includes('IAM5'))) {
      expect(ack.id).toMatch(/AwsSolutions-IAM5\[Resource::.+\]$/);
    }
  });

  it('is live: an unacknowledged wildcard policy is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
  });
});
