/**
 * `cdk synth` into a given output directory, with the project's CLI (node_modules/aws-cdk)
 * so cdk.json's app command and context apply exactly as for `cdk deploy`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/paths.ts';

export class SynthError extends Error {
  override name = 'SynthError';
}

/** Runs `cdk synth --quiet --output <outDir>`; rejects with the CLI's output when it fails. */
export function synthesize(outDir: string, context: Readonly<Record<string, string>> = {}): Promise<void> {
  const args = [join(PROJECT_ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', outDir];
  for (const [key, value] of Object.entries(context)) args.push('--context', `${key}=${value}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new SynthError(`cdk synth could not start: ${error.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new SynthError(`cdk synth failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
