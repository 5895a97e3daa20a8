/**
 * HTTP tests against the local server (`bin/local-server.ts` as a child process on a
 * random port, a temporary data dir, the run's DynamoDB Local via DYNAMODB_ENDPOINT and
 * a table of its own). Restart and process-lifecycle tests are in local-lifecycle.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { problemOf, type StartedServer, signedFetch, startServer, stopServer } from './support/server.ts';

const CURL = '/usr/bin/curl';
const curlPresent = existsSync(CURL);
if (!curlPresent) console.warn(`skipping the curl --aws-sigv4 test: ${CURL} is absent`);
const run = promisify(execFile);

const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';
const EDITOR_ARN = 'arn:aws:iam::000000000000:user/newsdesk-editor';

let server: StartedServer;
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const json = { 'content-type': 'application/json' };

async function create(article: Record<string, unknown>): Promise<Response> {
  return signedFetch(server, `${server.url}/editor/articles`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(article),
  });
}

beforeAll(async () => {
  server = await startServer({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: unique('newsdesk-e2e'),
  });
});

afterAll(async () => {
  const stopped = await stopServer(server);
  expect(stopped.code).toBe(0);
  rmSync(server.dataDir, { recursive: true, force: true });
});

describe('start-up', () => {
  it('prints one ready block with the URL, the key id, where the secret is and a curl example', () => {
    const out = server.child.output();
    expect(out.match(/Newsdesk local API ready at/g)).toHaveLength(1);
    expect(out).toContain(`editor key   ${server.credentials.accessKeyId}`);
    expect(out).toContain(join(server.dataDir, 'editor-credentials.json'));
    expect(out).toContain(`curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$KEY:$SECRET"`);
    expect(out).toContain(`${server.url}/editor/articles`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.javaPid).toBeUndefined();
  });

  it('keeps the generated editor key pair in the data dir with mode 0600', () => {
    const file = join(server.dataDir, 'editor-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(server.credentials.accessKeyId).toMatch(/^AKIA/);
  });

  it('published the sample article on first start, by the seed identity', async () => {
    const response = await fetch(`${server.url}/articles/${SEED_SLUG}`);
    expect(response.status).toBe(200);
    const article = (await response.json()) as Record<string, unknown>;
    expect(article).toMatchObject({ slug: SEED_SLUG, author: 'Sky News' });
    expect(Date.parse(String(article.publishedAt))).toBe(Date.parse('2024-05-31T06:00:00Z'));
    const editor = await signedFetch(server, `${server.url}/editor/articles/${SEED_SLUG}`);
    expect(await editor.json()).toMatchObject({ createdBy: 'arn:aws:iam::000000000000:user/newsdesk-seed' });
  });
});

describe.skipIf(!curlPresent)('curl --aws-sigv4', () => {
  it('publishes an article that the public route then serves', async () => {
    const slug = unique('curl-article');
    const { stdout } = await run(CURL, [
      '-sS',
      '-i',
      '--aws-sigv4',
      'aws:amz:us-east-1:execute-api',
      '--user',
      `${server.credentials.accessKeyId}:${server.credentials.secretAccessKey}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ title: 'Published with curl', slug, body: 'Signed by *curl*.', tags: ['curl'] }),
      `${server.url}/editor/articles`,
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

    const read = await fetch(`${server.url}/articles/${slug}`);
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
    const response = await fetch(`${server.url}/editor/articles`, {
      method: 'POST',
      headers: json,
      body: article(),
    });
    expect((await expectForbidden(response)).detail).toMatch(/Signature Version 4/);
    await expectForbidden(await fetch(`${server.url}/editor/articles`));
  });

  it('refuses a body changed after signing, with or without X-Amz-Content-Sha256', async () => {
    const signedBody = article();
    const tampered = signedBody.replace('Signed', 'Forged');
    for (const contentSha of [false, true]) {
      const response = await signedFetch(server, `${server.url}/editor/articles`, {
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
      const response = await signedFetch(server, `${server.url}/editor/articles`, {
        signingDate: new Date(Date.now() + offset),
      });
      await expectForbidden(response);
    }
  });

  it('refuses a wrong secret and an unknown access key', async () => {
    await expectForbidden(
      await signedFetch(server, `${server.url}/editor/articles`, { secretAccessKey: 'not-the-secret' }),
    );
    await expectForbidden(
      await signedFetch(server, `${server.url}/editor/articles`, {
        accessKeyId: 'AKIAUNKNOWNKEY000000',
        secretAccessKey: server.credentials.secretAccessKey,
      }),
    );
  });

  it('accepts a signed request with X-Amz-Content-Sha256 and a query string', async () => {
    const response = await signedFetch(server, `${server.url}/editor/articles?status=published&limit=5`, {
      contentSha: true,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ items: expect.any(Array) });
  });

  it('never reads Authorization outside /editor/', async () => {
    const response = await fetch(`${server.url}/articles/${SEED_SLUG}`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=00' },
    });
    expect(response.status).toBe(200);
  });
});

describe('articles over HTTP', () => {
  it('creates, reads, replaces with If-Match and takes down', async () => {
    const slug = unique('lifecycle');
    const created = await create({ title: 'Lifecycle', slug, body: 'v1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/articles/${slug}`);
    const etag = created.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);

    const missingIfMatch = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ title: 'Lifecycle', body: 'v2' }),
    });
    expect(missingIfMatch.status).toBe(428);
    await problemOf(missingIfMatch);

    const replaced = await signedFetch(server, `${server.url}/editor/articles/${slug}`, {
      method: 'PUT',
      headers: { ...json, 'if-match': etag },
      body: JSON.stringify({ title: 'Lifecycle', body: 'v2' }),
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ body: 'v2', version: 2 });

    const gone = await signedFetch(server, `${server.url}/editor/articles/${slug}`, { method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect((await fetch(`${server.url}/articles/${slug}`)).status).toBe(404);
    expect((await signedFetch(server, `${server.url}/editor/articles/${slug}`)).status).toBe(404);
  });

  it('lets exactly one of 12 concurrent PUTs holding the same ETag win', async () => {
    const slug = unique('race');
    const created = await create({ title: 'Race', slug, body: 'start' });
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag') ?? '';
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signedFetch(server, `${server.url}/editor/articles/${slug}`, {
          method: 'PUT',
          headers: { ...json, 'if-match': etag },
          body: JSON.stringify({ title: 'Race', body: `writer ${i}` }),
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(11);
    const final = await signedFetch(server, `${server.url}/editor/articles/${slug}`);
    expect(await final.json()).toMatchObject({ version: 2 });
  });

  it('keeps drafts private: public 404, editor 200', async () => {
    const slug = unique('draft');
    expect((await create({ title: 'Draft', slug, body: 'secret', status: 'draft' })).status).toBe(201);
    const publicRead = await fetch(`${server.url}/articles/${slug}`);
    expect(publicRead.status).toBe(404);
    await problemOf(publicRead);
    const editorRead = await signedFetch(server, `${server.url}/editor/articles/${slug}`);
    expect(editorRead.status).toBe(200);
    expect(await editorRead.json()).toMatchObject({ slug, status: 'draft' });
    const list = (await (await fetch(`${server.url}/articles?limit=100`)).json()) as {
      items: { slug: string }[];
    };
    expect(list.items.map((item) => item.slug)).not.toContain(slug);
  });
});

describe('what the gateway answers itself', () => {
  it('answers preflights on every route path without a signature', async () => {
    const editor = await fetch(`${server.url}/editor/articles/some-slug`, {
      method: 'OPTIONS',
      headers: { origin: 'https://cms.example', 'access-control-request-method': 'PUT' },
    });
    expect(editor.status).toBe(204);
    expect(editor.headers.get('access-control-allow-origin')).toBe('*');
    expect(editor.headers.get('access-control-allow-methods')).toBe('GET,PUT,DELETE');
    expect(editor.headers.get('access-control-allow-headers')).toContain('X-Amz-Content-Sha256');
    expect(editor.headers.get('access-control-allow-headers')).toContain('If-Match');
    expect(editor.headers.get('access-control-max-age')).toBe('600');
    const list = await fetch(`${server.url}/articles`, { method: 'OPTIONS' });
    expect(list.status).toBe(204);
    expect(list.headers.get('access-control-allow-methods')).toBe('GET');
    expect(list.headers.get('access-control-allow-headers')).toBe('Content-Type,If-None-Match');
  });

  it('answers 413 problem+json for a 300 KiB body', async () => {
    const body = JSON.stringify({ title: 'Too big', body: 'x'.repeat(300 * 1024) });
    const response = await signedFetch(server, `${server.url}/editor/articles`, {
      method: 'POST',
      headers: json,
      body,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await problemOf(response)).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('answers 413 to a chunked body that grows past 256 KiB', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/editor/articles`, {
      method: 'POST',
      headers: {
        ...json,
        authorization: 'AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=00',
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    await problemOf(response);
  });

  it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    for (const path of ['/', '/nope', '/editor', '/articles/a/b']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await problemOf(response)).toMatchObject({
        status: 404,
        type: 'urn:newsdesk:problem:not-found',
      });
    }
    const wrong = await fetch(`${server.url}/articles`, { method: 'POST', headers: json, body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, OPTIONS');
    expect(wrong.headers.get('access-control-allow-origin')).toBe('*');
    await problemOf(wrong);
  });
});
