/**
 * Contract tests: real responses of the local server (in-process, on the run's DynamoDB
 * Local, a table of its own) checked against openapi.json — the status is documented for
 * the operation, the body validates against the documented schema (ajv, JSON Schema
 * 2020-12), the documented headers are there and match their schemas — and against the
 * zod response schemas of openapi/schemas.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type * as z from 'zod';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { readOpenApiFile } from '../../openapi/file.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../../openapi/json.ts';
import {
  EditorArticleSchema,
  EditorPageSchema,
  PreviewArticleSchema,
  PreviewLinkSchema,
  ProblemSchema,
  PublicArticleSchema,
  PublicPageSchema,
  RevisionPageSchema,
} from '../../openapi/schemas.ts';
import { compileSchema, createAjv, deref, responseSpec } from '../../openapi/validate.ts';
import { type Credentials, type SignOptions, signedFetch } from '../support/sigv4.ts';

const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';
const committed = readOpenApiFile();
const doc = JSON.parse(committed) as JsonObject;
const ajv = createAjv(doc);

let server: LocalServer;
let credentials: Credentials;
const json = { 'content-type': 'application/json' };
const checked = new Set<string>();

beforeAll(async () => {
  credentials = { accessKeyId: 'AKIACONTRACTTEST0001', secretAccessKey: `contract-${randomUUID()}` };
  server = await startLocalServer({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'newsdesk-contract-')),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `newsdesk-contract-${randomUUID().slice(0, 8)}`,
    editor: credentials,
    readerPort: false,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  // Every status below was checked at least once.
  expect([...checked].sort()).toEqual(
    [
      'DELETE /editor/articles/{slug} 204',
      'GET /articles 200',
      'GET /articles 304',
      'GET /articles 400',
      'GET /articles/{slug} 200',
      'GET /articles/{slug} 304',
      'GET /articles/{slug} 404',
      'GET /editor/articles 200',
      'GET /editor/articles/{slug} 200',
      'GET /openapi.json 200',
      'GET /editor/articles/{slug}/revisions 200',
      'GET /editor/articles/{slug}/revisions/{version} 200',
      'GET /editor/articles/{slug}/revisions/{version} 404',
      'POST /editor/articles/{slug}/revisions/{version}/restore 200',
      'POST /editor/articles/{slug}/revisions/{version}/restore 428',
      'POST /editor/articles/{slug}/preview 201',
      'POST /editor/articles/{slug}/preview 400',
      'GET /preview/{token} 200',
      'GET /preview/{token} 404',
      'POST /editor/articles 201',
      'POST /editor/articles 400',
      'POST /editor/articles 403',
      'POST /editor/articles 409',
      'POST /editor/articles 415',
      'POST /editor/articles 422',
      'PUT /editor/articles/{slug} 200',
      'PUT /editor/articles/{slug} 412',
      'PUT /editor/articles/{slug} 428',
    ].sort(),
  );
});

const signed = (path: string, options: SignOptions = {}) =>
  signedFetch(credentials, `${server.url}${path}`, options);

/**
 * Checks a response against the operation `method template` of the document and returns
 * its parsed body (undefined when it has none).
 */
async function conforms(response: Response, method: string, template: string): Promise<unknown> {
  const spec = responseSpec(doc, template, method.toLowerCase(), response.status);
  const where = `${method} ${template} ${response.status}`;
  expect(spec, `${where}: no such operation`).toBeDefined();
  if (spec === undefined) return undefined;
  expect(spec.status, `${where}: status not documented (only "default" matched)`).toBe(
    String(response.status),
  );
  checked.add(where);

  for (const [name, raw] of Object.entries(spec.headers)) {
    const header = deref(doc, raw);
    const value = response.headers.get(name);
    expect(value, `${where}: header ${name}`).not.toBeNull();
    if (header?.schema !== undefined && value !== null) {
      const validate = compileSchema(ajv, header.schema);
      expect(validate(value) ? null : validate.errors, `${where}: header ${name}: ${value}`).toBeNull();
    }
  }

  const text = await response.text();
  const mediaTypes = Object.keys(spec.content);
  if (mediaTypes.length === 0) {
    expect(text, `${where}: documented without a body`).toBe('');
    return undefined;
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  expect(mediaTypes, `${where}: Content-Type ${mediaType}`).toContain(mediaType);
  const body: unknown = JSON.parse(text);
  const schema: JsonValue | undefined = spec.content[mediaType];
  if (schema !== undefined) {
    const validate = compileSchema(ajv, schema);
    expect(validate(body) ? null : validate.errors, `${where}: body ${text.slice(0, 300)}`).toBeNull();
  }
  return body;
}

/** The zod response schema accepts the body too (strictly: no other field). */
function parses(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? null : result.error.issues).toBeNull();
}

