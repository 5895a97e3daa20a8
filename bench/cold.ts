import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LambdaBundle } from './lambda.ts';
import { median } from './stats.ts';

// Times the import of a bundle in a fresh node process: loading, compiling and running its
// top-level code, which is what Lambda's INIT phase does before the first invocation.
const CHILD = `
const start = performance.now();
const module = await import(process.argv[1]);
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(String(performance.now() - start));`;

export interface ColdSubject extends LambdaBundle {
  readonly id: string;
}

export interface ColdResult {
  readonly medianMs: number;
  /** Median of the ratios of each sample to the reference's sample taken right beside it. */
  readonly ratio: number;
}

async function initMs({ file, env }: ColdSubject): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD, file], {
    env,
    timeout: 30_000,
  });
  return Number(stdout);
}

/**
 * `runs` rounds in which every subject starts right beside the reference (which goes first
 * alternates), so that each ratio compares two samples taken under the same machine load.
 */
export async function measureCold(
  reference: ColdSubject,
  subjects: readonly ColdSubject[],
  runs: number,
): Promise<Map<string, ColdResult>> {
  // An unmeasured round first, so that the page cache holds node and every bundle.
  for (const subject of [reference, ...subjects]) await initMs(subject);
  const samples = new Map(subjects.map((subject) => [subject.id, [] as { ms: number; ratio: number }[]]));
  const referenceSamples: number[] = [];
  for (let round = 0; round < runs; round++) {
    for (const [index, subject] of subjects.entries()) {
      const referenceFirst = (round + index) % 2 === 0;
      const first = await initMs(referenceFirst ? reference : subject);
      const second = await initMs(referenceFirst ? subject : reference);
      const [ms, referenceMs] = referenceFirst ? [second, first] : [first, second];
      samples.get(subject.id)?.push({ ms, ratio: ms / referenceMs });
      referenceSamples.push(referenceMs);
    }
  }
  return new Map([
    [reference.id, { medianMs: median(referenceSamples), ratio: 1 }],
    ...[...samples].map(([id, list]): [string, ColdResult] => [
      id,
      { medianMs: median(list.map((s) => s.ms)), ratio: median(list.map((s) => s.ratio)) },
    ]),
  ]);
}
