/**
 * The syndication reads of the store (feed, publishedBetween, oldestPublishedAt) and the
 * SyndicationReader on DynamoDB Local, with a fixed clock: the 48-hour window and the
 * 1 000 cap at their edges, a month read that reads that month only, feeds of at most 50
 * in one Query + one BatchGetItem (+ one Query per article in slices), and nothing that is
 * not visible. Every DynamoDB command is recorded to check what each read costs.
 */
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../functions/core/article-model.ts';
import { parseSiteSettings } from '../../functions/core/site.ts';
import { DynamoArticleStore } from '../../functions/core/store/dynamo-store.ts';
import { SyndicationReader } from '../../functions/core/syndication-reader.ts';
import { createTestTable, fixedClock, localDocumentClient } from '../support/dynamodb.ts';

const EDITOR = 'arn:aws:iam::000000000000:user/alice';
const NOW = '2026-03-15T12:00:00.000Z';
const HOUR = 60 * 60 * 1000;
const SITE = parseSiteSettings({ name: 'Test', url: 'https://news.example.com' }, { url: '' });
const parser = new XMLParser({ isArray: (name) => name === 'url' || name === 'sitemap' });

const at = (offsetMs: number) => new Date(Date.parse(NOW) + offsetMs).toISOString();

function article(slug: string, publishedAt: string, extra: Partial<StoredArticle> = {}): StoredArticle {
  return {
    slug,
    title: `Title of ${slug}`,
    summary: null,
    body: `Body of ${slug}`,
    bodyHtml: `<p>Body of ${slug}</p>\n`,
    author: null,
    tags: [],
    status: 'published',
    publishedAt,
    createdAt: publishedAt,
    updatedAt: publishedAt,
    version: 1,
    createdBy: EDITOR,
    updatedBy: EDITOR,
    etag: randomUUID(),
    ...extra,
  };
}

/** A store on a fresh table, recording every command it sends (name and input). */
async function recordingStore() {
  const client = localDocumentClient();
  const tableName = await createTestTable(client);
  const commands: { name: string; input: Record<string, unknown> }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({ name: context.commandName ?? '', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'record' },
  );
  const store = new DynamoArticleStore(client, tableName);
  const clock = fixedClock(NOW);
  const reader = new SyndicationReader({ store, site: SITE, clock });
  /** Writes the articles (in parallel batches) without recording it. */
  const seed = async (articles: readonly StoredArticle[]) => {
    for (let i = 0; i < articles.length; i += 25) {
      await Promise.all(articles.slice(i, i + 25).map((a) => store.create(a)));
    }
    commands.length = 0;
  };
  return { store, clock, reader, commands, seed };
}

const locsOf = (xml: string): string[] => {
  const parsed = parser.parse(xml) as { urlset?: { url?: { loc: string }[] } };
  return (parsed.urlset?.url ?? []).map((url) => url.loc);
};
const slugOf = (loc: string) => loc.replace('https://news.example.com/#/articles/', '');

