/**
 * Feeds and sitemaps (API.md "Syndication: feeds and sitemaps"), black-box over HTTP:
 * - against `npm start` (bin/local-server.ts as a child process, on the run's DynamoDB
 *   Local, a table of its own, site settings from NEWSDESK_* with characters to escape);
 * - against the deploy rehearsal (the synthesized stack, site settings from cdk.json), in
 *   the same way support/api-suite.ts runs the contract on both targets.
 * Every document is parsed with fast-xml-parser (JSON Feed with JSON.parse) and checked
 * well-formed by xmllint; statuses and media types are checked against openapi.json.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readOpenApiFile } from '../../openapi/file.ts';
import type { JsonObject } from '../../openapi/json.ts';
import { responseSpec } from '../../openapi/validate.ts';
import type { ApiTarget } from './support/api-suite.ts';
import { itSawNoDenial, useRehearsal } from './support/rehearsal.ts';
import { problemOf, type StartedServer, signedFetch, startServer, stopServer } from './support/server.ts';

const XMLLINT = '/usr/bin/xmllint';
const run = promisify(execFile);
const doc = JSON.parse(readOpenApiFile()) as JsonObject;
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const json = { 'content-type': 'application/json' };
const SEED_SLUG = 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia';

interface SyndicationTarget extends ApiTarget {
  /** The site settings the target runs with. */
  readonly site: { readonly name: string; readonly articleUrl: (slug: string) => string };
  /** Makes the site empty before the first test (takes down what the target publishes itself). */
  readonly empty: () => Promise<void>;
}

const FEEDS = [
  { path: '/feed.xml', type: 'application/rss+xml; charset=utf-8' },
  { path: '/feed.atom', type: 'application/atom+xml; charset=utf-8' },
  { path: '/feed.json', type: 'application/feed+json; charset=utf-8' },
] as const;
const XML_TYPE = 'application/xml; charset=utf-8';
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['item', 'entry', 'url', 'sitemap', 'category', 'link', 'atom:link'].includes(name),
});

type Node = Record<string, unknown>;

/** The first of a repeated element (the parser makes `link` and the like arrays). */
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/** The OpenAPI template of a path (`/sitemaps/2026-03.xml` → `/sitemaps/{month}`). */
const templateOf = (path: string) => (path.startsWith('/sitemaps/') ? '/sitemaps/{month}' : path);

