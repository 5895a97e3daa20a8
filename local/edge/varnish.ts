/**
 * Varnish as the local edge (docs/edge.md, test/e2e/edge.test.ts): starting `varnishd` with
 * the project's VCL (local/edge/newsdesk.vcl) in front of the local server, and the
 * EdgePurger that bans what the CloudFront invalidations would purge — the same paths
 * (functions/core/edge/paths.ts), translated to one regex ban.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EdgePurger, pathToRegex } from '../../functions/core/edge/paths.ts';

export const VARNISHD = '/usr/sbin/varnishd';
export const VCL_PATH = fileURLToPath(new URL('./newsdesk.vcl', import.meta.url));

export class VarnishMissingError extends Error {
  override name = 'VarnishMissingError';
  constructor() {
    super(
      `${VARNISHD} not found: install Debian's varnish package (apt-get install varnish) to run the edge test`,
    );
  }
}

/** Purges by one BAN request: every path as an anchored regex on the URL, alternated. */
export class VarnishPurger implements EdgePurger {
  /** @param url Varnish's base URL (http://127.0.0.1:PORT). */
  constructor(private readonly url: string) {}

  async purge(paths: readonly string[], _callerReference: string): Promise<void> {
    if (paths.length === 0) return;
    const regex = `(${paths.map(pathToRegex).join('|')})`;
    const response = await fetch(`${this.url}/`, { method: 'BAN', headers: { 'X-Ban-Url': regex } });
    if (response.status !== 200) {
      throw new Error(`Varnish refused the ban (${response.status}): ${await response.text()}`);
    }
  }
}

export interface RunningVarnish {
  readonly url: string;
  readonly pid: number;
  output(): string;
  /** Stops varnishd (SIGTERM, then SIGKILL) and removes its work directory. */
  stop(): Promise<void>;
}

/**
 * Starts `varnishd -F` (foreground: it dies with its parent's kill) on 127.0.0.1:port with
 * the VCL pointing at the backend port, no default TTL (`-t 0`, CloudFront's defaultTtl 0)
 * and 32 MB of memory storage, in a temporary work directory (`-n`). Run as root, varnishd
 * drops privileges to the `varnish`/`vcache` users of Debian's package (its default jail);
 * as any other user it needs `-j none`.
 */
export async function startVarnish(options: { port: number; backendPort: number }): Promise<RunningVarnish> {
  if (!existsSync(VARNISHD)) throw new VarnishMissingError();
  const workDir = mkdtempSync(join(tmpdir(), 'newsdesk-varnish-'));
  const vcl = join(workDir, 'newsdesk.vcl');
  const source = readFileSync(VCL_PATH, 'utf8');
  if (!source.includes('.port = "3000";')) throw new Error(`${VCL_PATH}: no backend port line to set`);
  writeFileSync(vcl, source.replace('.port = "3000";', `.port = "${options.backendPort}";`));
  const root = process.getuid?.() === 0;
  const args = [
    '-F',
    '-a',
    `127.0.0.1:${options.port}`,
    '-f',
    vcl,
    '-n',
    workDir,
    '-s',
    'malloc,32m',
    '-t',
    '0',
    '-p',
    'default_grace=0',
    '-p',
    'default_keep=0',
    // The management port on loopback only, chosen by the kernel.
    '-T',
    '127.0.0.1:0',
    ...(root ? [] : ['-j', 'none']),
  ];
  if (root) {
    // Debian's jail runs the cache as vcache: it must be able to read the work directory.
    chmodSync(workDir, 0o755);
  }
  const child: ChildProcess = spawn(VARNISHD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  // Ready when it answers (any status) on its port.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`varnishd exited (${child.exitCode}) before answering:\n${output}`);
    }
    try {
      await fetch(`${url}/`, { method: 'HEAD', signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`varnishd did not answer on ${url} within 20 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, pid: child.pid ?? -1, output: () => output, stop };
}
