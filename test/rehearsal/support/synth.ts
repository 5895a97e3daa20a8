/**
 * One `cdk synth` per test run, shared by every test file that rehearses the stack:
 * vitest's forks share their parent (the vitest process), so the assembly is kept under
 * `.vitest-tmp/rehearsal-<vitest pid>/`; the first file to ask synthesizes it (holding a
 * lock directory), the others wait for its `done` marker. Assemblies of runs whose vitest
 * is gone are removed.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../../../rehearsal/synth.ts';
import type { CfnTemplate } from '../../../rehearsal/template.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BASE = join(ROOT, '.vitest-tmp');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function removeStale(): void {
  if (!existsSync(BASE)) return;
  for (const name of readdirSync(BASE)) {
    const pid = /^rehearsal-(\d+)(?:[-.].*)?$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.ppid && !alive(Number(pid))) {
      rmSync(join(BASE, name), { recursive: true, force: true });
    }
  }
}

/** The run's cloud assembly directory (synthesized on first use). */
export async function sharedCdkOut(): Promise<string> {
  const dir = join(BASE, `rehearsal-${process.ppid}`);
  const done = join(dir, 'done');
  const lock = `${dir}.lock`;
  if (existsSync(done)) return join(dir, 'cdk.out');
  mkdirSync(BASE, { recursive: true });
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // another test file is synthesizing
  }
  if (owner) {
    try {
      removeStale();
      rmSync(dir, { recursive: true, force: true });
      await synthesize(join(dir, 'cdk.out'));
      writeFileSync(done, new Date().toISOString());
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  } else {
    const deadline = Date.now() + 180_000;
    while (!existsSync(done)) {
      if (!existsSync(lock) && !existsSync(done))
        throw new Error('the shared cdk synth failed in another test file');
      if (Date.now() > deadline) throw new Error('timed out waiting for the shared cdk synth');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return join(dir, 'cdk.out');
}

/** A private copy of the run's assembly whose template `mutate` may change. */
export async function mutatedCdkOut(name: string, mutate: (template: CfnTemplate) => void): Promise<string> {
  const source = await sharedCdkOut();
  const target = join(BASE, `rehearsal-${process.ppid}-${name}-${process.pid}`);
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  const file = join(target, 'Newsdesk.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  mutate(template);
  writeFileSync(file, JSON.stringify(template, null, 1));
  return target;
}
