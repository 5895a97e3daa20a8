/**
 * The edge, proven locally with a real cache (docs/edge.md): Debian's Varnish on 127.0.0.1
 * with the project's VCL (local/edge/newsdesk.vcl) in front of `npm start` (a child
 * process on the run's DynamoDB Local), purged through the same path mapping as the
 * CloudFront invalidations (functions/core/edge/paths.ts) by a receiver subscribed to the
 * server's events (its NEWSDESK_WEBHOOKS). Shows: a second read is a hit; an update is
 * served new; a take-down is a 404 at the edge within 5 s; a go-live appears in the cached
 * list within 5 s; errors, editor requests and signed requests are never cached.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import { type PurgeReceiver, startPurgeReceiver } from '../../local/edge/purge-receiver.ts';
import { type RunningVarnish, startVarnish, VARNISHD, VarnishPurger } from '../../local/edge/varnish.ts';
import { type StartedServer, signedFetch, startServer, stopServer } from './support/server.ts';
import '../setup/provided.ts';

let server: StartedServer;
let varnish: RunningVarnish;
let receiver: PurgeReceiver;
let edge: string;

const json = { 'content-type': 'application/json' };

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - start;
}

async function create(body: Record<string, unknown>): Promise<Response> {
  const response = await signedFetch(server, `${server.url}/editor/articles`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ title: 'Edge test', body: 'First text.', tags: ['edge'], ...body }),
  });
  expect(response.status).toBe(201);
  return response;
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${edge}${path}`, { headers });

beforeAll(async () => {
  // Nothing is skipped: without varnishd the test fails, saying what to install.
  if (!existsSync(VARNISHD)) {
    throw new Error(`${VARNISHD} not found: install Debian's varnish package (apt-get install varnish)`);
  }
  const edgePort = await freePort();
  edge = `http://127.0.0.1:${edgePort}`;
  receiver = await startPurgeReceiver({ purger: new VarnishPurger(edge) });
  server = await startServer({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-edge-${randomUUID().slice(0, 8)}`,
    env: { NEWSDESK_WEBHOOKS: receiver.url },
  });
  varnish = await startVarnish({ port: edgePort, backendPort: Number(new URL(server.url).port) });
}, 120_000);

afterAll(async () => {
  await varnish?.stop();
  const stopped = await stopServer(server);
  expect(stopped.code).toBe(0);
  if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  await receiver?.close();
});

describe('the local edge (Varnish) in front of npm start', () => {
  it('a second read is a cache hit, with s-maxage beside max-age', async () => {
    const slug = `edge-${randomUUID().slice(0, 8)}`;
    await create({ slug });
    // Wait for the create's purge, so it cannot ban the entry under test.
    await until(async () => receiver.purged.some((paths) => paths.includes(`/articles/${slug}`)), 5_000);
    const first = await get(`/articles/${slug}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=86400');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await get(`/articles/${slug}`);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.text()).toContain('First text.');
  });

  it('after an update the edge serves the new version', async () => {
    const slug = `edge-${randomUUID().slice(0, 8)}`;
    const created = await create({ slug });
    await until(async () => receiver.purged.some((paths) => paths.includes(`/articles/${slug}`)), 5_000);
    await get(`/articles/${slug}`);
    expect((await get(`/articles/${slug}`)).headers.get('x-cache')).toBe('HIT');
    const updated = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'PUT',
      headers: { ...json, 'if-match': created.headers.get('etag') ?? '' },
      body: JSON.stringify({ title: 'Edge test', body: 'Second text.', status: 'published', tags: ['edge'] }),
    });
    expect(updated.status).toBe(200);
    await until(async () => (await (await get(`/articles/${slug}`)).text()).includes('Second text.'), 5_000);
  });

  it('after a take-down the edge answers 404 within 5 s, and does not cache the 404', async () => {
    const slug = `edge-${randomUUID().slice(0, 8)}`;
    const created = await create({ slug });
    await until(async () => receiver.purged.some((paths) => paths.includes(`/articles/${slug}`)), 5_000);
    // Cached in three entries: the article, the article with a query, the tag list.
    for (const path of [`/articles/${slug}`, `/articles/${slug}?tag=edge`, '/articles?tag=edge']) {
      await get(path);
      expect((await get(path)).headers.get('x-cache'), path).toBe('HIT');
    }
    const removed = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'DELETE',
      headers: { 'if-match': created.headers.get('etag') ?? '' },
    });
    expect(removed.status).toBeLessThan(300);
    const started = Date.now();
    await until(async () => (await get(`/articles/${slug}`)).status === 404, 5_000);
    expect(Date.now() - started).toBeLessThanOrEqual(5_000);
    expect((await get(`/articles/${slug}?tag=edge`)).status).toBe(404);
    const list = (await (await get('/articles?tag=edge')).json()) as { items: { slug: string }[] };
    expect(list.items.map((item) => item.slug)).not.toContain(slug);
    // Errors are never cached.
    const again = await get(`/articles/${slug}`);
    expect(again.status).toBe(404);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(again.headers.get('cache-control')).toBe('no-store');
  });

  it("a scheduled article's go-live appears in the cached list within 5 s", async () => {
    const slug = `edge-${randomUUID().slice(0, 8)}`;
    const tag = `golive${randomUUID().slice(0, 6)}`;
    const publishedAt = new Date(Date.now() + 3_000);
    await create({ slug, tags: [tag], publishedAt: publishedAt.toISOString() });
    await until(async () => receiver.purged.some((paths) => paths.includes(`/articles/${slug}`)), 5_000);
    // The list is cached without the article.
    await get(`/articles?tag=${tag}`);
    const cached = await get(`/articles?tag=${tag}`);
    expect(cached.headers.get('x-cache')).toBe('HIT');
    expect(((await cached.json()) as { items: unknown[] }).items).toEqual([]);
    const listed = async () =>
      ((await (await get(`/articles?tag=${tag}`)).json()) as { items: { slug: string }[] }).items.some(
        (item) => item.slug === slug,
      );
    await until(async () => Date.now() >= publishedAt.getTime(), 10_000);
    await until(listed, 5_000);
  });

  it('never caches signed, editor or preview requests', async () => {
    const editorPath = '/editor/articles';
    for (let i = 0; i < 2; i++) {
      const response = await signedFetch(server, `${edge}${editorPath}`);
      // Host is signed: the request reaches the server through Varnish unchanged, and passes.
      expect(response.headers.get('x-cache')).toBe('MISS');
    }
    const unsigned = await get(editorPath);
    expect(unsigned.headers.get('x-cache')).toBe('MISS');
    const withAuthorization = await get('/articles', { authorization: 'anything' });
    expect(withAuthorization.headers.get('x-cache')).toBe('MISS');
  });

  it('refuses BAN requests without a regex', async () => {
    expect((await fetch(`${edge}/`, { method: 'BAN' })).status).toBe(400);
  });
});
