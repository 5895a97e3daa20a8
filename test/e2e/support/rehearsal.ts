import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { formatReport, type Rehearsal, startRehearsal } from '../../../rehearsal/rehearsal.ts';
import { sharedCdkOut } from '../../rehearsal/support/synth.ts';

/**
 * A deploy rehearsal for the enclosing `describe`: started before its tests on the run's
 * shared synth and DynamoDB Local, closed after them. Returns the running rehearsal.
 */
export function useRehearsal(): () => Rehearsal {
  let rehearsal: Rehearsal | undefined;
  /** The gateway's request lines and the functions' logs, shown when the verdict fails. */
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
  return () => {
    if (rehearsal === undefined) throw new Error('the rehearsal has not started');
    return rehearsal;
  };
}

/** "Any denial fails the run": the verdict over everything the tests before it made the functions do. */
export function itSawNoDenial(rehearsal: () => Rehearsal): void {
  it('saw no IAM denial and no function error', () => {
    const report = rehearsal().report();
    expect(report.ok, formatReport(report)).toBe(true);
  });
}
