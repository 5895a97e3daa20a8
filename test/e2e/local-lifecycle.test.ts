/**
 * The local server's process lifecycle: its own DynamoDB Local with files in the data
 * dir, a restart that keeps every article and seeds only once, no Java left behind after
 * SIGTERM or SIGINT (also through the tsx CLI that `npm start` runs), a clear error for
 * a taken port and for a missing Java.
 *
 * Starts two DynamoDB Local processes in all (the restart needs real files).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { childEnv, killChild, spawnTsx } from './support/process.ts';
import { type StartedServer, signedFetch, startServer, stopServer, tempDataDir } from './support/server.ts';

const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';
const json = { 'content-type': 'application/json' };
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function editorSlugs(server: StartedServer): Promise<string[]> {
  const slugs: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? 'limit=100' : `cursor=${encodeURIComponent(cursor)}&limit=100`;
    const response = await signedFetch(server, `${server.url}/editor/articles?${query}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: { slug: string }[]; nextCursor: string | null };
    slugs.push(...page.items.map((item) => item.slug));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return slugs;
}

describe('restart on the same data dir', () => {
  let server: StartedServer | undefined;
  afterEach(async () => {
    await stopServer(server, 'SIGKILL');
    server = undefined;
  });

  it('keeps every article, seeds once, and leaves no Java behind after SIGTERM and SIGINT', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const env = {
      NEWSDESK_EDITOR_ACCESS_KEY_ID: 'AKIALIFECYCLETEST001',
      NEWSDESK_EDITOR_SECRET_ACCESS_KEY: `lifecycle-${randomUUID()}`,
    };

    // First start: own DynamoDB Local, files under the data dir, sample published.
    server = await startServer({ dataDir, env });
    expect(server.javaPid).toBeTypeOf('number');
    expect(server.child.output()).toContain('published the sample article');
    expect(existsSync(join(dataDir, 'editor-credentials.json'))).toBe(false);
    const slug = `kept-${randomUUID().slice(0, 8)}`;
    const created = await signedFetch(server, `${server.url}/editor/articles`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ title: 'Kept across restarts', slug, body: 'still here', status: 'draft' }),
    });
    expect(created.status).toBe(201);
    expect(readdirSync(join(dataDir, 'dynamodb')).length).toBeGreaterThan(0);

    const firstJava = server.javaPid ?? 0;
    const first = await stopServer(server, 'SIGTERM');
    server = undefined;
    expect(first).toEqual({ code: 0, javaGone: true });
    expect(firstJava).toBeGreaterThan(0);

    // Second start, through the tsx CLI exactly as `npm start` runs it.
    server = await startServer({ dataDir, env, viaTsxCli: true });
    expect(server.javaPid).not.toBe(firstJava);
    expect(server.child.output()).toContain('sample article published on an earlier start');
    const slugs = await editorSlugs(server);
    expect(slugs.filter((s) => s === SEED_SLUG)).toHaveLength(1);
    expect(slugs).toContain(slug);
    const kept = await signedFetch(server, `${server.url}/editor/articles/${slug}`);
    expect(await kept.json()).toMatchObject({ slug, status: 'draft', body: 'still here' });
    expect((await fetch(`${server.url}/articles/${SEED_SLUG}`)).status).toBe(200);

    const second = await stopServer(server, 'SIGINT');
    server = undefined;
    expect(second.javaGone).toBe(true);
  }, 240_000);
});

describe('start-up errors', () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) =>
      blocker === undefined ? resolve() : blocker.close(() => resolve()),
    );
    blocker = undefined;
  });

  it('names a port in use in one clear line and exits non-zero', { timeout: 60_000 }, async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => {
      blocker?.listen(0, '127.0.0.1', () => {
        const address = blocker?.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const child = spawnTsx(
      ['bin/local-server.ts'],
      childEnv({
        PORT: String(port),
        NEWSDESK_DATA_DIR: dataDir,
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      }),
    );
    try {
      const exit = await child.exited();
      expect(exit.code).not.toBe(0);
      expect(child.output().trim()).toBe(
        `newsdesk: Port ${port} on 127.0.0.1 is already in use: stop the program using it, or set PORT to another port (PORT=0 picks a free one).`,
      );
    } finally {
      await killChild(child);
    }
  });

  it('says to install Java 17+ when there is no java, and exits non-zero', { timeout: 60_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const child = spawnTsx(
      ['bin/local-server.ts'],
      childEnv({ PORT: '0', NEWSDESK_DATA_DIR: dataDir, DYNAMODB_ENDPOINT: undefined, PATH: '/nonexistent' }),
    );
    try {
      const exit = await child.exited();
      expect(exit.code).toBe(1);
      const lines = child.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^newsdesk: java not found\. .*Java 17 or newer.*openjdk-17-jre-headless/);
    } finally {
      await killChild(child);
    }
  });
});
