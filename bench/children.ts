import { type ChildProcess, fork } from 'node:child_process';
import { PROJECT_ROOT } from '../lib/paths.ts';

/** Child processes of the bench that talk over IPC, one request at a time. */

export interface IpcChild<Request, Reply> {
  readonly process: ChildProcess;
  request(message: Request): Promise<Reply>;
  /** The next message the child sends of its own accord (e.g. that it is ready). */
  waitFor(): Promise<Reply>;
  /** Disconnects (the child exits) and waits for the exit; kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function forkChild<Request, Reply>(
  file: string,
  env: Readonly<Record<string, string>>,
  { quiet, execArgv = [] }: { quiet: boolean; execArgv?: string[] },
): IpcChild<Request, Reply> {
  const child = fork(file, [], {
    cwd: PROJECT_ROOT,
    env,
    execArgv,
    // Handlers log one line per request to stdout, as in Lambda; here nobody reads it.
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const next = (send: () => void): Promise<Reply> =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error(`${file}: the child process has exited`));
        return;
      }
      const onMessage = (reply: Reply) => {
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        child.off('message', onMessage);
        reject(new Error(`${file}: the child process exited (${code ?? signal})`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      send();
    });
  return {
    process: child,
    request: (message: Request) => next(() => child.send(message as object)),
    waitFor: () => next(() => {}),
    stop(graceMs = 2_000): Promise<void> {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.disconnect();
        else child.kill('SIGTERM');
      });
    },
  };
}