/** GETs a document; checks the status and media type against openapi.json and the CORS header. */
async function get(target: SyndicationTarget, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${target.url}${path}`, { headers });
  const template = templateOf(path.split('?')[0] ?? path);
  const spec = responseSpec(doc, template, 'get', response.status);
  expect(spec?.status, `GET ${template} ${response.status} is documented`).toBe(String(response.status));
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (response.status !== 304) expect(Object.keys(spec?.content ?? {})).toContain(mediaType);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  return response;
}

/** Parses an XML document after xmllint has found it well-formed. */
async function xml(text: string): Promise<Node> {
  if (existsSync(XMLLINT)) {
    const lint = run(XMLLINT, ['--noout', '-']);
    lint.child.stdin?.end(text);
    await expect(lint).resolves.toMatchObject({ stderr: '' });
  }
  return parser.parse(text, true) as Node;
}

const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);

/** The article links of a feed document, in order. */
async function feedLinks(format: (typeof FEEDS)[number]['path'], text: string): Promise<string[]> {
  if (format === '/feed.json') {
    return (JSON.parse(text) as { items: { url: string }[] }).items.map((item) => item.url);
  }
  const parsed = await xml(text);
  if (format === '/feed.xml') {
    const channel = (parsed.rss as Node).channel as Node;
    return list(channel.item).map((item) => String(first(item.link)));
  }
  return list((parsed.feed as Node).entry).map((entry) => String((first(entry.link) as Node)['@href']));
}

async function feedOf(target: SyndicationTarget, format: (typeof FEEDS)[number]['path'], query = '') {
  const response = await get(target, `${format}${query}`);
  expect(response.status).toBe(200);
  return feedLinks(format, await response.text());
}

async function sitemapLocs(target: SyndicationTarget, path: string): Promise<string[]> {
  const response = await get(target, path);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(XML_TYPE);
  const parsed = await xml(await response.text());
  const root = (parsed.urlset ?? parsed.sitemapindex) as Node;
  expect(root['@xmlns']).toBe(SITEMAP_NS);
  return list(root.url ?? root.sitemap).map((node) => String(node.loc));
}

const monthOf = (date: Date) => date.toISOString().slice(0, 7);
const nextMonth = (date: Date) =>
  monthOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)));

function syndicationSuite(target: () => SyndicationTarget): void {
  const publish = async (article: Record<string, unknown>) => {
    const response = await signedFetch(target(), `${target().url}/editor/articles`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(article),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return response;
  };

  it('an empty site has valid, empty feeds and sitemaps', async () => {
    const t = target();
    await t.empty();
    for (const feed of FEEDS) {
      const response = await get(t, feed.path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(feed.type);
      expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+, s-maxage=\d+$/);
      expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(await feedLinks(feed.path, await response.text())).toEqual([]);
    }
    expect(await sitemapLocs(t, '/sitemap.xml')).toEqual([]);
    expect(await sitemapLocs(t, '/news-sitemap.xml')).toEqual([]);
    // No visible article: no month is in the index's range.
    expect((await get(t, `/sitemaps/${monthOf(new Date())}.xml`)).status).toBe(404);
  });

  describe('with articles', () => {
    const tag = unique('synd');
    const now = Date.now();
    const slugs = {
      fresh: unique('fresh'),
      older: unique('older'),
      archived: unique('archived'),
      draft: unique('draft'),
      scheduled: unique('scheduled'),
      takenDown: unique('taken-down'),
      soon: unique('soon'),
    };
    const ARCHIVED_AT = '2024-02-10T08:00:00Z';

    beforeAll(async () => {
      await publish({
        slug: slugs.fresh,
        title: 'Fresh & <new>',
        summary: 'A summary with "quotes" & <angle brackets>',
        author: 'Ann & Co',
        body: 'The *fresh* one.',
        tags: [tag, 'other'],
        publishedAt: new Date(now - 60 * 60 * 1000).toISOString(),
      });
      await publish({
        slug: slugs.older,
        title: 'Three days old',
        body: 'Older.',
        tags: [tag],
        publishedAt: new Date(now - 3 * 24 * 60 * 60 * 1000).toISOString(),
      });
      await publish({ slug: slugs.archived, title: 'Archived', body: 'Old.', publishedAt: ARCHIVED_AT });
      await publish({ slug: slugs.draft, title: 'Draft', body: 'Draft.', tags: [tag], status: 'draft' });
      await publish({
        slug: slugs.scheduled,
        title: 'Scheduled',
        body: 'Later.',
        tags: [tag],
        publishedAt: new Date(now + 24 * 60 * 60 * 1000).toISOString(),
      });
      const gone = await publish({ slug: slugs.takenDown, title: 'Gone', body: 'Gone.', tags: [tag] });
      const taken = await signedFetch(target(), `${target().url}/editor/articles/${slugs.takenDown}`, {
        method: 'DELETE',
        headers: { 'If-Match': gone.headers.get('etag') ?? '' },
      });
      expect(taken.status).toBe(204);
    });

    const url = (slug: string) => target().site.articleUrl(slug);
    const hidden = () => [slugs.draft, slugs.scheduled, slugs.takenDown].map(url);

    it('feeds list the visible articles newest first, never a draft, scheduled or taken-down one', async () => {
      for (const feed of FEEDS) {
        const links = await feedOf(target(), feed.path);
        expect(links.slice(0, 2), feed.path).toEqual([url(slugs.fresh), url(slugs.older)]);
        expect(links).toContain(url(slugs.archived));
        for (const link of hidden()) expect(links, feed.path).not.toContain(link);
      }
    });

    it('?tag= narrows a feed to the tag, and its self link says so; an invalid tag is a 400', async () => {
      for (const feed of FEEDS) {
        expect(await feedOf(target(), feed.path, `?tag=${tag}`), feed.path).toEqual([
          url(slugs.fresh),
          url(slugs.older),
        ]);
        const bad = await get(target(), `${feed.path}?tag=Not%20a%20tag`);
        expect(bad.status).toBe(400);
        expect((await problemOf(bad)).status).toBe(400);
      }
      const rss = await xml(await (await get(target(), `/feed.xml?tag=${tag}`)).text());
      const channel = (rss.rss as Node).channel as Node;
      expect(list(channel['atom:link'])[0]?.['@href']).toBe(`${target().url}/feed.xml?tag=${tag}`);
      const atom = await xml(await (await get(target(), `/feed.atom?tag=${tag}`)).text());
      const self = list((atom.feed as Node).link).find((link) => link['@rel'] === 'self');
      expect(self?.['@href']).toBe(`${target().url}/feed.atom?tag=${tag}`);
      const feed = JSON.parse(await (await get(target(), `/feed.json?tag=${tag}`)).text()) as Node;
      expect(feed.feed_url).toBe(`${target().url}/feed.json?tag=${tag}`);
    });

    it('feed entries carry the article fields, escaped exactly', async () => {
      const rss = await xml(await (await get(target(), `/feed.xml?tag=${tag}`)).text());
      const channel = (rss.rss as Node).channel as Node;
      expect(channel.title).toBe(target().site.name);
      const item = list(channel.item)[0] ?? {};
      expect(item.title).toBe('Fresh & <new>');
      expect((item.guid as Node)['#text']).toBe(url(slugs.fresh));
      expect(item['dc:creator']).toBe('Ann & Co');
      expect(String(item['content:encoded'])).toContain('<em>fresh</em>');
      const feed = JSON.parse(await (await get(target(), `/feed.json?tag=${tag}`)).text()) as {
        items: Node[];
      };
      expect(feed.items[0]).toMatchObject({
        id: url(slugs.fresh),
        title: 'Fresh & <new>',
        summary: 'A summary with "quotes" & <angle brackets>',
        authors: [{ name: 'Ann & Co' }],
        tags: [tag, 'other'],
      });
    });

    it('the news sitemap lists the last 48 hours only, with the Google News fields', async () => {
      const response = await get(target(), '/news-sitemap.xml');
      expect(response.headers.get('content-type')).toBe(XML_TYPE);
      const text = await response.text();
      const parsed = await xml(text);
      const urlset = parsed.urlset as Node;
      expect(urlset['@xmlns']).toBe(SITEMAP_NS);
      expect(urlset['@xmlns:news']).toBe(NEWS_NS);
      const entries = list(urlset.url);
      const locs = entries.map((entry) => String(entry.loc));
      expect(locs).toContain(url(slugs.fresh));
      for (const loc of [url(slugs.older), url(slugs.archived), ...hidden()]) expect(locs).not.toContain(loc);
      const fresh = entries.find((entry) => entry.loc === url(slugs.fresh));
      const news = fresh?.['news:news'] as Node;
      expect(news['news:title']).toBe('Fresh & <new>');
      expect((news['news:publication'] as Node)['news:name']).toBe(target().site.name);
      expect(String(news['news:publication_date'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    });

    it('the sitemap index lists every month from the oldest article to now, absolute on the API', async () => {
      const locs = await sitemapLocs(target(), '/sitemap.xml');
      expect(locs[0]).toBe(`${target().url}/sitemaps/2024-02.xml`);
      expect(locs.at(-1)).toBe(`${target().url}/sitemaps/${monthOf(new Date())}.xml`);
      expect(locs).toContain(`${target().url}/sitemaps/2024-03.xml`);
    });

    it('a monthly sitemap lists that month only; an empty month is empty; out of range or ill-formed → 404', async () => {
      expect(await sitemapLocs(target(), '/sitemaps/2024-02.xml')).toEqual([url(slugs.archived)]);
      expect(await sitemapLocs(target(), '/sitemaps/2024-03.xml')).toEqual([]);
      const current = await sitemapLocs(target(), `/sitemaps/${monthOf(new Date())}.xml`);
      for (const link of hidden()) expect(current).not.toContain(link);
      for (const month of [
        '2024-01.xml',
        `${nextMonth(new Date())}.xml`,
        '2024-13.xml',
        '2024-2.xml',
        '2024-02',
      ]) {
        const response = await get(target(), `/sitemaps/${month}`);
        expect(response.status, month).toBe(404);
        expect((await problemOf(response)).status).toBe(404);
      }
    });

    it('every document answers 304 to its ETag in If-None-Match', async () => {
      for (const path of [
        ...FEEDS.map((feed) => feed.path),
        '/sitemap.xml',
        '/news-sitemap.xml',
        '/sitemaps/2024-02.xml',
      ]) {
        const first = await get(target(), path);
        const etag = first.headers.get('etag') ?? '';
        expect(etag, path).toMatch(/^"[^"]+"$/);
        const again = await get(target(), path, { 'If-None-Match': etag });
        expect(again.status, path).toBe(304);
        expect(again.headers.get('etag')).toBe(etag);
        expect(await again.text()).toBe('');
      }
    });

    it('answers CORS preflights like the other public routes', async () => {
      for (const path of ['/feed.xml', '/sitemaps/2024-02.xml']) {
        const response = await fetch(`${target().url}${path}`, {
          method: 'OPTIONS',
          headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET' },
        });
        expect(response.status).toBe(204);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('access-control-allow-methods')).toContain('GET');
      }
    });

    it('a scheduled article appears once its time passes, with no write', async () => {
      await publish({
        slug: slugs.soon,
        title: 'Soon',
        body: 'Soon.',
        tags: [tag],
        publishedAt: new Date(Date.now() + 3_000).toISOString(),
      });
      expect(await feedOf(target(), '/feed.json', `?tag=${tag}`)).not.toContain(url(slugs.soon));
      await expect
        .poll(() => feedOf(target(), '/feed.json', `?tag=${tag}`), { timeout: 15_000, interval: 500 })
        .toContain(url(slugs.soon));
      expect(await feedOf(target(), '/feed.xml')).toContain(url(slugs.soon));
      expect(await sitemapLocs(target(), '/news-sitemap.xml')).toContain(url(slugs.soon));
    });
  });
}

// ---------------------------------------------------------------------------
// Against `npm start`

const LOCAL_SITE = {
  NEWSDESK_SITE_NAME: 'Desk & "News" <Local>',
  NEWSDESK_SITE_URL: 'https://news.example.com/',
  NEWSDESK_ARTICLE_URL: 'https://news.example.com/read/{slug}?from=feed&v=1',
  NEWSDESK_SITE_LANGUAGE: 'en-GB',
};

describe('syndication against npm start', () => {
  let server: StartedServer;

  beforeAll(async () => {
    server = await startServer({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: unique('newsdesk-synd'),
      env: LOCAL_SITE,
    });
  }, 120_000);

  afterAll(async () => {
    const stopped = await stopServer(server);
    expect(stopped.code).toBe(0);
    if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('prints the site settings and the feed URLs once ready', () => {
    const out = server.child.output();
    expect(out).toContain(
      `site         ${LOCAL_SITE.NEWSDESK_SITE_NAME} at https://news.example.com/ (language en-GB)`,
    );
    expect(out).toContain(`feeds        ${server.url}/feed.xml`);
    expect(out).toContain(`sitemaps     ${server.url}/sitemap.xml`);
  });

  syndicationSuite(() => ({
    url: server.url,
    credentials: server.credentials,
    site: {
      name: LOCAL_SITE.NEWSDESK_SITE_NAME,
      articleUrl: (slug) => `https://news.example.com/read/${slug}?from=feed&v=1`,
    },
    // A fresh data dir: only the sample article, which an editor takes down.
    empty: async () => {
      const seed = await signedFetch(server, `${server.url}/editor/articles/${SEED_SLUG}`, {
        method: 'DELETE',
      });
      expect(seed.status).toBe(204);
    },
  }));
});

describe('npm start with a bad site setting', () => {
  it('fails to start, naming the variable', async () => {
    const started = startServer({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: unique('newsdesk-synd-bad'),
      env: { NEWSDESK_ARTICLE_URL: 'https://news.example.com/read/' },
    });
    await expect(started).rejects.toThrow(/NEWSDESK_ARTICLE_URL must contain \{slug\}/);
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Against the deploy rehearsal (the synthesized stack; site settings from cdk.json)

describe('syndication against the deploy rehearsal', () => {
  const rehearsed = useRehearsal();

  syndicationSuite(() => ({
    url: rehearsed().url,
    credentials: rehearsed().editor,
    site: {
      name: 'Newsdesk',
      articleUrl: (slug) => `https://www.example.com/#/articles/${slug}`,
    },
    // A rehearsal starts on a table of its own, with nothing published.
    empty: async () => {},
  }));

  itSawNoDenial(rehearsed);
});
