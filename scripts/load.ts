/**
 * `npm run load`: load test of the local API.
 *
 * Starts the local server (`bin/local-server.ts`, as `npm start` runs it) on a random port
 * with its own data directory in a temporary folder (and so its own DynamoDB Local),
 * publishes LOAD_ARTICLES articles (default 50), then runs autocannon for LOAD_SECONDS
 * (default 30) over LOAD_CONNECTIONS connections (default 16): 90 % public reads (an
 * article, the list, a tag list, and 304 revalidations with If-None-Match) and 10 % writes
 * signed with SigV4 (creates, and updates with If-Match). Prints requests/s, p50/p99
 * latency and the status histogram; exits 1 on any response >= 500 or any socket error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signSync } from '../test/load/sigv4-sync.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const ARTICLES = Number(process.env.LOAD_ARTICLES ?? 50);
const TAGS = ['news', 'world', 'tech', 'sport', 'culture'];
const UPDATE_TARGETS = 5;

const credentials = {
  accessKeyId: `AKIDLOAD${randomBytes(6).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64url'),
};

type Kind = 'item' | 'list' | 'tag' | 'revalidate' | 'create' | 'update';
const EXPECTED: Record<Kind, number> = {
  item: 200,
  list: 200,
  tag: 200,
  revalidate: 304,
  create: 201,
  update: 200,
};

let server: ChildProcess | undefined;
let serverOutput = '';
let dataDir: string | undefined;

async function startServer(): Promise<string> {
  dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-load-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    NEWSDESK_DATA_DIR: dataDir,
    NEWSDESK_EDITOR_ACCESS_KEY_ID: credentials.accessKeyId,
    NEWSDESK_EDITOR_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local-server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  const collect = (chunk: Buffer) => {
    // Keep the start-up block and every line about a failure; drop the per-request lines.
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!/ -> [1-4]\d\d /.test(line)) serverOutput += `${line}\n`;
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = /Newsdesk local API ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(serverOutput);
    if (ready?.[1] !== undefined && serverOutput.includes('Stop with Ctrl-C.')) return ready[1];
    if (child.exitCode !== null)
      throw new Error(`the local server exited (${child.exitCode}):\n${serverOutput}`);
    if (Date.now() > deadline)
      throw new Error(`the local server was not ready within 120 s:\n${serverOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}

function signed(
  host: string,
  method: 'POST' | 'PUT',
  path: string,
  body: string,
  extra: Record<string, string> = {},
) {
  const headers = { 'content-type': 'application/json', ...extra };
  return { host, ...headers, ...signSync(credentials, { method, path, host, headers, body }) };
}

const articleBody = (i: number) =>
  [
    `# Article ${i}`,
    '',
    `Paragraph with *emphasis*, **strong text** and [a link](https://example.com/${i}).`,
    '',
    ...Array.from({ length: 8 }, (_, p) => `Paragraph ${p}: ${'Lorem ipsum dolor sit amet. '.repeat(6)}`),
  ].join('\n\n');

async function publish(base: string): Promise<{ slugs: string[]; etags: Map<string, string> }> {
  const host = new URL(base).host;
  const slugs: string[] = [];
  const etags = new Map<string, string>();
  const post = async (article: Record<string, unknown>) => {
    const body = JSON.stringify(article);
    const response = await fetch(`${base}/editor/articles`, {
      method: 'POST',
      headers: (({ host: _host, ...rest }) => rest)(signed(host, 'POST', '/editor/articles', body)),
      body,
    });
    if (response.status !== 201)
      throw new Error(`publishing failed: ${response.status} ${await response.text()}`);
    return response.headers.get('etag') ?? '';
  };
  for (let i = 0; i < ARTICLES; i++) {
    const slug = `load-${i}`;
    await post({
      slug,
      title: `Load article ${i}`,
      summary: `Summary of article ${i}`,
      body: articleBody(i),
      author: 'Load Desk',
      tags: [TAGS[i % TAGS.length], TAGS[(i + 2) % TAGS.length]],
      publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
    });
    // The public ETag, as a browser would have cached it.
    const read = await fetch(`${base}/articles/${slug}`);
    etags.set(slug, read.headers.get('etag') ?? '');
    slugs.push(slug);
  }
  for (let t = 0; t < UPDATE_TARGETS; t++) {
    await post({ slug: `load-target-${t}`, title: `Update target ${t}`, body: 'Draft', status: 'draft' });
  }
  return { slugs, etags };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

async function main(): Promise<number> {
  const base = await startServer();
  const host = new URL(base).host;
  console.log(`local server at ${base}; publishing ${ARTICLES} articles...`);
  const { slugs, etags } = await publish(base);

  const byKind = new Map<Kind, Map<number, number>>();
  const count = (kind: Kind, status: number) => {
    const statuses = byKind.get(kind) ?? new Map<number, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    byKind.set(kind, statuses);
  };
  let writes = 0;
  // The kind of the request in flight travels in autocannon's per-connection context.
  const kindOf = (context: object): Kind => (context as { kind?: Kind }).kind ?? 'item';
  const setKind = (context: object, kind: Kind) => {
    (context as { kind?: Kind }).kind = kind;
  };
  const read = (): autocannon.Request => {
    return {
      method: 'GET',
      setupRequest: (request, context) => {
        const roll = Math.random();
        const slug = pick(slugs);
        const kind: Kind = roll < 0.35 ? 'item' : roll < 0.6 ? 'list' : roll < 0.8 ? 'tag' : 'revalidate';
        const path =
          kind === 'list'
            ? '/articles?limit=20'
            : kind === 'tag'
              ? `/articles?tag=${pick(TAGS)}`
              : `/articles/${slug}`;
        const headers = kind === 'revalidate' ? { 'if-none-match': etags.get(slug) ?? '' } : {};
        setKind(context, kind);
        return { ...request, method: 'GET', path, headers, body: '' };
      },
      onResponse: (status, _body, context) => count(kindOf(context), status),
    };
  };
  const write = (): autocannon.Request => {
    return {
      method: 'POST',
      setupRequest: (request, context) => {
        writes++;
        if (writes % 2 === 0) {
          setKind(context, 'create');
          const n = writes;
          const body = JSON.stringify({
            title: `Load write ${n} ${randomBytes(4).toString('hex')}`,
            body: `Written under load (${n}).`,
            tags: [pick(TAGS)],
          });
          return {
            ...request,
            method: 'POST',
            path: '/editor/articles',
            headers: signed(host, 'POST', '/editor/articles', body),
            body,
          };
        }
        setKind(context, 'update');
        const path = `/editor/articles/load-target-${writes % UPDATE_TARGETS}`;
        const body = JSON.stringify({
          title: `Update target, write ${writes}`,
          body: `Updated (${writes}).`,
          status: 'draft',
        });
        return {
          ...request,
          method: 'PUT',
          path,
          headers: signed(host, 'PUT', path, body, { 'if-match': '*' }),
          body,
        };
      },
      onResponse: (status, _body, context) => count(kindOf(context), status),
    };
  };
  // Each connection cycles through these ten: nine reads, one signed write.
  const requests = [...Array.from({ length: 9 }, read), write()];

  console.log(`autocannon: ${SECONDS} s, ${CONNECTIONS} connections, 90 % public reads / 10 % signed writes`);
  const result = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, requests });

  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([status, { count }]) => `${status}: ${count ?? 0}`)
    .join(', ');
  const serverErrors = (serverOutput.match(/ -> 5\d\d /g) ?? []).length;
  const lines = [
    '',
    `requests/s      avg ${result.requests.average.toFixed(1)}, min ${result.requests.min}, max ${result.requests.max} (total ${result.requests.total} in ${result.duration} s)`,
    `latency (ms)    p50 ${result.latency.p50}, p99 ${result.latency.p99}, avg ${result.latency.average.toFixed(2)}, max ${result.latency.max}`,
    `statuses        ${statuses}`,
    ...[...byKind].map(
      ([kind, map]) =>
        `  ${kind.padEnd(12)}  ${[...map].map(([status, n]) => `${status}×${n}`).join(', ')}${
          [...map.keys()].some((s) => s !== EXPECTED[kind]) ? `   (expected ${EXPECTED[kind]})` : ''
        }`,
    ),
    `errors          ${result.errors} socket errors, ${result.timeouts} timeouts, ${result['5xx']} responses >= 500`,
  ];
  console.log(lines.join('\n'));
  const failed = result['5xx'] > 0 || result.errors > 0 || result.timeouts > 0 || serverErrors > 0;
  if (failed) {
    console.error(
      `\nFAILED: the target is 0 responses >= 500 and 0 socket errors.\n${serverOutput.slice(-4_000)}`,
    );
  }
  return failed ? 1 : 0;
}

const interrupted = () => {
  void stopServer().finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`load test failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await stopServer();
}
process.exit(code);
