import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import type { ArticleService } from '../../functions/core/articles.ts';
import { encodeCursor } from '../../functions/core/cursor.ts';
import {
  BadRequestError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
} from '../../functions/core/errors.ts';
import { InvalidStartKeyError, SlugTakenError } from '../../functions/core/store/errors.ts';
import { type Clock, fixedClock, localService, TEST_CURSOR_SECRET } from '../support/dynamodb.ts';

const EDITOR = 'arn:aws:iam::000000000000:user/alice';
const OTHER = 'arn:aws:iam::000000000000:user/bob';

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

async function walk(
  list: (cursor: string | undefined) => Promise<{ items: { slug: string }[]; nextCursor: string | null }>,
) {
  const slugs: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    slugs.push(...page.items.map((item) => item.slug));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor !== undefined);
  return { slugs, pages };
}

describe('article store on DynamoDB Local', () => {
  let service: ArticleService;
  let clock: Clock;
  let env: Awaited<ReturnType<typeof localService>>;

  beforeAll(async () => {
    clock = fixedClock('2026-01-01T12:00:00.000Z');
    env = await localService(clock);
    service = env.service;
  });

  it('creates, reads back and refuses a second create of the same slug (409)', async () => {
    const created = await service.create(input({ title: 'Hello world', tags: ['news'] }), EDITOR);
    expect(created.article).toMatchObject({
      slug: 'hello-world',
      status: 'published',
      version: 1,
      createdBy: EDITOR,
      updatedBy: EDITOR,
      publishedAt: '2026-01-01T12:00:00.000Z',
      bodyHtml: '<p>Some <em>Markdown</em>.</p>\n',
    });
    const fetched = await service.getPublic('hello-world');
    expect(fetched.article.title).toBe('Hello world');
    expect((await service.getForEditor('hello-world')).etag).toBe(created.etag);
    await expect(service.create(input({ title: 'Hello world' }), OTHER)).rejects.toBeInstanceOf(
      SlugTakenError,
    );
  });

  it('updates with optimistic concurrency: 428 without If-Match, 412 when stale', async () => {
    const { etag } = await service.create(input({ slug: 'occ', title: 'v1' }), EDITOR);
    await expect(service.update('occ', undefined, input({ title: 'x' }), EDITOR)).rejects.toBeInstanceOf(
      PreconditionRequiredError,
    );
    const updated = await service.update('occ', etag, input({ title: 'v2' }), OTHER);
    expect(updated.article).toMatchObject({ title: 'v2', version: 2, createdBy: EDITOR, updatedBy: OTHER });
    expect(updated.etag).not.toBe(etag);
    await expect(service.update('occ', etag, input({ title: 'v3' }), EDITOR)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(service.update('missing', etag, input(), EDITOR)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps tag entries and revisions in step with every write, in one transaction', async () => {
    const first = await service.create(input({ slug: 'tagged', tags: ['alpha', 'beta'] }), EDITOR);
    const second = await service.update(
      'tagged',
      first.etag,
      input({ title: 'retagged', tags: ['beta', 'gamma'] }),
      EDITOR,
    );
    const tagSlugs = async (tag: string) =>
      (await service.listPublic({ limit: 100, cursor: undefined, tag })).items.map((i) => i.slug);
    expect(await tagSlugs('alpha')).not.toContain('tagged');
    expect(await tagSlugs('beta')).toContain('tagged');
    expect(await tagSlugs('gamma')).toContain('tagged');
    const betaItem = (await service.listPublic({ limit: 100, cursor: undefined, tag: 'beta' })).items.find(
      (i) => i.slug === 'tagged',
    );
    expect(betaItem?.title).toBe('retagged');

    await service.takeDown('tagged', second.etag, OTHER);
    expect(await tagSlugs('beta')).not.toContain('tagged');
    expect(await tagSlugs('gamma')).not.toContain('tagged');

    const partition = await env.client.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ARTICLE#tagged' },
        ConsistentRead: true,
      }),
    );
    const items = partition.Items ?? [];
    const revisions = items.filter((i) => /^R#\d+$/.test(String(i.sk)));
    expect(revisions.map((r) => [r.version, r.title])).toEqual([
      [1, 'A title'],
      [2, 'retagged'],
    ]);
    // Each revision keeps its content too (inside the item, as it is small).
    expect(revisions.map((r) => r.body)).toEqual(['Some *Markdown*.', 'Some *Markdown*.']);
    const head = items.find((i) => i.sk === 'A');
    expect(head).toMatchObject({ version: 3, takenDownBy: OTHER, title: 'retagged' });
  });

  it('takes down: hidden everywhere, content kept, slug stays taken, second take-down 404', async () => {
    const { etag } = await service.create(
      input({ slug: 'gone', body: 'keep me', tags: ['gone-tag'] }),
      EDITOR,
    );
    await expect(service.takeDown('gone', '"stale"', EDITOR)).rejects.toBeInstanceOf(PreconditionFailedError);
    await service.takeDown('gone', etag, EDITOR);
    await expect(service.getPublic('gone')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.getForEditor('gone')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.takeDown('gone', undefined, EDITOR)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.update('gone', etag, input(), EDITOR)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.create(input({ slug: 'gone' }), EDITOR)).rejects.toBeInstanceOf(SlugTakenError);
    const all = await walk((cursor) => service.listForEditor({ limit: 100, cursor, status: undefined }));
    expect(all.slugs).not.toContain('gone');
    // The head keeps its content, and so does the version's revision.
    const stored = await env.client.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ARTICLE#gone' },
        ConsistentRead: true,
      }),
    );
    expect(stored.Items?.map((item) => item.sk)).toEqual(['A', 'R#0000000001']);
    for (const item of stored.Items ?? []) {
      expect(item).toMatchObject({ body: 'keep me', bodyHtml: '<p>keep me</p>\n' });
    }
  });

  it('makes a scheduled article visible at its instant, with no further write', async () => {
    // 13:00+01:00 is 12:00Z: not yet visible at 11:59:59.999Z.
    clock.now = new Date('2026-01-01T11:59:59.999Z');
    const { article } = await service.create(
      input({ slug: 'scheduled', publishedAt: '2026-01-01T13:00:00+01:00', tags: ['later'] }),
      EDITOR,
    );
    expect(article.status).toBe('scheduled');
    expect(article.publishedAt).toBe('2026-01-01T13:00:00+01:00');
    await expect(service.getPublic('scheduled')).rejects.toBeInstanceOf(NotFoundError);
    const before = await service.listPublic({ limit: 100, cursor: undefined, tag: 'later' });
    expect(before.items).toEqual([]);
    expect(
      (await service.listForEditor({ limit: 100, cursor: undefined, status: 'scheduled' })).items.map(
        (i) => i.slug,
      ),
    ).toContain('scheduled');

    clock.now = new Date('2026-01-01T12:00:00.000Z');
    expect((await service.getPublic('scheduled')).article.slug).toBe('scheduled');
    const after = await service.listPublic({ limit: 100, cursor: undefined, tag: 'later' });
    expect(after.items.map((i) => i.slug)).toEqual(['scheduled']);
    expect(
      (await service.listForEditor({ limit: 100, cursor: undefined, status: 'published' })).items.map(
        (i) => i.slug,
      ),
    ).toContain('scheduled');
  });

  it('keeps drafts private and lists them for editors', async () => {
    await service.create(input({ slug: 'a-draft', status: 'draft', tags: ['news'] }), EDITOR);
    await expect(service.getPublic('a-draft')).rejects.toBeInstanceOf(NotFoundError);
    expect((await service.getForEditor('a-draft')).article).toMatchObject({
      status: 'draft',
      publishedAt: null,
    });
    const drafts = await service.listForEditor({ limit: 100, cursor: undefined, status: 'draft' });
    expect(drafts.items.map((i) => i.slug)).toEqual(['a-draft']);
    const news = await service.listPublic({ limit: 100, cursor: undefined, tag: 'news' });
    expect(news.items.map((i) => i.slug)).not.toContain('a-draft');
  });

  it('stores and reads back the largest article the contract accepts', async () => {
    // A body that fills a 256 KiB request with 3-byte UTF-8 characters.
    const overhead = Buffer.byteLength(JSON.stringify({ title: 'Big', body: '' }), 'utf8');
    const body = '漢'.repeat(Math.floor((256 * 1024 - overhead) / 3));
    expect(Buffer.byteLength(JSON.stringify({ title: 'Big', body }), 'utf8')).toBeLessThanOrEqual(256 * 1024);
    const created = await service.create(input({ slug: 'big', title: 'Big', body }), EDITOR);
    const read = await service.getForEditor('big');
    expect(read.article.body).toBe(body);
    expect(read.article.bodyHtml).toBe(`<p>${body}</p>\n`);
    // And survives an update (revision copy + new content in one transaction).
    const updated = await service.update(
      'big',
      created.etag,
      input({ title: 'Big', body: `${body}!` }),
      EDITOR,
    );
    expect((await service.getPublic('big')).article.body).toBe(`${body}!`);
    expect(updated.article.version).toBe(2);
    const chunkKeys = async () =>
      (
        (
          await env.client.send(
            new QueryCommand({
              TableName: env.tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
              ExpressionAttributeValues: { ':pk': 'ARTICLE#big', ':c': 'C#' },
              ConsistentRead: true,
            }),
          )
        ).Items ?? []
      ).map((item) => item.sk);
    // Body and HTML together pass an item's 400 KB: each lies in a slice item of its own.
    expect(await chunkKeys()).toEqual(['C#body#000', 'C#bodyHtml#000']);
    // Shrunk to a small body: the content moves into the head and the slices go.
    const small = await service.update(
      'big',
      updated.etag,
      input({ title: 'Big', body: 'small now' }),
      EDITOR,
    );
    expect(await chunkKeys()).toEqual([]);
    expect((await service.getForEditor('big')).article.body).toBe('small now');
    expect(await service.update('big', small.etag, input({ title: 'Big', body }), EDITOR)).toMatchObject({
      article: { version: 4, body },
    });
    expect((await service.getPublic('big')).article.body).toBe(body);
  });
});

