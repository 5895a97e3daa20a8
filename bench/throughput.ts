import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
 * N connections) against direct GetItem calls of the article's item on the same DynamoDB
 * Local (N concurrent loops of the SDK), for the same time. Measured A-B-B-A (server,
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

export interface ThroughputResult {
  readonly connections: number;
  readonly seconds: number;
  readonly path: string;
  readonly server: LoadResult;
  readonly direct: LoadResult;
}

export interface ThroughputOptions {
  readonly endpoint: string;
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

/** The key of an article's item, as the application's store writes it (captured, not guessed). */
async function articleKey(slug: string, tableName: string): Promise<Record<string, unknown>> {
  const capture = capturingClient();
  const service = new ArticleService({
    store: new DynamoArticleStore(capture.client, tableName),
    cursorSecret: BENCH_CURSOR_SECRET,
  });
  await service.create(
    articleInput({ slug, body: 'x', publishedAt: '2025-01-01T00:00:00Z', tags: [] }),
    EDITOR_ARN,
  );
  const head = capture.take()[0];
  if (head === undefined) throw new Error('the store wrote nothing');
  const pk = TABLE.partitionKey.name;
  const sk = TABLE.sortKey.name;
  return { [pk]: head[pk], [sk]: head[sk] };
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
    const key = await articleKey(ready.slug, ready.tableName);
    const getItem = async () => {
      const { Item } = await client.send(new GetCommand({ TableName: ready.tableName, Key: key }));
      return Item !== undefined;
    };
    if (!(await getItem())) throw new Error('direct GetItem found no item for the sample article');

    options.onProgress?.(`throughput: warming up (${options.warmupSeconds} s each)`);
    await serverLoad(url, options.connections, options.warmupSeconds);
    await directLoad(getItem, options.connections, options.warmupSeconds);

    const half = Math.max(1, Math.round(options.seconds / 2));
    const a1 = await serverLoad(url, options.connections, half);
    options.onProgress?.(`throughput: server ${a1.perSecond.toFixed(0)}/s`);
    const b1 = await directLoad(getItem, options.connections, half);
    options.onProgress?.(`throughput: direct GetItem ${b1.perSecond.toFixed(0)}/s`);
    const b2 = await directLoad(getItem, options.connections, half);
    options.onProgress?.(`throughput: direct GetItem ${b2.perSecond.toFixed(0)}/s`);
    const a2 = await serverLoad(url, options.connections, half);
    options.onProgress?.(`throughput: server ${a2.perSecond.toFixed(0)}/s`);
    return {
      connections: options.connections,
      seconds: 2 * half,
      path: new URL(url).pathname,
      server: combine([a1, a2]),
      direct: combine([b1, b2]),
    };
  } finally {
    client.destroy();
    await server.stop(10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
