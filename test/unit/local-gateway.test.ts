import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/core/routes.ts';
import {
  credentialsFile,
  REPO_ROOT,
  resolveCursorSecret,
  resolveDataDir,
  resolveEditorCredential,
} from '../../local/data-dir.ts';
import {
  allowOriginHeaders,
  buildResources,
  gatewayProblem,
  matchResource,
  methodNotAllowed,
  NOT_FOUND,
  parseOrigins,
  preflight,
} from '../../local/gateway.ts';
import { parseSeedArticle } from '../../local/seed.ts';

const resources = buildResources(ROUTES);
const cors = { publicOrigins: ['*'], editorOrigins: ['*'] };
const headersOf = (response: { headers: ReadonlyMap<string, string[]> }) =>
  Object.fromEntries([...response.headers].map(([name, values]) => [name, values.join(', ')]));

describe('route matching', () => {
  it('matches every route resource and decodes path parameters', () => {
    expect(matchResource(resources, '/articles')?.resource.resource).toBe('/articles');
    expect(matchResource(resources, '/articles/hello-world')).toMatchObject({
      resource: { resource: '/articles/{slug}', auth: 'public' },
      pathParameters: { slug: 'hello-world' },
    });
    expect(matchResource(resources, '/editor/articles/caf%C3%A9')).toMatchObject({
      resource: { resource: '/editor/articles/{slug}', auth: 'editor' },
      pathParameters: { slug: 'café' },
    });
    expect(matchResource(resources, '/editor/articles')?.resource.auth).toBe('editor');
  });

  it('matches nothing for other paths', () => {
    for (const path of [
      '/',
      '/editor',
      '/articles/',
      '/articles/a/b',
      '//articles',
      '/Articles',
      '/editor/articles/',
    ]) {
      expect(matchResource(resources, path), path).toBeUndefined();
    }
  });

  it('lists the methods of a resource for 405 (Allow) and the preflight', () => {
    const editorSlug = matchResource(resources, '/editor/articles/x')?.resource;
    if (editorSlug === undefined) throw new Error('no match');
    expect(methodNotAllowed(editorSlug).allow).toBe('GET, PUT, DELETE, OPTIONS');
    expect(headersOf(preflight(editorSlug, cors, undefined))).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers':
        'Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,If-Match,Idempotency-Key',
      'Access-Control-Allow-Methods': 'GET,PUT,DELETE',
      'Access-Control-Max-Age': '600',
    });
    const list = matchResource(resources, '/articles')?.resource;
    if (list === undefined) throw new Error('no match');
    expect(headersOf(preflight(list, cors, undefined))['Access-Control-Allow-Headers']).toBe(
      'Content-Type,If-None-Match',
    );
  });
});

