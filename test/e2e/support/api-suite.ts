/**
 * The black-box HTTP tests of the API contract (API.md), written once and run against
 * every way the API is served: the local server (`npm start`, local-api.test.ts) and the
 * deploy rehearsal (`npm run rehearse`, rehearsal-api.test.ts). Only the base URL and the
 * editor's key pair differ; a test that holds for one target only stays in that target's file.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { problemOf, signedFetch } from './server.ts';

export interface ApiTarget {
  /** Base URL without a trailing slash (stage included when there is one). */
  readonly url: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const CURL = '/usr/bin/curl';
const curlPresent = existsSync(CURL);
const run = promisify(execFile);
const EDITOR_ARN = 'arn:aws:iam::000000000000:user/newsdesk-editor';
const json = { 'content-type': 'application/json' };
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Registers the contract tests; `target()` is read when they run (after the target's beforeAll). */
export function apiContractSuite(target: () => ApiTarget): void {
  const create = (article: Record<string, unknown>): Promise<Response> =>
    signedFetch(target(), `${target().url}/editor/articles`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article),
    });

  describe.skipIf(!curlPresent)('curl --aws-sigv4', () => {
    it('publishes an article that the public route then serves', async () => {
      const { url, credentials } = target();
      const slug = unique('curl-article');
      const { stdout } = await run(CURL, [
        '-sS',
        '-i',
        '--aws-sigv4',
        'aws:amz:us-east-1:execute-api',
        '--user',
        `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ title: 'Published with curl', slug, body: 'Signed by *curl*.', tags: ['curl'] }),
        `${url}/editor/articles`,
      ]);
      expect(stdout).toMatch(/^HTTP\/1\.1 201/);
      expect(stdout).toMatch(new RegExp(`^Location: /articles/${slug}\\r?$`, 'im'));
      expect(stdout).toMatch(/^ETag: "/im);
      const body = JSON.parse(stdout.slice(stdout.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toMatchObject({
        slug,
        status: 'published',
        version: 1,
        createdBy: EDITOR_ARN,
        updatedBy: EDITOR_ARN,
      });

      const read = await fetch(`${url}/articles/${slug}`);
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({
        slug,
        title: 'Published with curl',
        bodyHtml: '<p>Signed by <em>curl</em>.</p>\n',
      });
    });
  });

  describe('SigV4 on /editor/', () => {
    const article = () => JSON.stringify({ title: 'Signed', slug: unique('signed'), body: 'text' });

    const expectForbidden = async (response: Response) => {
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const problem = await problemOf(response);
      expect(problem).toMatchObject({
        type: 'urn:newsdesk:problem:forbidden',
        title: 'Forbidden',
        status: 403,
      });
      expect(problem.detail).not.toMatch(/canonical|stringtosign|AKIA/i);
      return problem;
    };

    it('refuses an unsigned request', async () => {
      const { url } = target();
      const response = await fetch(`${url}/editor/articles`, {
        method: 'POST',
        headers: json,
        body: article(),
      });
      expect((await expectForbidden(response)).detail).toMatch(/Signature Version 4/);
      await expectForbidden(await fetch(`${url}/editor/articles`));
    });

    it('refuses a body changed after signing, with or without X-Amz-Content-Sha256', async () => {
      const signedBody = article();
      const tampered = signedBody.replace('Signed', 'Forged');
      for (const contentSha of [false, true]) {
        const response = await signedFetch(target(), `${target().url}/editor/articles`, {
          method: 'POST',
          headers: json,
          body: signedBody,
          sendBody: tampered,
          contentSha,
        });
        await expectForbidden(response);
      }
    });

    it('refuses an X-Amz-Date more than 5 minutes old or ahead', async () => {
      for (const offset of [-6 * 60_000, 6 * 60_000]) {
        const response = await signedFetch(target(), `${target().url}/editor/articles`, {
          signingDate: new Date(Date.now() + offset),
        });
        await expectForbidden(response);
      }
    });

    it('refuses a wrong secret and an unknown access key', async () => {
      const { url, credentials } = target();
      await expectForbidden(
        await signedFetch(target(), `${url}/editor/articles`, { secretAccessKey: 'not-the-secret' }),
      );
      await expectForbidden(
        await signedFetch(target(), `${url}/editor/articles`, {
          accessKeyId: 'AKIAUNKNOWNKEY000000',
          secretAccessKey: credentials.secretAccessKey,
        }),
      );
    });

    it('accepts a signed request with X-Amz-Content-Sha256 and a query string', async () => {
      const response = await signedFetch(
        target(),
        `${target().url}/editor/articles?status=published&limit=5`,
        {
          contentSha: true,
        },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ items: expect.any(Array) });
    });

    it('never reads Authorization outside /editor/', async () => {
      const slug = unique('public');
      expect((await create({ title: 'Public', slug, body: 'anyone may read' })).status).toBe(201);
      const response = await fetch(`${target().url}/articles/${slug}`, {
        headers: { authorization: 'AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=00' },
      });
      expect(response.status).toBe(200);
    });
  });

  describe('articles over HTTP', () => {
    it('creates, reads, replaces with If-Match and takes down', async () => {
      const { url } = target();
      const slug = unique('lifecycle');
      const created = await create({ title: 'Lifecycle', slug, body: 'v1' });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/articles/${slug}`);
      const etag = created.headers.get('etag') ?? '';
      expect(etag).toMatch(/^".+"$/);

      const missingIfMatch = await signedFetch(target(), `${url}/editor/articles/${slug}`, {
        method: 'PUT',
        headers: json,
        body: JSON.stringify({ title: 'Lifecycle', body: 'v2' }),
      });
      expect(missingIfMatch.status).toBe(428);
      await problemOf(missingIfMatch);

      const replaced = await signedFetch(target(), `${url}/editor/articles/${slug}`, {
        method: 'PUT',
        headers: { ...json, 'if-match': etag },
        body: JSON.stringify({ title: 'Lifecycle', body: 'v2' }),
      });
      expect(replaced.status).toBe(200);
      expect(await replaced.json()).toMatchObject({ body: 'v2', version: 2 });

      const gone = await signedFetch(target(), `${url}/editor/articles/${slug}`, { method: 'DELETE' });
      expect(gone.status).toBe(204);
      expect((await fetch(`${url}/articles/${slug}`)).status).toBe(404);
      expect((await signedFetch(target(), `${url}/editor/articles/${slug}`)).status).toBe(404);
    });

    it('replays a create retried with the same Idempotency-Key', async () => {
      const slug = unique('idempotent');
      const headers = { ...json, 'idempotency-key': randomUUID() };
      const body = JSON.stringify({ title: 'Once', slug, body: 'only once' });
      const send = () =>
        signedFetch(target(), `${target().url}/editor/articles`, { method: 'POST', headers, body });
      const first = await send();
      expect(first.status).toBe(201);
      const again = await send();
      expect(again.status).toBe(201);
      expect(await again.json()).toMatchObject({ slug, version: 1 });
    });

    it('lets exactly one of 12 concurrent PUTs holding the same ETag win', async () => {
      const { url } = target();
      const slug = unique('race');
      const created = await create({ title: 'Race', slug, body: 'start' });
      expect(created.status).toBe(201);
      const etag = created.headers.get('etag') ?? '';
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          signedFetch(target(), `${url}/editor/articles/${slug}`, {
            method: 'PUT',
            headers: { ...json, 'if-match': etag },
            body: JSON.stringify({ title: 'Race', body: `writer ${i}` }),
          }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(11);
      const final = await signedFetch(target(), `${url}/editor/articles/${slug}`);
      expect(await final.json()).toMatchObject({ version: 2 });
    });

    it('keeps drafts private: public 404, editor 200', async () => {
      const { url } = target();
      const slug = unique('draft');
      expect((await create({ title: 'Draft', slug, body: 'secret', status: 'draft' })).status).toBe(201);
      const publicRead = await fetch(`${url}/articles/${slug}`);
      expect(publicRead.status).toBe(404);
      await problemOf(publicRead);
      const editorRead = await signedFetch(target(), `${url}/editor/articles/${slug}`);
      expect(editorRead.status).toBe(200);
      expect(await editorRead.json()).toMatchObject({ slug, status: 'draft' });
      const list = (await (await fetch(`${url}/articles?limit=100`)).json()) as { items: { slug: string }[] };
      expect(list.items.map((item) => item.slug)).not.toContain(slug);
    });
  });

  describe('what the gateway answers itself', () => {
    it('answers preflights on every route path without a signature', async () => {
      const { url } = target();
      const editor = await fetch(`${url}/editor/articles/some-slug`, {
        method: 'OPTIONS',
        headers: { origin: 'https://cms.example', 'access-control-request-method': 'PUT' },
      });
      expect(editor.status).toBe(204);
      expect(editor.headers.get('access-control-allow-origin')).toBe('*');
      expect(editor.headers.get('access-control-allow-methods')).toBe('GET,PUT,DELETE');
      expect(editor.headers.get('access-control-allow-headers')).toContain('X-Amz-Content-Sha256');
      expect(editor.headers.get('access-control-allow-headers')).toContain('If-Match');
      expect(editor.headers.get('access-control-max-age')).toBe('600');
      const list = await fetch(`${url}/articles`, { method: 'OPTIONS' });
      expect(list.status).toBe(204);
      expect(list.headers.get('access-control-allow-methods')).toBe('GET');
      expect(list.headers.get('access-control-allow-headers')).toBe('Content-Type,If-None-Match');
    });

    it('answers 413 problem+json for a 300 KiB body', async () => {
      const body = JSON.stringify({ title: 'Too big', body: 'x'.repeat(300 * 1024) });
      const response = await signedFetch(target(), `${target().url}/editor/articles`, {
        method: 'POST',
        headers: json,
        body,
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await problemOf(response)).toMatchObject({ status: 413, title: 'Payload Too Large' });
    });

    it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
      const { url } = target();
      for (const path of ['/', '/nope', '/editor', '/articles/a/b']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(404);
        expect(await problemOf(response)).toMatchObject({
          status: 404,
          type: 'urn:newsdesk:problem:not-found',
        });
      }
      const wrong = await fetch(`${url}/articles`, { method: 'POST', headers: json, body: '{}' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, OPTIONS');
      expect(wrong.headers.get('access-control-allow-origin')).toBe('*');
      await problemOf(wrong);
    });
  });
}
