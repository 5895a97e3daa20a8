import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { ArticleService } from '../functions/core/articles.ts';
import { DynamoArticleStore } from '../functions/core/store.ts';
import { TABLE } from '../functions/core/table.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { forkChild } from './children.ts';
import { BENCH_CURSOR_SECRET } from './env.ts';
import { articleInput, EDITOR_ARN } from './fixtures.ts';
import { capturingClient, localClient } from './sdk-hooks.ts';
import type { ServerChildReady } from './server-child.ts';
import { percentile } from './stats.ts';

/**
 * Local server throughput: `GET /articles/{slug}` through the local server (autocannon,
 * N connections) against direct GetItem calls on the same DynamoDB Local (N concurrent
 * loops of the SDK) of one item holding the same article, for the same time. Measured A-B-B-A (server,
 * direct, direct, server) so that a drift of the machine's load hits both alike.
 */

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
}

/** CPU milliseconds per request of each process involved (Linux only: read from /proc). */
export interface CpuPerRequest {
  /** The bench process: autocannon on the server side, the SDK loops on the direct side. */
  readonly client: number;
  /** The local server (zero on the direct side). */
  readonly server: number;
  readonly dynamodbLocal: number;
}

export interface ThroughputResult {
  readonly connections: number;
  readonly seconds: number;
  readonly path: string;
  readonly server: LoadResult & { readonly cpuMsPerRequest?: CpuPerRequest };
  readonly direct: LoadResult & { readonly cpuMsPerRequest?: CpuPerRequest };
}

export interface ThroughputOptions {
  readonly endpoint: string;
  /** Process id of DynamoDB Local (for its CPU time). */
  readonly dynamodbPid?: number;
  readonly connections: number;
  /** Measured seconds per side (split in two segments, A-B-B-A). */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly onProgress?: (line: string) => void;
}

/** Two segments as one: totals added, latency percentiles averaged over the segments. */
function combine(parts: readonly LoadResult[]): LoadResult {
  const requests = parts.reduce((sum, part) => sum + part.requests, 0);
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    p50Ms: mean(parts.map((part) => part.p50Ms)),
    p99Ms: mean(parts.map((part) => part.p99Ms)),
    failures: parts.reduce((sum, part) => sum + part.failures, 0),
  };
}

async function serverLoad(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function directLoad(
  send: () => Promise<boolean>,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let requests = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const ok = await send().catch(() => false);
        latencies.push(performance.now() - start);
        requests++;
        if (!ok) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests,
    seconds: elapsed,
    perSecond: requests / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures,
  };
}

/**
 * One item holding the whole article the server serves: the head the application's store
 * writes (its content inside), without index keys, under a partition of its own that no
 * article query reads. A GetItem of it moves the same data as the server's read, so the
 * comparison is the server's and handler's cost, not the data layout's.
 */
async function wholeArticleItem(url: string, tableName: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  const article = (await response.json()) as {
    slug: string;
    title: string;
    summary: string | null;
    body: string;
    author: string | null;
    tags: string[];
    publishedAt: string | null;
  };
  const capture = capturingClient();
  const service = new ArticleService({
    store: new DynamoArticleStore(capture.client, tableName),
    cursorSecret: BENCH_CURSOR_SECRET,
  });
  await service.create(
    articleInput({
      slug: article.slug,
      body: article.body,
      publishedAt: article.publishedAt ?? '2025-01-01T00:00:00Z',
      tags: article.tags,
    }),
    EDITOR_ARN,
  );
  const [head] = capture.take();
  if (head === undefined) throw new Error('the store wrote nothing');
  if (!(head.content instanceof Uint8Array)) throw new Error('the sample article should fit in its head');
  const indexKeys = new Set<string>(
    Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey.name, index.sortKey.name]),
  );
  const item = Object.fromEntries(Object.entries(head).filter(([name]) => !indexKeys.has(name)));
  return { ...item, [TABLE.partitionKey.name]: `BENCH#${article.slug}` };
}

