/**
 * The local server as a child process (`node --import tsx bin/local-server.ts`, what
 * `npm start` runs), on a random port and a temporary data dir, plus a SigV4-signing
 * fetch for its editor routes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedFetch as signWithSdk } from '../../support/sigv4.ts';
import { type Child, childEnv, killChild, spawnNode, spawnTsx, waitUntilGone } from './process.ts';

export interface StartedServer {
  readonly child: Child;
  readonly url: string;
  readonly dataDir: string;
  /** Java pid when the server started DynamoDB Local itself. */
  readonly javaPid: number | undefined;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface ServerOptions {
  readonly dataDir?: string;
  /** Use this DynamoDB endpoint (no Java); omit to let the server start DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  readonly tableName?: string;
  readonly env?: Record<string, string | undefined>;
  /** Run through the tsx CLI (`tsx bin/local-server.ts`, exactly `npm start`) instead of `node --import tsx`. */
  readonly viaTsxCli?: boolean;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'newsdesk-e2e-'));
}

export async function startServer(options: ServerOptions = {}): Promise<StartedServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const env = childEnv({
    PORT: '0',
    NEWSDESK_DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    NEWSDESK_TABLE_NAME: options.tableName,
    // The vitest env's handler settings must not leak into the server: it sets its own.
    TABLE_NAME: undefined,
    CURSOR_SECRET: undefined,
    NEWSDESK_EDITOR_ACCESS_KEY_ID: undefined,
    NEWSDESK_EDITOR_SECRET_ACCESS_KEY: undefined,
    ...options.env,
  });
  const child = options.viaTsxCli ? spawnTsxCli(env) : spawnTsx(['bin/local-server.ts'], env);
  try {
    const ready = await child.waitFor(/Newsdesk local API ready at (http:\/\/127\.0\.0\.1:\d+)/, 90_000);
    await child.waitFor(/Stop with Ctrl-C\./, 5_000);
    const url = ready[1] ?? '';
    const java = /Java pid (\d+)/.exec(child.output());
    const keyId = /editor key\s+(\S+)/.exec(child.output())?.[1] ?? '';
    const credentials =
      env.NEWSDESK_EDITOR_SECRET_ACCESS_KEY !== undefined
        ? { accessKeyId: keyId, secretAccessKey: env.NEWSDESK_EDITOR_SECRET_ACCESS_KEY }
        : (JSON.parse(readFileSync(join(dataDir, 'editor-credentials.json'), 'utf8')) as {
            accessKeyId: string;
            secretAccessKey: string;
          });
    return { child, url, dataDir, javaPid: java === null ? undefined : Number(java[1]), credentials };
  } catch (error) {
    await killChild(child);
    throw error;
  }
}

function spawnTsxCli(env: NodeJS.ProcessEnv): Child {
  // node_modules/tsx/dist/cli.mjs is what `npm start` (`tsx bin/local-server.ts`) runs.
  return spawnNode(['node_modules/tsx/dist/cli.mjs', 'bin/local-server.ts'], env);
}

/** Stops a server with a signal and checks the exit; returns whether its Java is gone. */
export async function stopServer(
  server: StartedServer | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; javaGone: boolean }> {
  if (server === undefined) return { code: null, javaGone: true };
  server.child.process.kill(signal);
  const exited = await Promise.race([
    server.child.exited(),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000)),
  ]);
  if (exited === undefined) await killChild(server.child);
  const javaGone = server.javaPid === undefined ? true : await waitUntilGone(server.javaPid, 8_000);
  return { code: exited?.code ?? null, javaGone };
}

export interface SignOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly signingDate?: Date;
  /** Send this body instead of the one signed (tampering). */
  readonly sendBody?: string | Buffer;
  /** Add X-Amz-Content-Sha256 (as many SDK signers do). */
  readonly contentSha?: boolean;
}

/** fetch() with a SigV4 signature (test/support/sigv4.ts) by the server's editor, or the keys given. */
export function signedFetch(
  server: Pick<StartedServer, 'credentials'>,
  url: string,
  { accessKeyId, secretAccessKey, contentSha, ...options }: SignOptions = {},
): Promise<Response> {
  const credentials = {
    accessKeyId: accessKeyId ?? server.credentials.accessKeyId,
    secretAccessKey: secretAccessKey ?? server.credentials.secretAccessKey,
  };
  return signWithSdk(credentials, url, { ...options, contentSha256: contentSha ?? false });
}

export async function problemOf(
  response: Response,
): Promise<{ type: string; title: string; status: number; detail: string }> {
  expectProblem(response);
  return (await response.json()) as { type: string; title: string; status: number; detail: string };
}

function expectProblem(response: Response): void {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${type} (${response.status})`);
  }
}
