/**
 * Revisions and preview links on DynamoDB Local: the history of an article through
 * creates, edits, restores and a take-down; restores moving tag entries and lists; racing
 * restores; the one-Query-per-page cost; and what a preview link shows, and when it stops.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import type { ArticleService } from '../../functions/core/articles.ts';
import {
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
} from '../../functions/core/errors.ts';
import { PreviewService, signPreviewToken } from '../../functions/core/preview.ts';
import { parseSiteSettings } from '../../functions/core/site.ts';
import { VersionMismatchError } from '../../functions/core/store/errors.ts';
import { tagPk } from '../../functions/core/store/layout.ts';
import { makeHandler as createPreview } from '../../functions/create-preview.ts';
import { makeHandler as getArticle } from '../../functions/get-article.ts';
import { makeHandler as getPreview } from '../../functions/get-preview.ts';
import { makeHandler as restoreRevision } from '../../functions/restore-revision.ts';
import { type Clock, fixedClock, localService } from '../support/dynamodb.ts';
import { apiEvent, EDITOR_ARN, invoke } from '../support/events.ts';

// The preview handler modules build their default service at import (cold start), from
// SITE_SETTINGS as the stack sets it; this test hands them its own anyway.
vi.hoisted(() => {
  process.env.SITE_SETTINGS = JSON.stringify({
    name: 'T',
    url: 'https://www.example.com',
    articleUrl: 'https://www.example.com/#/articles/{slug}',
    language: 'en',
    previewUrl: 'https://www.example.com/#/preview/{token}',
  });
});

const EDITOR = 'arn:aws:iam::000000000000:user/alice';
const OTHER = 'arn:aws:iam::000000000000:user/bob';
const KEY = 'preview-test-key-0123456789abcdef0123456789abcdef';

const input = (overrides: Partial<CreateArticleInput> = {}): CreateArticleInput => ({
  slug: null,
  title: 'A title',
  summary: null,
  body: 'Some *Markdown*.',
  author: null,
  tags: [],
  status: 'published',
  publishedAt: null,
  ...overrides,
});

const previewEvent = (token: string) =>
  apiEvent({
    method: 'GET',
    resource: '/preview/{token}',
    path: `/preview/${token}`,
    pathParameters: { token },
  });

describe('revisions on DynamoDB Local', () => {
  let service: ArticleService;
  let clock: Clock;
  let env: Awaited<ReturnType<typeof localService>>;
  /** The DynamoDB commands sent since the last reset, by name. */
  const commands: string[] = [];

  beforeAll(async () => {
    clock = fixedClock('2026-03-01T12:00:00.000Z');
    env = await localService(clock);
    service = env.service;
    env.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
  });

  const tick = () => {
    clock.now = new Date(clock.now.getTime() + 1000);
  };

  it('lists every version newest first through creates, edits and restores; 404 once taken down', async () => {
    const v1 = await service.create(input({ slug: 'history', title: 'First' }), EDITOR);
    tick();
    const v2 = await service.update(
      'history',
      v1.etag,
      { ...input({ title: 'Second' }), status: 'draft' },
      OTHER,
    );
    tick();
    const v3 = await service.restore('history', 1, v2.etag, EDITOR);
    expect(v3.article).toMatchObject({ version: 3, title: 'First', status: 'published', updatedBy: EDITOR });
    expect(v3.article.publishedAt).toBe(v1.article.publishedAt);
    expect(v3.etag).not.toBe(v1.etag);

    const page = await service.history('history', { limit: 20, cursor: undefined });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((item) => [item.version, item.title, item.status, item.updatedBy])).toEqual([
      [3, 'First', 'published', EDITOR],
      [2, 'Second', 'draft', OTHER],
      [1, 'First', 'published', EDITOR],
    ]);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['publishedAt', 'status', 'title', 'updatedAt', 'updatedBy', 'version'].sort(),
    );
    // A version in full, as its write answered it.
    expect(await service.getRevision('history', 2)).toEqual(v2.article);
    expect(await service.getRevision('history', 3)).toEqual(v3.article);
    await expect(service.getRevision('history', 4)).rejects.toBeInstanceOf(NotFoundError);

    await service.takeDown('history', v3.etag, EDITOR);
    await expect(service.history('history', { limit: 20, cursor: undefined })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(service.getRevision('history', 1)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.restore('history', 1, '*', EDITOR)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.history('never', { limit: 20, cursor: undefined })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('restore needs If-Match (428), refuses a stale one (412) and an unknown version (404)', async () => {
    const v1 = await service.create(input({ slug: 'guarded' }), EDITOR);
    await expect(service.restore('guarded', 1, undefined, EDITOR)).rejects.toBeInstanceOf(
      PreconditionRequiredError,
    );
    await expect(service.restore('guarded', 1, '"stale"', EDITOR)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(service.restore('guarded', 7, v1.etag, EDITOR)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a restore of a version with other tags and status moves tag entries and lists', async () => {
    const v1 = await service.create(
      input({ slug: 'moving', tags: ['alpha'], publishedAt: '2026-02-01T00:00:00Z' }),
      EDITOR,
    );
    tick();
    const v2 = await service.update(
      'moving',
      v1.etag,
      { ...input({ tags: ['beta'] }), status: 'draft' },
      EDITOR,
    );
    const tagSlugs = async (tag: string) => {
      const { Items = [] } = await env.client.send(
        new QueryCommand({
          TableName: env.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': tagPk(tag) },
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => String(item.slug));
    };
    expect(await tagSlugs('alpha')).not.toContain('moving');
    const drafts = await service.listForEditor({ limit: 100, cursor: undefined, status: 'draft' });
    expect(drafts.items.map((item) => item.slug)).toContain('moving');

    tick();
    const v3 = await service.restore('moving', 1, v2.etag, EDITOR);
    expect(v3.article).toMatchObject({
      status: 'published',
      tags: ['alpha'],
      publishedAt: '2026-02-01T00:00:00Z',
    });
    expect(await tagSlugs('alpha')).toContain('moving');
    expect(await tagSlugs('beta')).not.toContain('moving');
    const byTag = await service.listPublic({ limit: 100, cursor: undefined, tag: 'alpha' });
    expect(byTag.items.map((item) => item.slug)).toContain('moving');
    const draftsAfter = await service.listForEditor({ limit: 100, cursor: undefined, status: 'draft' });
    expect(draftsAfter.items.map((item) => item.slug)).not.toContain('moving');
    const published = await service.listForEditor({ limit: 100, cursor: undefined, status: 'published' });
    expect(published.items.map((item) => item.slug)).toContain('moving');

    // And back to the draft: out of the tag list and the public list again.
    const v4 = await service.restore('moving', 2, v3.etag, EDITOR);
    expect(v4.article).toMatchObject({ version: 4, status: 'draft', tags: ['beta'] });
    expect(await tagSlugs('alpha')).not.toContain('moving');
    await expect(service.getPublic('moving')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('of two restores racing on one ETag exactly one wins', async () => {
    const v1 = await service.create(input({ slug: 'race', title: 'One' }), EDITOR);
    const v2 = await service.update('race', v1.etag, input({ title: 'Two' }), EDITOR);
    const outcomes = await Promise.allSettled([
      service.restore('race', 1, v2.etag, EDITOR),
      service.restore('race', 1, v2.etag, OTHER),
      service.restore('race', 2, v2.etag, OTHER),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      // Refused at the conditional write (or, if the winner was already done, at the ETag check): 412 both.
      if (o.status === 'rejected') {
        expect(o.reason instanceof VersionMismatchError || o.reason instanceof PreconditionFailedError).toBe(
          true,
        );
      }
    }
    const page = await service.history('race', { limit: 20, cursor: undefined });
    expect(page.items.map((item) => item.version)).toEqual([3, 2, 1]);
  });

  it('reads a history page with one Query whatever the number of versions (45), walking every version once', async () => {
    let tagged = await service.create(input({ slug: 'long', body: '漢'.repeat(70_000) }), EDITOR);
    for (let version = 2; version <= 45; version++) {
      // Every tenth version large enough to lie in slices, which sort among the revisions.
      const body = version % 10 === 0 ? '漢'.repeat(70_000) : `Version ${version}.`;
      tagged = await service.update('long', tagged.etag, input({ title: `V${version}`, body }), EDITOR);
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      commands.length = 0;
      const page = await service.history('long', { limit: 7, cursor });
      expect(commands.filter((name) => name === 'QueryCommand')).toHaveLength(1);
      expect(commands.filter((name) => name !== 'QueryCommand')).toEqual(['GetItemCommand']);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((item) => item.version));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined && pages < 30);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => 45 - i));
    // A large version in full, and restored.
    expect((await service.getRevision('long', 1)).body).toBe('漢'.repeat(70_000));
    const restored = await service.restore('long', 1, tagged.etag, EDITOR);
    expect(restored.article.body).toBe('漢'.repeat(70_000));
    // A cursor of another article's history is refused.
    const first = await service.history('long', { limit: 1, cursor: undefined });
    await expect(
      service.history('race', { limit: 1, cursor: first.nextCursor ?? undefined }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('restore over HTTP: no body accepted (400), If-Match required (428)', async () => {
    const handler = restoreRevision(service);
    const v1 = await service.create(input({ slug: 'http-restore' }), EDITOR);
    const event = (headers: Record<string, string>, body: string | null = null) =>
      apiEvent({
        method: 'POST',
        resource: '/editor/articles/{slug}/revisions/{version}/restore',
        path: '/editor/articles/http-restore/revisions/1/restore',
        pathParameters: { slug: 'http-restore', version: '1' },
        headers,
        body,
        userArn: EDITOR_ARN,
      });
    expect((await invoke(handler, event({}))).status).toBe(428);
    expect(
      (await invoke(handler, event({ 'If-Match': v1.etag, 'Content-Type': 'application/json' }, '{}')))
        .status,
    ).toBe(400);
    const ok = await invoke(handler, event({ 'If-Match': v1.etag }));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ version: 2 });
    expect(ok.headers.etag).toMatch(/^".+"$/);
    for (const version of ['0', '-1', '01', 'x', '1.5']) {
      const bad = apiEvent({
        method: 'POST',
        resource: '/editor/articles/{slug}/revisions/{version}/restore',
        path: `/editor/articles/http-restore/revisions/${version}/restore`,
        pathParameters: { slug: 'http-restore', version },
        headers: { 'If-Match': String(ok.headers.etag) },
        userArn: EDITOR_ARN,
      });
      expect((await invoke(handler, bad)).status).toBe(404);
    }
  });
});

describe('preview links on DynamoDB Local', () => {
  let service: ArticleService;
  let clock: Clock;
  let previews: PreviewService;
  const site = parseSiteSettings(
    { name: 'T', url: 'https://www.example.com' },
    { url: 'https://www.example.com' },
  );

  beforeAll(async () => {
    clock = fixedClock('2026-03-01T12:00:00.000Z');
    const env = await localService(clock);
    service = env.service;
    previews = new PreviewService({ store: env.store, key: async () => KEY, clock });
  });

  const expectPreviewHeaders = (headers: Record<string, string>) => {
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-robots-tag']).toBe('noindex');
    expect(headers.etag).toBeUndefined();
  };

  it('shows a draft and a scheduled article by their link and by no public route', async () => {
    const publicGet = getArticle(service);
    const show = getPreview(previews);
    await service.create(input({ slug: 'secret-draft', status: 'draft', title: 'Draft' }), EDITOR);
    await service.create(
      input({ slug: 'later', publishedAt: '2026-06-01T00:00:00Z', title: 'Later' }),
      EDITOR,
    );
    for (const slug of ['secret-draft', 'later']) {
      const { token } = await previews.create(slug, 3600);
      const shown = await invoke(show, previewEvent(token));
      expect(shown.status).toBe(200);
      expectPreviewHeaders(shown.headers);
      expect(shown.json.slug).toBe(slug);
      expect(Object.keys(shown.json).sort()).toEqual(
        ['author', 'body', 'bodyHtml', 'publishedAt', 'slug', 'summary', 'tags', 'title', 'updatedAt'].sort(),
      );
      const pub = await invoke(
        publicGet,
        apiEvent({
          method: 'GET',
          resource: '/articles/{slug}',
          path: `/articles/${slug}`,
          pathParameters: { slug },
        }),
      );
      expect(pub.status).toBe(404);
    }
  });

  it('keeps showing its version after later edits; 404 once expired or taken down', async () => {
    const show = getPreview(previews);
    const v1 = await service.create(input({ slug: 'pinned', title: 'Pinned one', status: 'draft' }), EDITOR);
    const link = await previews.create('pinned', 60);
    expect(link.expiresAt).toBe('2026-03-01T12:01:00.000Z');
    const v2 = await service.update('pinned', v1.etag, input({ title: 'Pinned two' }), EDITOR);
    expect((await invoke(show, previewEvent(link.token))).json.title).toBe('Pinned one');
    const later = await previews.create('pinned', 3600);
    expect((await invoke(show, previewEvent(later.token))).json.title).toBe('Pinned two');

    clock.now = new Date('2026-03-01T12:01:00.000Z');
    const expired = await invoke(show, previewEvent(link.token));
    expect(expired.status).toBe(404);
    expect(expired.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectPreviewHeaders(expired.headers);
    expect((await invoke(show, previewEvent(later.token))).status).toBe(200);

    await service.takeDown('pinned', v2.etag, EDITOR);
    const gone = await invoke(show, previewEvent(later.token));
    expect(gone.status).toBe(404);
    expectPreviewHeaders(gone.headers);
    await expect(previews.create('pinned', 60)).rejects.toBeInstanceOf(NotFoundError);
    clock.now = new Date('2026-03-01T12:00:00.000Z');
  });

  it('refuses a token changed at any position, signed with another key, or unknown', async () => {
    await service.create(input({ slug: 'tamper', status: 'draft' }), EDITOR);
    const { token } = await previews.create('tamper', 3600);
    expect(await previews.read(token)).toMatchObject({ slug: 'tamper' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: token.length - 1 }),
        fc.integer({ min: 1, max: alphabet.length - 1 }),
        async (position, shift) => {
          const original = token[position] ?? '';
          const replacement = alphabet[(alphabet.indexOf(original) + shift) % alphabet.length] ?? '';
          const changed = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          await expect(previews.read(changed)).rejects.toBeInstanceOf(NotFoundError);
        },
      ),
      { numRuns: 300 },
    );
    // Every position, exhaustively, with its neighbour character.
    for (let position = 0; position < token.length; position++) {
      const original = token[position] ?? '';
      const replacement = alphabet[(alphabet.indexOf(original) + 1) % alphabet.length] ?? '';
      const changed = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
      await expect(previews.read(changed), `position ${position}`).rejects.toBeInstanceOf(NotFoundError);
    }
    const show = getPreview(previews);
    const foreign = signPreviewToken('another-key-0123456789abcdef0123456789', {
      slug: 'tamper',
      version: 1,
      expiresAt: Math.floor(clock.now.getTime() / 1000) + 60,
    });
    const unknown = signPreviewToken(KEY, {
      slug: 'nobody',
      version: 1,
      expiresAt: Math.floor(clock.now.getTime() / 1000) + 60,
    });
    const noVersion = signPreviewToken(KEY, {
      slug: 'tamper',
      version: 9,
      expiresAt: Math.floor(clock.now.getTime() / 1000) + 60,
    });
    for (const bad of [foreign, unknown, noVersion, 'not-a-token', `${token}x`, token.toUpperCase()]) {
      const answer = await invoke(show, previewEvent(bad));
      expect(answer.status, bad).toBe(404);
      expectPreviewHeaders(answer.headers);
    }
  });

  it('POST …/preview: 201 with token, url, apiUrl, expiresAt; expiresInSeconds checked', async () => {
    await service.create(input({ slug: 'linkable', status: 'draft' }), EDITOR);
    const make = createPreview(previews, site);
    const event = (body: string | null) =>
      apiEvent({
        method: 'POST',
        resource: '/editor/articles/{slug}/preview',
        path: '/editor/articles/linkable/preview',
        pathParameters: { slug: 'linkable' },
        headers: body === null ? {} : { 'Content-Type': 'application/json' },
        body,
        userArn: EDITOR_ARN,
      });
    const made = await invoke(make, event(null));
    expect(made.status).toBe(201);
    const token = String(made.json.token);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(made.json).toEqual({
      token,
      url: `https://www.example.com/#/preview/${token}`,
      apiUrl: `https://api.example.com/v1/preview/${token}`,
      expiresAt: '2026-03-02T12:00:00.000Z',
    });
    expect((await invoke(make, event('{"expiresInSeconds":60}'))).json.expiresAt).toBe(
      '2026-03-01T12:01:00.000Z',
    );
    expect((await invoke(make, event('{"expiresInSeconds":604800}'))).status).toBe(201);
    for (const body of [
      '{"expiresInSeconds":59}',
      '{"expiresInSeconds":604801}',
      '{"expiresInSeconds":"60"}',
      '{"expiresInSeconds":90.5}',
      '{"other":1}',
      '[]',
      '"x"',
      'nope',
    ]) {
      const refused = await invoke(make, event(body));
      expect(refused.status, body).toBe(400);
    }
    const missing = apiEvent({
      method: 'POST',
      resource: '/editor/articles/{slug}/preview',
      path: '/editor/articles/nobody/preview',
      pathParameters: { slug: 'nobody' },
      userArn: EDITOR_ARN,
    });
    expect((await invoke(make, missing)).status).toBe(404);
  });
});
