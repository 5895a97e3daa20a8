/**
 * Revisions and preview links over HTTP (API.md "Revisions", "Preview links"), black-box,
 * against both ways the API is served: the local server (`npm start` as a child process,
 * on the run's DynamoDB Local) and the deploy rehearsal (the synthesized stack, each
 * DynamoDB and Secrets Manager call checked against the calling function's IAM policy).
 */
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { itSawNoDenial, useRehearsal } from './support/rehearsal.ts';
import { problemOf, type StartedServer, signedFetch, startServer, stopServer } from './support/server.ts';

interface Target {
  readonly url: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const json = { 'content-type': 'application/json' };

function revisionsSuite(target: () => Target): void {
  const editor = (path: string, options: Parameters<typeof signedFetch>[2] = {}) =>
    signedFetch(target(), `${target().url}${path}`, options);
  const create = (article: Record<string, unknown>) =>
    editor('/editor/articles', { method: 'POST', headers: json, body: JSON.stringify(article) });
  const put = (slug: string, etag: string, article: Record<string, unknown>) =>
    editor(`/editor/articles/${slug}`, {
      method: 'PUT',
      headers: { ...json, 'if-match': etag },
      body: JSON.stringify(article),
    });
  const restore = (slug: string, version: number | string, etag?: string) =>
    editor(`/editor/articles/${slug}/revisions/${version}/restore`, {
      method: 'POST',
      ...(etag === undefined ? {} : { headers: { 'if-match': etag } }),
    });
  const preview = (slug: string, body?: unknown) =>
    editor(`/editor/articles/${slug}/preview`, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: json, body: JSON.stringify(body) }),
    });
  const expectPreviewHeaders = (response: Response) => {
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(response.headers.get('etag')).toBeNull();
  };

  it('lists versions newest first, shows one in full, restores one as a new version; 404 once taken down', async () => {
    const slug = unique('revised');
    const v1 = await create({ slug, title: 'One', body: 'First *body*.', tags: ['alpha'] });
    expect(v1.status).toBe(201);
    const v2 = await put(slug, v1.headers.get('etag') ?? '', {
      title: 'Two',
      body: 'Second.',
      status: 'draft',
    });
    expect(v2.status).toBe(200);

    expect((await restore(slug, 1)).status).toBe(428);
    expect((await restore(slug, 1, '"stale"')).status).toBe(412);
    expect((await restore(slug, 9, v2.headers.get('etag') ?? '')).status).toBe(404);
    const withBody = await editor(`/editor/articles/${slug}/revisions/1/restore`, {
      method: 'POST',
      headers: { ...json, 'if-match': v2.headers.get('etag') ?? '' },
      body: '{}',
    });
    expect(withBody.status).toBe(400);
    const v3 = await restore(slug, 1, v2.headers.get('etag') ?? '');
    expect(v3.status).toBe(200);
    expect(v3.headers.get('etag')).toMatch(/^".+"$/);
    const restored = (await v3.json()) as Record<string, unknown>;
    expect(restored).toMatchObject({
      slug,
      version: 3,
      title: 'One',
      body: 'First *body*.',
      status: 'published',
      tags: ['alpha'],
    });
    // Published again: the public route and the tag list show it.
    expect((await fetch(`${target().url}/articles/${slug}`)).status).toBe(200);
    const tagged = (await (await fetch(`${target().url}/articles?tag=alpha&limit=100`)).json()) as {
      items: { slug: string }[];
    };
    expect(tagged.items.map((item) => item.slug)).toContain(slug);

    const history = await editor(`/editor/articles/${slug}/revisions`);
    expect(history.status).toBe(200);
    expect(history.headers.get('cache-control')).toBe('no-store');
    const page = (await history.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((item) => [item.version, item.title, item.status])).toEqual([
      [3, 'One', 'published'],
      [2, 'Two', 'draft'],
      [1, 'One', 'published'],
    ]);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['publishedAt', 'status', 'title', 'updatedAt', 'updatedBy', 'version'].sort(),
    );

    // Paging: limit 1 walks every version once; a cursor of another article is a 400.
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
      const next = (await (await editor(`/editor/articles/${slug}/revisions${query}`)).json()) as typeof page;
      seen.push(...next.items.map((item) => item.version));
      cursor = next.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([3, 2, 1]);
    for (const bad of ['?limit=0', '?limit=101', '?cursor=nope']) {
      expect((await editor(`/editor/articles/${slug}/revisions${bad}`)).status, bad).toBe(400);
    }

    const second = await editor(`/editor/articles/${slug}/revisions/2`);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({
      slug,
      version: 2,
      title: 'Two',
      body: 'Second.',
      status: 'draft',
    });
    for (const bad of ['4', '0', 'x', '-1']) {
      const missing = await editor(`/editor/articles/${slug}/revisions/${bad}`);
      expect(missing.status, bad).toBe(404);
      expect((await problemOf(missing)).status).toBe(404);
    }

    const current = await editor(`/editor/articles/${slug}`);
    const taken = await editor(`/editor/articles/${slug}`, { method: 'DELETE' });
    expect(taken.status).toBe(204);
    expect(current.status).toBe(200);
    expect((await editor(`/editor/articles/${slug}/revisions`)).status).toBe(404);
    expect((await editor(`/editor/articles/${slug}/revisions/1`)).status).toBe(404);
    expect((await restore(slug, 1, current.headers.get('etag') ?? '')).status).toBe(404);
    expect((await editor(`/editor/articles/${unique('never')}/revisions`)).status).toBe(404);
  });

  it('refuses unsigned calls to the revision routes (403)', async () => {
    expect((await fetch(`${target().url}/editor/articles/any/revisions`)).status).toBe(403);
    expect((await fetch(`${target().url}/editor/articles/any/preview`, { method: 'POST' })).status).toBe(403);
  });

  it('a preview link shows a draft and a scheduled article (by no public route), pinned to its version', async () => {
    for (const extra of [{ status: 'draft' }, { publishedAt: '2099-01-01T00:00:00Z' }]) {
      const slug = unique('previewed');
      const made = await create({ slug, title: 'Hidden', body: 'Not *yet*.', ...extra });
      expect(made.status).toBe(201);
      const link = await preview(slug);
      expect(link.status).toBe(201);
      const body = (await link.json()) as { token: string; url: string; apiUrl: string; expiresAt: string };
      expect(body.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(body.apiUrl).toBe(`${target().url}/preview/${body.token}`);
      expect(body.url).toContain(body.token);
      const inADay = Date.now() + 86_400_000;
      expect(Math.abs(Date.parse(body.expiresAt) - inADay)).toBeLessThan(120_000);

      const shown = await fetch(body.apiUrl);
      expect(shown.status).toBe(200);
      expectPreviewHeaders(shown);
      const article = (await shown.json()) as Record<string, unknown>;
      expect(article).toMatchObject({ slug, title: 'Hidden', body: 'Not *yet*.' });
      expect(Object.keys(article).sort()).toEqual(
        ['author', 'body', 'bodyHtml', 'publishedAt', 'slug', 'summary', 'tags', 'title', 'updatedAt'].sort(),
      );
      expect((await fetch(`${target().url}/articles/${slug}`)).status).toBe(404);
      for (const list of ['/articles?limit=100', '/feed.json']) {
        expect(await (await fetch(`${target().url}${list}`)).text(), list).not.toContain(slug);
      }

      // A later edit does not change what the link shows; a take-down ends it.
      const edited = await put(slug, made.headers.get('etag') ?? '', {
        title: 'Edited',
        body: 'Later.',
        ...extra,
      });
      expect(edited.status).toBe(200);
      expect(((await (await fetch(body.apiUrl)).json()) as { title: string }).title).toBe('Hidden');
      expect((await editor(`/editor/articles/${slug}`, { method: 'DELETE' })).status).toBe(204);
      const gone = await fetch(body.apiUrl);
      expect(gone.status).toBe(404);
      expectPreviewHeaders(gone);
      expect((await problemOf(gone)).status).toBe(404);
    }
  });

  it('a changed token, an unknown one and bad expiresInSeconds are refused', async () => {
    const slug = unique('tampered');
    expect((await create({ slug, title: 'T', body: 'B', status: 'draft' })).status).toBe(201);
    const { token } = (await (await preview(slug, { expiresInSeconds: 60 })).json()) as { token: string };
    const flip = (position: number) => {
      const char = token[position] === 'A' ? 'B' : 'A';
      return `${token.slice(0, position)}${char}${token.slice(position + 1)}`;
    };
    for (const bad of [
      flip(0),
      flip(token.indexOf('.') - 1),
      flip(token.length - 1),
      'garbage',
      `${token}A`,
    ]) {
      const answer = await fetch(`${target().url}/preview/${bad}`);
      expect(answer.status, bad).toBe(404);
      expectPreviewHeaders(answer);
    }
    for (const body of [
      { expiresInSeconds: 59 },
      { expiresInSeconds: 604_801 },
      { expiresInSeconds: '60' },
      { other: 1 },
    ]) {
      expect((await preview(slug, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await preview(slug, { expiresInSeconds: 604_800 })).status).toBe(201);
    expect((await preview(unique('nobody'))).status).toBe(404);
  });
}

describe('revisions and previews against npm start', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: unique('newsdesk-revisions'),
    });
  }, 120_000);
  afterAll(async () => {
    const stopped = await stopServer(server);
    expect(stopped.code).toBe(0);
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  revisionsSuite(() => server);

  it('keeps the preview signing key in the data dir, mode 0600', () => {
    const mode = statSync(join(server.dataDir, 'preview-key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe('revisions and previews against the deploy rehearsal', () => {
  const rehearsed = useRehearsal();
  revisionsSuite(() => ({ url: rehearsed().url, credentials: rehearsed().editor }));
  // Last: every DynamoDB and Secrets Manager call above was allowed by the template's IAM.
  itSawNoDenial(rehearsed);
});