describe('news sitemap: the 48-hour window and the 1 000 cap', () => {
  let env: Awaited<ReturnType<typeof recordingStore>>;

  beforeAll(async () => {
    env = await recordingStore();
    await env.seed([
      article('edge-in', at(-48 * HOUR)), // exactly 48 hours ago: in
      article('edge-out', at(-48 * HOUR - 1)), // a millisecond earlier: out
      article('now', NOW), // exactly now: visible, in
      article('future', at(1)), // a millisecond ahead: scheduled, out
      article('draft', at(-HOUR), { status: 'draft' }),
      // Offsets are kept as the editor sent them, and compared as instants.
      article('offset', '2026-03-13T14:00:00.000+02:00'), // = 12:00Z, 48 h ago: in
    ]);
  });

  it('keeps from exactly now − 48 h to exactly now, in one Query of the index', async () => {
    const xml = (await env.reader.newsSitemap()).body;
    expect(locsOf(xml).map(slugOf)).toEqual(['now', 'edge-in', 'offset']);
    expect(env.commands.map((c) => c.name)).toEqual(['QueryCommand']);
    expect(env.commands[0]?.input).toMatchObject({
      IndexName: 'byStatus',
      Limit: 1000,
      ScanIndexForward: false,
    });
  });

  it('a scheduled article enters the window when its time comes, with no write', async () => {
    env.clock.now = new Date(Date.parse(NOW) + 1);
    expect(locsOf((await env.reader.newsSitemap()).body).map(slugOf)).toContain('future');
    // ...and the article 48 hours back from the new now leaves it.
    expect(locsOf((await env.reader.newsSitemap()).body).map(slugOf)).not.toContain('edge-in');
    env.clock.now = new Date(NOW);
  });

  it('lists at most 1 000, the newest, reading no more than that', async () => {
    const many = await recordingStore();
    await many.seed(
      Array.from({ length: 1001 }, (_, i) => article(`a-${String(i).padStart(4, '0')}`, at(-i * 60_000))),
    );
    const slugs = locsOf((await many.reader.newsSitemap()).body).map(slugOf);
    expect(slugs).toHaveLength(1000);
    expect(slugs[0]).toBe('a-0000');
    expect(slugs.at(-1)).toBe('a-0999');
    expect(many.commands.map((c) => c.name)).toEqual(['QueryCommand']);
  }, 120_000);
});

describe('monthly sitemaps read that month only', () => {
  let env: Awaited<ReturnType<typeof recordingStore>>;

  beforeAll(async () => {
    env = await recordingStore();
    await env.seed([
      article('jan-last', '2026-01-31T23:59:59.999Z'),
      article('feb-first', '2026-02-01T00:00:00.000Z'),
      article('feb-offset', '2026-03-01T00:30:00.000+01:00'), // 23:30Z on Feb 28: February
      article('feb-last', '2026-02-28T23:59:59.999Z'),
      article('mar-first', '2026-03-01T00:00:00.000Z'),
      article('mar-draft', '2026-03-02T00:00:00.000Z', { status: 'draft' }),
      article('mar-scheduled', at(HOUR)), // later this month: not yet
      article('old', '2025-11-05T00:00:00.000Z'),
    ]);
  });

  beforeEach(() => {
    env.commands.length = 0;
  });

  it("lists the month's visible articles, from its first instant to before the next month's", async () => {
    const slugs = locsOf((await env.reader.monthlySitemap('2026-02')).body).map(slugOf);
    expect(slugs.sort()).toEqual(['feb-first', 'feb-last', 'feb-offset']);
    expect(env.commands).toHaveLength(1);
    const values = env.commands[0]?.input.ExpressionAttributeValues as Record<string, string>;
    expect(values[':lower']).toBe('2026-02-01T00:00:00.000Z#');
    expect(values[':upper']).toBe('2026-03-01T00:00:00.000Z#');
  });

  it('the current month ends at now: a scheduled article is not in it', async () => {
    expect(locsOf((await env.reader.monthlySitemap('2026-03')).body).map(slugOf)).toEqual(['mar-first']);
    const values = env.commands[0]?.input.ExpressionAttributeValues as Record<string, string>;
    expect(values[':upper']).toBe(`${at(1)}#`);
  });

  it('an empty month in range is an empty sitemap (one more Query, of one item)', async () => {
    expect(locsOf((await env.reader.monthlySitemap('2025-12')).body)).toEqual([]);
    expect(env.commands.map((c) => c.input.Limit)).toEqual([50_001, 1]);
  });

  it('a month before the oldest article, after now, or ill-formed is not found', async () => {
    for (const month of ['2025-10', '2026-04', '2026-13', '26-01', '2026-1']) {
      await expect(env.reader.monthlySitemap(month), month).rejects.toMatchObject({ status: 404 });
    }
    // After now and ill-formed months read nothing.
    expect(env.commands.map((c) => c.input.Limit)).toEqual([50_001, 1]);
  });

  it('the sitemap index spans the oldest visible month to now, in one Query of one item', async () => {
    const index = parser.parse((await env.reader.sitemapIndex('https://api.example.com/v1')).body) as {
      sitemapindex: { sitemap: { loc: string }[] };
    };
    expect(index.sitemapindex.sitemap.map((s) => s.loc)).toEqual(
      ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03'].map(
        (month) => `https://api.example.com/v1/sitemaps/${month}.xml`,
      ),
    );
    expect(env.commands).toHaveLength(1);
    expect(env.commands[0]?.input).toMatchObject({ Limit: 1, ScanIndexForward: true });
  });
});

