import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The runnable bin (registers tsx itself, so it works from any directory). */
export const BIN = fileURLToPath(new URL('../../../cli/newsdesk.mjs', import.meta.url));

export interface CliTarget {
  /** The scratch directory the CLI runs in (also its HOME). */
  readonly work: string;
  readonly url: string;
  readonly region: string;
  readonly editor: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a child process against `target`, with only the credentials given (no shared AWS
 * config or credentials files, no instance metadata), its output collected as it comes.
 */
export function spawnCli(
  target: CliTarget,
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: target.work,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: target.work,
      AWS_CONFIG_FILE: path.join(target.work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(target.work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: target.editor.accessKeyId,
      AWS_SECRET_ACCESS_KEY: target.editor.secretAccessKey,
      AWS_REGION: target.region,
      NEWSDESK_ENDPOINT: target.url,
      NODE_OPTIONS: '',
      ...env,
    },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  return Object.assign(child, { out: () => out, err: () => err });
}

/** Runs the CLI to its end (asynchronously: the server may live in this process). */
export function runCli(
  target: CliTarget,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(target, args, env);
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: child.out(), stderr: child.err() }));
  });
}
