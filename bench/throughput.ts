import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../lib/paths.ts';

export interface Load {
  readonly perSecond: number;
  readonly failures: number;
}

export interface ThroughputResult {
  readonly connections: number;
  readonly server: Load;
  readonly direct: Load;
  readonly ratio: number;
}

async function viaServer(url: string, connections: number, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections, duration: seconds });
  return { perSecond: result.requests.total / result.duration, failures: result.non2xx + result.errors };
}

async function direct(getItem: () => Promise<unknown>, connections: number, seconds: number): Promise<Load> {
  let requests = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      requests++;
      if ((await getItem().catch(() => undefined)) === undefined) failures++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { perSecond: (requests * 1000) / (performance.now() - started), failures };
}

/**
 * `GET /articles/{slug}` through the local server, driven by autocannon, against the same
 * article read with the reference's GetItem on the same DynamoDB Local, as many loops as
 * connections. Measured A-B-B-A after a warm-up of each, so that a drift of the machine's
 * load hits both sides alike.
 */
export async function measureThroughput(
  endpoint: string,
  {
    connections,
    throughputSeconds: seconds,
    throughputWarmupSeconds: warmupSeconds,
  }: { connections: number; throughputSeconds: number; throughputWarmupSeconds: number },
): Promise<ThroughputResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-server-'));
  const server = fork(join(PROJECT_ROOT, 'bench', 'server-child.ts'), [], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      BENCH_DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
  );
  try {
    const { url, slug, tableName } = await new Promise<{ url: string; slug: string; tableName: string }>(
      (resolve, reject) => {
        server.once('message', resolve);
        server.once('exit', (code) => reject(new Error(`the local server exited (${code})`)));
      },
    );
    const getItem = async () =>
      (await client.send(new GetCommand({ TableName: tableName, Key: { pk: `ARTICLE#${slug}`, sk: 'A' } })))
        .Item;
    if ((await getItem()) === undefined) throw new Error(`GetItem found no item for ${slug}`);
    await viaServer(url, connections, warmupSeconds);
    await direct(getItem, connections, warmupSeconds);
    const runs: Record<'server' | 'direct', Load[]> = { server: [], direct: [] };
    for (const side of ['server', 'direct', 'direct', 'server'] as const) {
      runs[side].push(
        side === 'server'
          ? await viaServer(url, connections, seconds / 2)
          : await direct(getItem, connections, seconds / 2),
      );
    }
    const combine = (loads: Load[]): Load => ({
      perSecond: loads.reduce((sum, load) => sum + load.perSecond, 0) / loads.length,
      failures: loads.reduce((sum, load) => sum + load.failures, 0),
    });
    const [viaLocal, viaSdk] = [combine(runs.server), combine(runs.direct)];
    return { connections, server: viaLocal, direct: viaSdk, ratio: viaLocal.perSecond / viaSdk.perSecond };
  } finally {
    client.destroy();
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.disconnect();
      const timer = setTimeout(() => server.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
