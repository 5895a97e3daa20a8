/**
 * The API contract tests (support/api-suite.ts) against the deploy rehearsal: the stack as
 * `cdk synth` makes it (the run's one shared synth), its bundles from the cloud assembly,
 * API Gateway emulated from the template, on the run's DynamoDB Local with the table the
 * template defines. "Any denial fails the run": after the suite, the rehearsal must have
 * seen no IAM denial and no function error.
 */
import { describe, expect, it } from 'vitest';
import { apiContractSuite } from './support/api-suite.ts';
import { itSawNoDenial, useRehearsal } from './support/rehearsal.ts';

const rehearsed = useRehearsal();

describe('the API contract, rehearsed', () => {
  apiContractSuite(() => ({ url: rehearsed().url, credentials: rehearsed().editor }));
});

describe('the rehearsal itself', () => {
  it('serves under the stage, like the stack output ApiUrl', () => {
    expect(rehearsed().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('answers a path outside the stage as API Gateway does (403, no gateway response)', async () => {
    const response = await fetch(rehearsed().url.replace(/\/v1$/, '/articles'));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  // Last: the verdict over everything the suite above made the functions do.
  itSawNoDenial(rehearsed);
});