describe('CORS origins', () => {
  it('parses origin lists like the handlers config', () => {
    expect(parseOrigins(undefined)).toEqual(['*']);
    expect(parseOrigins(' https://a.example , https://b.example ,')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('answers *, echoes an allowed origin, falls back to the first for preflights only', () => {
    expect(allowOriginHeaders(['*'], 'https://x', false)).toEqual({ 'Access-Control-Allow-Origin': '*' });
    const list = ['https://a.example', 'https://b.example'];
    expect(allowOriginHeaders(list, 'https://b.example', false)).toEqual({
      'Access-Control-Allow-Origin': 'https://b.example',
      Vary: 'Origin',
    });
    expect(allowOriginHeaders(list, 'https://evil.example', false)).toEqual({ Vary: 'Origin' });
    expect(allowOriginHeaders(list, 'https://evil.example', true)).toEqual({
      'Access-Control-Allow-Origin': 'https://a.example',
      Vary: 'Origin',
    });
  });

  it('builds gateway problems as problem+json with CORS, expose and nosniff headers', () => {
    const response = gatewayProblem(NOT_FOUND, { cors, auth: 'any', requestOrigin: undefined });
    expect(response.statusCode).toBe(404);
    expect(headersOf(response)).toEqual({
      'Content-Type': 'application/problem+json',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Location, Retry-After',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    expect(JSON.parse(response.body.toString())).toEqual({
      type: 'urn:newsdesk:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No such route.',
    });
    const editorOnly = gatewayProblem(NOT_FOUND, {
      cors: { publicOrigins: ['*'], editorOrigins: ['https://cms.example'] },
      auth: 'editor',
      requestOrigin: 'https://cms.example',
    });
    expect(headersOf(editorOnly)['Access-Control-Allow-Origin']).toBe('https://cms.example');
  });
});

describe('seed article', () => {
  it('maps the fixture front matter and body onto the POST fields, publishedAt as a string', () => {
    const seed = parseSeedArticle(readFileSync(join(REPO_ROOT, 'fixtures', 'seed-article.md'), 'utf8'));
    expect(seed).toMatchObject({
      title: 'Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
      slug: 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia',
      author: 'Sky News',
      tags: ['ukraine', 'russia', 'us-politics'],
      status: 'published',
      publishedAt: '2024-05-31T06:00:00Z',
    });
    expect(typeof seed.summary).toBe('string');
    expect(seed.body.startsWith('President Joe Biden')).toBe(true);
    expect(seed.body).not.toContain('---');
  });

  it('keeps an unquoted timestamp a string, and refuses a file without front matter', () => {
    expect(parseSeedArticle('---\ntitle: T\npublishedAt: 2024-05-31T06:00:00Z\n---\nBody\n')).toEqual({
      title: 'T',
      publishedAt: '2024-05-31T06:00:00Z',
      body: 'Body',
    });
    expect(() => parseSeedArticle('# just markdown')).toThrow(/front matter/);
  });
});

describe('data dir', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-datadir-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to .newsdesk in the working copy, or $NEWSDESK_DATA_DIR', () => {
    const saved = process.env.NEWSDESK_DATA_DIR;
    try {
      delete process.env.NEWSDESK_DATA_DIR;
      expect(resolveDataDir()).toBe(join(REPO_ROOT, '.newsdesk'));
      process.env.NEWSDESK_DATA_DIR = '/tmp/somewhere';
      expect(resolveDataDir()).toBe('/tmp/somewhere');
      expect(resolveDataDir('/explicit')).toBe('/explicit');
    } finally {
      if (saved === undefined) delete process.env.NEWSDESK_DATA_DIR;
      else process.env.NEWSDESK_DATA_DIR = saved;
    }
  });

  it('generates an editor key pair once, in a 0600 file, and reuses it', () => {
    const dir = tempDir();
    const first = resolveEditorCredential(dir, {});
    expect(first.source).toBe('generated');
    expect(first.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600);
    const second = resolveEditorCredential(dir, {});
    expect(second).toMatchObject({
      source: 'file',
      accessKeyId: first.accessKeyId,
      secretAccessKey: first.secretAccessKey,
    });
  });

  it('prefers the environment pair and refuses half of one', () => {
    const dir = tempDir();
    const fromEnv = resolveEditorCredential(dir, {
      NEWSDESK_EDITOR_ACCESS_KEY_ID: 'AKIAENV',
      NEWSDESK_EDITOR_SECRET_ACCESS_KEY: 'env-secret',
    });
    expect(fromEnv).toMatchObject({
      source: 'environment',
      accessKeyId: 'AKIAENV',
      secretAccessKey: 'env-secret',
    });
    expect(() => resolveEditorCredential(dir, { NEWSDESK_EDITOR_ACCESS_KEY_ID: 'AKIAENV' })).toThrow(/both/);
  });

  it('tightens a credentials file readable by others and rejects a broken one', () => {
    const dir = tempDir();
    writeFileSync(credentialsFile(dir), JSON.stringify({ accessKeyId: 'AKIAX', secretAccessKey: 's' }), {
      mode: 0o644,
    });
    expect(resolveEditorCredential(dir, {}).accessKeyId).toBe('AKIAX');
    expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600);
    writeFileSync(credentialsFile(dir), '{"accessKeyId":1}');
    expect(() => resolveEditorCredential(dir, {})).toThrow(/accessKeyId/);
  });

  it('keeps one cursor secret of at least 32 characters', () => {
    const dir = tempDir();
    const secret = resolveCursorSecret(dir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(resolveCursorSecret(dir)).toBe(secret);
  });
});
