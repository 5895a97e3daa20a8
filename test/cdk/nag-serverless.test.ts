import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgements, findingsOf, type Synthesized, synthesize } from './synth.ts';

/**
 * cdk-nag's Serverless rule pack, beside AwsSolutions (nag.test.ts): zero unacknowledged
 * findings, and every acknowledgement names one Serverless rule and says why.
 */

let synth: Synthesized;

beforeAll(() => {
  // The rules read the template, not the function code: skip esbuild bundling.
  synth = synthesize({ 'aws:cdk:bundling-stacks': [] });
});

describe('cdk-nag Serverless', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new ServerlessChecks().validateScope(synth.app);
    const findings = findingsOf(report);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every Serverless acknowledgement gives a real reason', () => {
    for (const ack of acknowledgements(synth.stack).filter((a) => a.id.startsWith('Serverless-'))) {
      expect(ack.id, ack.path).toMatch(/^Serverless-[A-Za-z]+\d*(\[.+\])?$/);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    }
  });

  it('is live: a function without a dead-letter queue, tracing or memory settings is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const report = new ServerlessChecks().validateScope(app);
    expect(report.violations.length).toBeGreaterThan(0);
  });
});