describe('paging on DynamoDB Local', () => {
  let service: ArticleService;

  beforeAll(async () => {
    const clock = fixedClock('2026-06-01T00:00:00.000Z');
    ({ service } = await localService(clock));
    // 150 articles; every third shares its publishedAt with the next to exercise slug ties.
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const jobs = Array.from({ length: 150 }, (_, i) => {
      const minute = i - (i % 3 === 1 ? 1 : 0);
      return service.create(
        input({
          slug: `article-${String(i).padStart(3, '0')}`,
          publishedAt: new Date(base + minute * 60_000).toISOString(),
          tags: i % 2 === 0 ? ['even'] : ['odd'],
        }),
        EDITOR,
      );
    });
    for (let i = 0; i < jobs.length; i += 25) await Promise.all(jobs.slice(i, i + 25));
  }, 120_000);

  const expectedOrder = (filter: (i: number) => boolean) => {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    return Array.from({ length: 150 }, (_, i) => i)
      .filter(filter)
      .map((i) => ({
        slug: `article-${String(i).padStart(3, '0')}`,
        at: base + (i - (i % 3 === 1 ? 1 : 0)) * 60_000,
      }))
      .sort((a, b) => b.at - a.at || a.slug.localeCompare(b.slug))
      .map((a) => a.slug);
  };

  it.each([1, 7, 20, 100])(
    'walks every visible article exactly once, newest first, ties by slug (limit %i)',
    async (limit) => {
      const { slugs, pages } = await walk((cursor) => service.listPublic({ limit, cursor, tag: undefined }));
      expect(slugs).toEqual(expectedOrder(() => true));
      expect(pages).toBe(Math.ceil(150 / limit));
    },
  );

  it('pages a tag with the same guarantees', async () => {
    const { slugs } = await walk((cursor) => service.listPublic({ limit: 9, cursor, tag: 'even' }));
    expect(slugs).toEqual(expectedOrder((i) => i % 2 === 0));
  });

  it('pages the editor list by status', async () => {
    const { slugs } = await walk((cursor) =>
      service.listForEditor({ limit: 40, cursor, status: 'published' }),
    );
    expect(slugs).toEqual(expectedOrder(() => true));
    const all = await walk((cursor) => service.listForEditor({ limit: 33, cursor, status: undefined }));
    expect(new Set(all.slugs).size).toBe(150);
  });

  it('refuses tampered, foreign and cross-query cursors', async () => {
    const first = await service.listPublic({ limit: 5, cursor: undefined, tag: undefined });
    const cursor = first.nextCursor ?? '';
    // Storage keys are not readable in a cursor.
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/ARTICLE|gsi|PUB|pk/);
    const flip = (at: number) =>
      `${cursor.slice(0, at)}${cursor[at] === 'A' ? 'B' : 'A'}${cursor.slice(at + 1)}`;
    for (const bad of [
      flip(0),
      flip(20),
      flip(cursor.length - 3),
      cursor.slice(0, -4),
      'garbage',
      `${cursor}.x`,
      '',
    ]) {
      await expect(service.listPublic({ limit: 5, cursor: bad, tag: undefined })).rejects.toBeInstanceOf(
        BadRequestError,
      );
    }
    // Signed with another secret (another deployment's cursor).
    const foreign = encodeCursor('another-secret-another-secret-another', 'public|tag=', {
      pk: 'x',
      sk: 'y',
    });
    await expect(service.listPublic({ limit: 5, cursor: foreign, tag: undefined })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    // Bound to its query: another tag or the editor route refuse it.
    await expect(service.listPublic({ limit: 5, cursor, tag: 'even' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(service.listForEditor({ limit: 5, cursor, status: 'published' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    // A validly signed cursor whose key does not belong to the query is refused too.
    const wrongKey = encodeCursor(TEST_CURSOR_SECRET, 'public|tag=', { pk: 'x', sk: 'y' });
    await expect(service.listPublic({ limit: 5, cursor: wrongKey, tag: undefined })).rejects.toBeInstanceOf(
      InvalidStartKeyError,
    );
  });

  it('has one ETag per version, the same on every route, new on every write', async () => {
    const created = await service.create(input({ slug: 'etags', tags: ['news'] }), EDITOR);
    const v1 = await service.getForEditor('etags');
    expect(v1.etag).toBe(created.etag);
    expect(v1.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await service.getPublic('etags')).etag).toBe(v1.etag);

    // Another article's ETag, or one never issued, does not fit this one.
    const other = await service.create(input({ slug: 'etags-other' }), EDITOR);
    for (const stale of [other.etag, '"AAAAAAAAAAAAAAAAAAAAAA"', `W/${v1.etag}`]) {
      await expect(service.update('etags', stale, input(), EDITOR)).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      await expect(service.takeDown('etags', stale, EDITOR)).rejects.toBeInstanceOf(PreconditionFailedError);
    }
    expect((await service.getForEditor('etags')).article).toMatchObject({ version: 1, createdBy: EDITOR });

    const updated = await service.update('etags', v1.etag, input({ title: 'Second' }), OTHER);
    expect(updated.article).toMatchObject({ version: 2, createdBy: EDITOR, updatedBy: OTHER });
    expect(updated.etag).not.toBe(v1.etag);
    expect((await service.getPublic('etags')).etag).toBe(updated.etag);
    await expect(service.update('etags', v1.etag, input(), EDITOR)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    // `*` and a list holding the current one match.
    const third = await service.update('etags', `"x", ${updated.etag}`, input({ title: 'Third' }), EDITOR);
    await service.update('etags', '*', input({ title: 'Fourth' }), EDITOR);
    expect(third.article.version).toBe(3);
    expect((await service.getForEditor('etags')).article).toMatchObject({ version: 4, title: 'Fourth' });
  });
});