describe('feeds: the newest 50 visible, in one Query and one BatchGetItem', () => {
  let env: Awaited<ReturnType<typeof recordingStore>>;
  const LARGE_HTML = `<p>${'漢'.repeat(130_000)}</p>`;

  beforeAll(async () => {
    env = await recordingStore();
    await env.seed([
      ...Array.from({ length: 60 }, (_, i) =>
        article(`n-${String(i).padStart(2, '0')}`, at(-(i + 1) * HOUR), {
          tags: i % 2 === 0 ? ['even'] : [],
        }),
      ),
      article('draft', at(-1), { status: 'draft', tags: ['even'] }),
      article('scheduled', at(HOUR), { tags: ['even'] }),
      article('sliced', at(-30 * 60_000), { tags: ['even'], bodyHtml: LARGE_HTML, body: 'x'.repeat(10) }),
    ]);
  });

  beforeEach(() => {
    env.commands.length = 0;
  });

  it('holds the newest 50 visible articles with their content', async () => {
    const articles = await env.store.feed({ tag: null, now: new Date(NOW), limit: 50 });
    expect(articles).toHaveLength(50);
    expect(articles.map((a) => a.slug).slice(0, 3)).toEqual(['sliced', 'n-00', 'n-01']);
    expect(articles[0]?.bodyHtml).toBe(LARGE_HTML);
    expect(articles[1]?.bodyHtml).toBe('<p>Body of n-00</p>\n');
    // The index, the heads, and the one article in slices.
    expect(env.commands.map((c) => `${c.name} ${c.input.IndexName ?? 'table'}`)).toEqual([
      'QueryCommand byStatus',
      'BatchGetItemCommand table',
      'QueryCommand table',
    ]);
  });

  it("a tag's feed reads the tag's partition, never a draft or a scheduled article", async () => {
    const articles = await env.store.feed({ tag: 'even', now: new Date(NOW), limit: 50 });
    expect(articles.map((a) => a.slug)).toEqual([
      'sliced',
      ...Array.from({ length: 30 }, (_, i) => `n-${String(i * 2).padStart(2, '0')}`),
    ]);
    expect(env.commands[0]?.input.KeyConditionExpression).toContain('#s < :s');
    const values = (env.commands[0]?.input.ExpressionAttributeValues ?? {}) as Record<string, string>;
    expect(values[':p']).toBe('TAG#even');
  });

  it('an article taken down (or changed) after the index was read is left out', async () => {
    const current = await env.store.get('n-00');
    if (current === undefined) throw new Error('n-00 missing');
    await env.store.takeDown(current, { by: EDITOR, at: NOW, etag: randomUUID() });
    const articles = await env.store.feed({ tag: null, now: new Date(NOW), limit: 50 });
    expect(articles.map((a) => a.slug)).not.toContain('n-00');
  });

  it('an empty site reads one Query and nothing else', async () => {
    const empty = await recordingStore();
    expect(await empty.store.feed({ tag: null, now: new Date(NOW), limit: 50 })).toEqual([]);
    expect(empty.commands.map((c) => c.name)).toEqual(['QueryCommand']);
  });
});
