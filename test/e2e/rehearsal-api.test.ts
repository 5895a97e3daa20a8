/**
 * The API contract tests (support/api-suite.ts) against the deploy rehearsal: the stack as
 * `cdk synth` makes it (the run's one shared synth), its bundles from the cloud assembly,
 * API Gateway emulated from the template, on the run's DynamoDB Local with the table the
 * template defines. "Any denial fails the run": after the suite, the rehearsal must have
 * seen no IAM denial and no function error.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatReport, type Rehearsal, startRehearsal } from '../../rehearsal/rehearsal.ts';
import { sharedCdkOut } from '../rehearsal/support/synth.ts';
import { apiContractSuite } from './support/api-suite.ts';

let rehearsal: Rehearsal;
/** The gateway's request lines and the functions' logs, shown when a test needs them. */
const lines: string[] = [];

beforeAll(async () => {
  rehearsal = await startRehearsal({
    cdkOut: await sharedCdkOut(),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    log: (line) => {
      lines.push(line);
      if (lines.length > 500) lines.shift();
    },
  });
}, 240_000);

afterAll(async () => {
  await rehearsal?.close();
});

describe('the API contract, rehearsed', () => {
  apiContractSuite(() => ({ url: rehearsal.url, credentials: rehearsal.editor }));
});

describe('the rehearsal itself', () => {
  it('serves under the stage, like the stack output ApiUrl', () => {
    expect(rehearsal.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('answers a path outside the stage as API Gateway does (403, no gateway response)', async () => {
    const response = await fetch(rehearsal.url.replace(/\/v1$/, '/articles'));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  // Last: the verdict over everything the suite above made the functions do.
  it('saw no IAM denial and no function error', () => {
    const report = rehearsal.report();
    expect(report.ok, `${formatReport(report)}\n\nlast log lines:\n${lines.slice(-30).join('\n')}`).toBe(
      true,
    );
  });
});