/** CPU time of a process so far, milliseconds (utime + stime from /proc), or undefined. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

interface CpuMark {
  readonly client: number;
  readonly server: number | undefined;
  readonly dynamodbLocal: number | undefined;
}

function cpuMark(serverPid: number | undefined, dynamodbPid: number | undefined): CpuMark {
  const self = process.cpuUsage();
  return {
    client: (self.user + self.system) / 1000,
    server: processCpuMs(serverPid),
    dynamodbLocal: processCpuMs(dynamodbPid),
  };
}

/** Runs `load` and charges the CPU each process spent meanwhile to its requests. */
async function withCpu(
  serverPid: number | undefined,
  dynamodbPid: number | undefined,
  load: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; cpu: CpuPerRequest | undefined }> {
  const before = cpuMark(serverPid, dynamodbPid);
  const result = await load();
  const after = cpuMark(serverPid, dynamodbPid);
  if (
    before.server === undefined ||
    after.server === undefined ||
    before.dynamodbLocal === undefined ||
    after.dynamodbLocal === undefined ||
    result.requests === 0
  ) {
    return { result, cpu: undefined };
  }
  return {
    result,
    cpu: {
      client: (after.client - before.client) / result.requests,
      server: (after.server - before.server) / result.requests,
      dynamodbLocal: (after.dynamodbLocal - before.dynamodbLocal) / result.requests,
    },
  };
}

/** Per-request CPU of two segments, weighted by their requests. */
function combineCpu(
  parts: readonly { result: LoadResult; cpu: CpuPerRequest | undefined }[],
): CpuPerRequest | undefined {
  let requests = 0;
  const total = { client: 0, server: 0, dynamodbLocal: 0 };
  for (const { result, cpu } of parts) {
    if (cpu === undefined) return undefined;
    requests += result.requests;
    total.client += cpu.client * result.requests;
    total.server += cpu.server * result.requests;
    total.dynamodbLocal += cpu.dynamodbLocal * result.requests;
  }
  if (requests === 0) return undefined;
  return {
    client: total.client / requests,
    server: total.server / requests,
    dynamodbLocal: total.dynamodbLocal / requests,
  };
}

export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-server-'));
  const server = forkChild<never, ServerChildReady>(
    join(PROJECT_ROOT, 'bench', 'server-child.ts'),
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      BENCH_SERVER_DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: options.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    { quiet: true, execArgv: ['--import', 'tsx'] },
  );
  const client = localClient(options.endpoint, options.connections);
  try {
    const ready = await server.waitFor();
    const url = `${ready.url}/articles/${ready.slug}`;
    const item = await wholeArticleItem(url, ready.tableName);
    await client.send(new PutCommand({ TableName: ready.tableName, Item: item }));
    const pk = TABLE.partitionKey.name;
    const sk = TABLE.sortKey.name;
    const key = { [pk]: item[pk], [sk]: item[sk] };
    const getItem = async () => {
      const { Item } = await client.send(new GetCommand({ TableName: ready.tableName, Key: key }));
      return Item !== undefined;
    };
    if (!(await getItem())) throw new Error('direct GetItem found no item for the sample article');

    options.onProgress?.(`throughput: warming up (${options.warmupSeconds} s each)`);
    await serverLoad(url, options.connections, options.warmupSeconds);
    await directLoad(getItem, options.connections, options.warmupSeconds);

    const half = Math.max(1, Math.round(options.seconds / 2));
    const serverPid = server.process.pid;
    // Each measured segment follows a short unmeasured one of the same kind, so that no
    // side is measured straight after having stood idle while the other ran.
    const settle = Math.min(2, options.warmupSeconds);
    const viaServer = async () => {
      await serverLoad(url, options.connections, settle);
      return withCpu(serverPid, options.dynamodbPid, () => serverLoad(url, options.connections, half));
    };
    const direct = async () => {
      await directLoad(getItem, options.connections, settle);
      return withCpu(serverPid, options.dynamodbPid, () => directLoad(getItem, options.connections, half));
    };
    const a1 = await viaServer();
    options.onProgress?.(`throughput: server ${a1.result.perSecond.toFixed(0)}/s`);
    const b1 = await direct();
    options.onProgress?.(`throughput: direct GetItem ${b1.result.perSecond.toFixed(0)}/s`);
    const b2 = await direct();
    options.onProgress?.(`throughput: direct GetItem ${b2.result.perSecond.toFixed(0)}/s`);
    const a2 = await viaServer();
    options.onProgress?.(`throughput: server ${a2.result.perSecond.toFixed(0)}/s`);
    const serverCpu = combineCpu([a1, a2]);
    const directCpu = combineCpu([b1, b2]);
    return {
      connections: options.connections,
      seconds: 2 * half,
      path: new URL(url).pathname,
      server: {
        ...combine([a1.result, a2.result]),
        ...(serverCpu === undefined ? {} : { cpuMsPerRequest: serverCpu }),
      },
      direct: {
        ...combine([b1.result, b2.result]),
        ...(directCpu === undefined ? {} : { cpuMsPerRequest: directCpu }),
      },
    };
  } finally {
    client.destroy();
    await server.stop(10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