const article = (overrides: Record<string, unknown> = {}) => ({
  title: `Contract ${randomUUID().slice(0, 8)}`,
  summary: 'A summary',
  body: 'Some *Markdown* with <b>raw</b> HTML.',
  author: 'Contract Tester',
  tags: ['contract', 'openapi'],
  ...overrides,
});

describe('responses of the local server follow openapi.json', () => {
  it('public item (200, then 304 on If-None-Match) and 404', async () => {
    const first = await fetch(`${server.url}/articles/${SEED_SLUG}`);
    const etag = first.headers.get('etag') ?? '';
    parses(PublicArticleSchema, await conforms(first, 'GET', '/articles/{slug}'));
    const again = await fetch(`${server.url}/articles/${SEED_SLUG}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    await conforms(again, 'GET', '/articles/{slug}');
    const missing = await fetch(`${server.url}/articles/no-such-article`);
    expect(missing.status).toBe(404);
    parses(ProblemSchema, await conforms(missing, 'GET', '/articles/{slug}'));
  });

  it('public list (200, 304) and a bad limit (400 with errors)', async () => {
    const list = await fetch(`${server.url}/articles?limit=5`);
    parses(PublicPageSchema, await conforms(list, 'GET', '/articles'));
    const again = await fetch(`${server.url}/articles?limit=5`, {
      headers: { 'if-none-match': list.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    await conforms(again, 'GET', '/articles');
    const bad = await fetch(`${server.url}/articles?limit=0`);
    expect(bad.status).toBe(400);
    expect(await conforms(bad, 'GET', '/articles')).toMatchObject({
      type: 'urn:newsdesk:problem:validation-error',
      errors: [{ path: 'limit', message: expect.any(String) }],
    });
  });

  it('create (201), then 409, 400 with errors, 415, 403 unsigned, 422 on a reused Idempotency-Key', async () => {
    const body = JSON.stringify(article({ slug: `contract-${randomUUID().slice(0, 8)}` }));
    const created = await signed('/editor/articles', {
      method: 'POST',
      headers: { ...json, 'idempotency-key': `key-${randomUUID()}` },
      body,
    });
    expect(created.status).toBe(201);
    parses(EditorArticleSchema, await conforms(created, 'POST', '/editor/articles'));

    const taken = await signed('/editor/articles', { method: 'POST', headers: json, body });
    expect(taken.status).toBe(409);
    await conforms(taken, 'POST', '/editor/articles');

    const invalid = await signed('/editor/articles', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ title: '', body: 'x', tags: ['Bad Tag'], extra: true }),
    });
    expect(invalid.status).toBe(400);
    const problem = await conforms(invalid, 'POST', '/editor/articles');
    parses(ProblemSchema, problem);
    expect(problem).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path: 'title' })]),
    });

    const wrongType = await signed('/editor/articles', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    await conforms(wrongType, 'POST', '/editor/articles');

    const unsigned = await fetch(`${server.url}/editor/articles`, { method: 'POST', headers: json, body });
    expect(unsigned.status).toBe(403);
    await conforms(unsigned, 'POST', '/editor/articles');

    const key = `key-${randomUUID()}`;
    const once = await signed('/editor/articles', {
      method: 'POST',
      headers: { ...json, 'idempotency-key': key },
      body: JSON.stringify(article()),
    });
    expect(once.status).toBe(201);
    const reused = await signed('/editor/articles', {
      method: 'POST',
      headers: { ...json, 'idempotency-key': key },
      body: JSON.stringify(article()),
    });
    expect(reused.status).toBe(422);
    await conforms(reused, 'POST', '/editor/articles');
  });

  it('editor item and editor list, with drafts and scheduled articles', async () => {
    const draft = await signed('/editor/articles', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article({ status: 'draft', summary: null, author: null, tags: null })),
    });
    const scheduled = await signed('/editor/articles', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article({ publishedAt: '2999-01-01T00:00:00+02:00' })),
    });
    const { slug } = (await draft.json()) as { slug: string };
    expect(scheduled.status).toBe(201);

    const item = await signed(`/editor/articles/${slug}`);
    expect(item.status).toBe(200);
    const body = await conforms(item, 'GET', '/editor/articles/{slug}');
    parses(EditorArticleSchema, body);
    expect(body).toMatchObject({ status: 'draft', publishedAt: null, summary: null, author: null, tags: [] });

    const list = await signed('/editor/articles?limit=50');
    expect(list.status).toBe(200);
    const page = await conforms(list, 'GET', '/editor/articles');
    parses(EditorPageSchema, page);
    const statuses = (page as { items: { status: string }[] }).items.map((entry) => entry.status);
    expect(new Set(statuses)).toEqual(new Set(['draft', 'scheduled', 'published']));
  });

  it('update: 428 without If-Match, 412 with a stale one, 200 with the current one; delete 204', async () => {
    const created = await signed('/editor/articles', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article()),
    });
    const etag = created.headers.get('etag') ?? '';
    const { slug } = (await created.json()) as { slug: string };
    const path = `/editor/articles/${slug}`;
    const update = JSON.stringify(article({ title: 'Updated title' }));

    const noPrecondition = await signed(path, { method: 'PUT', headers: json, body: update });
    expect(noPrecondition.status).toBe(428);
    parses(ProblemSchema, await conforms(noPrecondition, 'PUT', '/editor/articles/{slug}'));

    const stale = await signed(path, {
      method: 'PUT',
      headers: { ...json, 'if-match': '"stale"' },
      body: update,
    });
    expect(stale.status).toBe(412);
    parses(ProblemSchema, await conforms(stale, 'PUT', '/editor/articles/{slug}'));

    const updated = await signed(path, {
      method: 'PUT',
      headers: { ...json, 'if-match': etag },
      body: update,
    });
    expect(updated.status).toBe(200);
    parses(EditorArticleSchema, await conforms(updated, 'PUT', '/editor/articles/{slug}'));

    const deleted = await signed(path, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    await conforms(deleted, 'DELETE', '/editor/articles/{slug}');
  });

  it('revisions: history, one version, restore (428, 200); previews: link (201, 400), read (200, 404)', async () => {
    const created = await signed('/editor/articles', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article({ status: 'draft' })),
    });
    const { slug } = (await created.json()) as { slug: string };
    const base = `/editor/articles/${slug}`;

    const history = await signed(`${base}/revisions`);
    expect(history.status).toBe(200);
    parses(RevisionPageSchema, await conforms(history, 'GET', '/editor/articles/{slug}/revisions'));
    const version = await signed(`${base}/revisions/1`);
    expect(version.status).toBe(200);
    parses(
      EditorArticleSchema,
      await conforms(version, 'GET', '/editor/articles/{slug}/revisions/{version}'),
    );
    const noVersion = await signed(`${base}/revisions/7`);
    expect(noVersion.status).toBe(404);
    parses(ProblemSchema, await conforms(noVersion, 'GET', '/editor/articles/{slug}/revisions/{version}'));

    const restorePath = '/editor/articles/{slug}/revisions/{version}/restore';
    const unconditional = await signed(`${base}/revisions/1/restore`, { method: 'POST' });
    expect(unconditional.status).toBe(428);
    parses(ProblemSchema, await conforms(unconditional, 'POST', restorePath));
    const restored = await signed(`${base}/revisions/1/restore`, {
      method: 'POST',
      headers: { 'if-match': created.headers.get('etag') ?? '' },
    });
    expect(restored.status).toBe(200);
    parses(EditorArticleSchema, await conforms(restored, 'POST', restorePath));

    const link = await signed(`${base}/preview`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ expiresInSeconds: 120 }),
    });
    expect(link.status).toBe(201);
    const made = await conforms(link, 'POST', '/editor/articles/{slug}/preview');
    parses(PreviewLinkSchema, made);
    const refused = await signed(`${base}/preview`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ expiresInSeconds: 30 }),
    });
    expect(refused.status).toBe(400);
    parses(ProblemSchema, await conforms(refused, 'POST', '/editor/articles/{slug}/preview'));

    const { token } = made as { token: string };
    const shown = await fetch(`${server.url}/preview/${token}`);
    expect(shown.status).toBe(200);
    parses(PreviewArticleSchema, await conforms(shown, 'GET', '/preview/{token}'));
    const unknown = await fetch(`${server.url}/preview/${token}x`);
    expect(unknown.status).toBe(404);
    parses(ProblemSchema, await conforms(unknown, 'GET', '/preview/{token}'));
  });

  it('GET /openapi.json answers the committed document, and other methods 405', async () => {
    const response = await fetch(`${server.url}/openapi.json`, {
      headers: { origin: 'http://elsewhere.test' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const clone = response.clone();
    await conforms(response, 'GET', '/openapi.json');
    expect(await clone.text()).toBe(committed);

    const post = await fetch(`${server.url}/openapi.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    const spec = deref(doc, { $ref: '#/components/responses/MethodNotAllowed' });
    const schema = isJsonObject(spec?.content)
      ? deref(doc, spec.content['application/problem+json'])
      : undefined;
    const validate = compileSchema(ajv, schema?.schema ?? false);
    expect(validate(await post.json())).toBe(true);
    expect(post.headers.get('allow')).toBe('GET, OPTIONS');
  });
});
