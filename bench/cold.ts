import { execFile } from 'node:child_process';
import { rotate } from './stats.ts';

/**
 * Cold init: the time a fresh Node process takes to import a bundle (module loading,
 * parsing, compiling and running its top-level code — what Lambda's INIT phase runs),
 * measured inside the child from just before `import()` to its resolution.
 */

/** The child: `node --input-type=module -e CHILD <bundle>`. */
const CHILD = [
  "import { pathToFileURL } from 'node:url';",
  'const url = pathToFileURL(process.argv[1]).href;',
  'const cpuStart = process.cpuUsage();',
  'const start = performance.now();',
  'const module = await import(url);',
  'const initMs = performance.now() - start;',
  'const cpu = process.cpuUsage(cpuStart);',
  "if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');",
  'process.stdout.write(JSON.stringify({ initMs, cpuMs: (cpu.user + cpu.system) / 1000 }));',
].join('\n');

export interface ColdSubject {
  readonly id: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface ColdSample {
  /** Wall-clock milliseconds from `import()` to its resolution. */
  readonly wallMs: number;
  /** CPU milliseconds (user + system, all threads) spent meanwhile. */
  readonly cpuMs: number;
}

/** Imports `subject.file` in a fresh process and times it. */
export function coldStartOnce(subject: ColdSubject): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD, subject.file],
      { env: subject.env, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`cold start of ${subject.id} failed: ${error.message}\n${stderr}`));
          return;
        }
        const parsed: unknown = JSON.parse(stdout);
        if (typeof parsed !== 'object' || parsed === null || !('initMs' in parsed) || !('cpuMs' in parsed)) {
          reject(new Error(`cold start of ${subject.id}: unexpected output ${stdout}`));
          return;
        }
        resolve({ wallMs: Number(parsed.initMs), cpuMs: Number(parsed.cpuMs) });
      },
    );
  });
}

export interface ColdPair {
  /** The function's sample. */
  readonly subject: ColdSample;
  /** The reference's sample taken right beside it. */
  readonly reference: ColdSample;
}

/**
 * `runs` rounds; in each round every function is started in a fresh process right beside
 * a fresh process of the reference (which one goes first alternates), functions in an
 * order rotated every round. Each function's sample thus has a reference sample taken
 * within a second of it, and their ratio cancels whatever load the machine had then.
 * Returns the pairs by function id.
 */
export async function measureColdStarts(
  reference: ColdSubject,
  subjects: readonly ColdSubject[],
  runs: number,
  onRound?: (round: number) => void,
): Promise<Map<string, ColdPair[]>> {
  const pairs = new Map<string, ColdPair[]>(subjects.map((subject) => [subject.id, []]));
  // One unmeasured round first: the page cache then holds node and every bundle.
  for (const subject of [reference, ...subjects]) await coldStartOnce(subject);
  for (let round = 0; round < runs; round++) {
    for (const [index, subject] of rotate(subjects, round).entries()) {
      const referenceFirst = (round + index) % 2 === 0;
      const first = await coldStartOnce(referenceFirst ? reference : subject);
      const second = await coldStartOnce(referenceFirst ? subject : reference);
      pairs
        .get(subject.id)
        ?.push(
          referenceFirst ? { reference: first, subject: second } : { reference: second, subject: first },
        );
    }
    onRound?.(round + 1);
  }
  return pairs;
}
