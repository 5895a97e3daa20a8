import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomFeed, jsonFeed, rssFeed } from '../../functions/core/feeds.ts';
import { parseSiteSettings, type SiteSettings } from '../../functions/core/site.ts';
import {
  ATOM_CONTENT_TYPE,
  FEED_MAX_ENTRIES,
  type FeedEntry,
  inNewsWindow,
  JSON_FEED_CONTENT_TYPE,
  monthlySitemap,
  monthsBetween,
  NEWS_SITEMAP_MAX_ENTRIES,
  newsLanguage,
  newsSitemap,
  newsWindow,
  parseMonth,
  RSS_CONTENT_TYPE,
  SITEMAP_CONTENT_TYPE,
  SITEMAP_MAX_URLS,
  sitemapIndex,
} from '../../functions/core/syndication.ts';
import { hostileText, NASTY_CHARS, validSlug, XSS_PAYLOADS } from '../hardening/arbitraries.ts';

// --- Helpers: an independent statement of the documented normalization, parsers, xmllint

const SITE: SiteSettings = parseSiteSettings(
  { name: 'Newsdesk & "Friends" <Ünï 😀>', url: 'https://news.example', language: 'en-GB' },
  { url: 'http://unused.example' },
);
const SELF = 'https://api.example/prod/feed.xml?tag=news&x=1';
const link = (slug: string) => `https://news.example/#/articles/${slug}`;

/** Text as an XML parser returns it: XML-illegal characters gone, lone surrogates → U+FFFD, CR LF / CR → LF. */
const asXml = (text: string) =>
  text
    .toWellFormed()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 cannot carry
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/\r\n?/g, '\n');
/** HTML text decoded (the entities an HTML-escaper writes). */
const decodeHtml = (html: string) =>
  html.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'quot' ? '"' : name === '#39' ? "'" : '&',
  );
/** `]]&gt;` and `]]>` are the same HTML; content in CDATA may carry either. */
const sameHtml = (html: string) => html.replaceAll(']]&gt;', ']]>');

/** Elements that may repeat, by path (RSS `link` is single, Atom `link` repeats). */
const ARRAYS = new Set([
  'rss.channel.atom:link',
  'rss.channel.item',
  'rss.channel.item.author',
  'rss.channel.item.dc:creator',
  'rss.channel.item.category',
  'feed.link',
  'feed.author',
  'feed.entry',
  'feed.entry.link',
  'feed.entry.author',
  'feed.entry.category',
  'urlset.url',
  'sitemapindex.sitemap',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (_name, path) => ARRAYS.has(String(path)),
});
// biome-ignore lint/suspicious/noExplicitAny: parsed XML is checked field by field below
type Node = any;
const parseXml = (xml: string): Node => parser.parse(xml);
/** An element's text, whether it came with attributes or not (undefined when absent). */
const text = (node: Node): string =>
  typeof node === 'object' && node !== null ? (node['#text'] ?? '') : node;

/** Fails unless xmllint (libxml2) finds the document well-formed, namespaces included. */
function xmllint(xml: string): void {
  const result = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils)');
  }
  if (result.error) throw result.error;
  expect(`${result.stderr}`, 'xmllint output').toBe('');
  expect(result.status, 'xmllint exit status').toBe(0);
}

/** The JSON Feed 1.1 rules (https://jsonfeed.org/version/1.1) a feed reader relies on. */
function expectJsonFeed11(document: Node): void {
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const absolute = (url: unknown) => typeof url === 'string' && /^https?:\/\//.test(url) && URL.canParse(url);
  expect(document.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof document.title).toBe('string');
  expect(absolute(document.home_page_url)).toBe(true);
  expect(absolute(document.feed_url)).toBe(true);
  expect(typeof document.language).toBe('string');
  expect(document).not.toHaveProperty('author');
  expect(Array.isArray(document.items)).toBe(true);
  for (const item of document.items) {
    expect(typeof item.id).toBe('string');
    expect(item.id.length).toBeGreaterThan(0);
    expect(absolute(item.url)).toBe(true);
    expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(true);
    expect(item.date_published).toMatch(rfc3339);
    expect(item.date_modified).toMatch(rfc3339);
    expect(item).not.toHaveProperty('author');
    if ('authors' in item) {
      expect(Array.isArray(item.authors)).toBe(true);
      for (const author of item.authors) expect(typeof author.name).toBe('string');
    }
    if ('tags' in item) expect(item.tags.every((tag: unknown) => typeof tag === 'string')).toBe(true);
    if ('summary' in item) expect(typeof item.summary).toBe('string');
  }
}

const entry = (overrides: Partial<FeedEntry> = {}): FeedEntry => ({
  slug: 'hello-world',
  title: 'Hello world',
  summary: 'A short summary',
  author: 'Ada Lovelace',
  tags: ['news', 'tech'],
  publishedAt: '2026-03-10T08:00:00+01:00',
  updatedAt: '2026-03-11T09:30:00.250Z',
  bodyHtml: '<p>Hello <em>world</em></p>\n',
  ...overrides,
});

/** `count` entries one hour apart, the newest first, slugs `a-0`, `a-1`, … */
const hourly = (count: number, from = Date.parse('2026-03-10T12:00:00Z')) =>
  Array.from({ length: count }, (_, i) => {
    const at = new Date(from - i * 3_600_000).toISOString();
    return entry({ slug: `a-${i}`, title: `Article ${i}`, publishedAt: at, updatedAt: at });
  });

// --- Arbitraries

/** An instant (1970–2100) written as ISO 8601 with an arbitrary offset, milliseconds or not. */
const isoWithOffset = fc
  .tuple(
    fc.integer({ min: 0, max: Date.parse('2100-01-01T00:00:00Z') }),
    fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => quarters * 15),
    fc.boolean(),
  )
  .map(([ms, offset, withMs]) => {
    if (offset === 0 && withMs) return new Date(ms).toISOString();
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, withMs ? 23 : 19);
    const abs = Math.abs(offset);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    const mm = String(abs % 60).padStart(2, '0');
    return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
  });

/** Hostile text plus the cases this module is about: CDATA ends, entities, line breaks, RTL, emoji. */
const feedText = fc.oneof(
  { arbitrary: hostileText, weight: 4 },
  {
    arbitrary: fc
      .array(
        fc.constantFrom(
          ']]>',
          ']]',
          '<![CDATA[',
          '&amp;',
          '&',
          '<',
          '>',
          '"',
          "'",
          '\t',
          '\r\n',
          '\r',
          '\n',
          '😀',
          'مرحبا',
          'שלום',
          '\u202e',
          ' ',
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join('')),
    weight: 2,
  },
);

const feedEntry = (slug: string) =>
  fc.record({
    slug: fc.constant(slug),
    title: feedText,
    summary: fc.option(feedText, { nil: null }),
    author: fc.option(feedText, { nil: null }),
    tags: fc.oneof(
      fc.uniqueArray(fc.constantFrom('news', 'world', 'tech', 'a-b'), { maxLength: 4 }),
      fc.array(feedText, { maxLength: 3 }),
    ),
    publishedAt: isoWithOffset,
    updatedAt: isoWithOffset,
    bodyHtml: fc.oneof(feedText, fc.constantFrom(...XSS_PAYLOADS), fc.constant('')),
  });

const feedEntries = fc
  .uniqueArray(validSlug, { maxLength: 5 })
  .chain((slugs) => fc.tuple(...slugs.map(feedEntry)))
  .map((entries): FeedEntry[] => entries);

/** The order every feed uses: newest publishedAt first, ties by slug. */
const newestFirst = <T extends { slug: string; publishedAt: string }>(entries: readonly T[]) =>
  [...entries].sort(
    (a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || (a.slug < b.slug ? -1 : 1),
  );

// --- Per-format checks (field by field, against the input)

function checkRss(xml: string, entries: readonly FeedEntry[], settings = SITE, self = SELF): void {
  xmllint(xml);
  const { rss } = parseXml(xml);
  expect(rss['@_version']).toBe('2.0');
  expect(rss['@_xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
  const channel = rss.channel;
  expect(text(channel.title)).toBe(asXml(settings.name));
  expect(text(channel.link)).toBe(new URL(settings.url).href);
  expect(text(channel.language)).toBe(settings.language);
  expect(channel['atom:link']).toEqual([
    { '@_href': new URL(self).href, '@_rel': 'self', '@_type': 'application/rss+xml' },
  ]);
  const sorted = newestFirst(entries).slice(0, FEED_MAX_ENTRIES);
  const newestUpdate = Math.max(0, ...sorted.map((e) => Date.parse(e.updatedAt)));
  expect(text(channel.lastBuildDate)).toBe(new Date(newestUpdate).toUTCString());
  const items: Node[] = channel.item ?? [];
  expect(items).toHaveLength(sorted.length);
  sorted.forEach((expected, i) => {
    const item = items[i];
    expect(text(item.title)).toBe(asXml(expected.title));
    expect(text(item.link)).toBe(link(expected.slug));
    expect(item.guid).toEqual({ '#text': link(expected.slug), '@_isPermaLink': 'true' });
    expect(text(item.pubDate)).toBe(new Date(expected.publishedAt).toUTCString());
    expect(text(item['atom:updated'])).toBe(new Date(expected.updatedAt).toISOString());
    if (expected.summary !== null && asXml(expected.summary) !== '')
      expect(decodeHtml(text(item.description))).toBe(asXml(expected.summary));
    else expect(item.description).toBeUndefined();
    if (asXml(expected.bodyHtml) !== '') {
      expect(rss['@_xmlns:content']).toBe('http://purl.org/rss/1.0/modules/content/');
      expect(sameHtml(text(item['content:encoded']))).toBe(sameHtml(asXml(expected.bodyHtml)));
    } else expect(item['content:encoded']).toBeUndefined();
    if (expected.author !== null && asXml(expected.author) !== '') {
      expect(item.author.map(text)).toEqual([asXml(expected.author)]);
      expect(item['dc:creator'].map(text)).toEqual([asXml(expected.author)]);
    } else {
      expect(item.author).toBeUndefined();
      expect(item['dc:creator']).toBeUndefined();
    }
    expect((item.category ?? []).map(text)).toEqual(expected.tags.map(asXml));
  });
}

function checkAtom(xml: string, entries: readonly FeedEntry[], settings = SITE, self = SELF): void {
  xmllint(xml);
  const { feed } = parseXml(xml);
  expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
  expect(feed['@_xml:lang']).toBe(settings.language);
  expect(text(feed.title)).toBe(asXml(settings.name));
  expect(text(feed.id)).toBe(new URL(self).href);
  expect(feed.link).toEqual([
    { '@_rel': 'alternate', '@_href': new URL(settings.url).href },
    { '@_rel': 'self', '@_href': new URL(self).href },
  ]);
  expect(feed.author.map((a: Node) => text(a.name))).toEqual([asXml(settings.name)]);
  const sorted = newestFirst(entries).slice(0, FEED_MAX_ENTRIES);
  const newestUpdate = Math.max(0, ...sorted.map((e) => Date.parse(e.updatedAt)));
  expect(text(feed.updated)).toBe(new Date(newestUpdate).toISOString());
  const items: Node[] = feed.entry ?? [];
  expect(items).toHaveLength(sorted.length);
  sorted.forEach((expected, i) => {
    const item = items[i];
    expect(item.title['@_type']).toBe('html');
    expect(decodeHtml(text(item.title))).toBe(asXml(expected.title));
    expect(text(item.id)).toBe(link(expected.slug));
    expect(item.link).toEqual([{ '@_href': link(expected.slug) }]);
    expect(text(item.published)).toBe(new Date(expected.publishedAt).toISOString());
    expect(text(item.updated)).toBe(new Date(expected.updatedAt).toISOString());
    if (expected.summary !== null && asXml(expected.summary) !== '') {
      expect(item.summary['@_type']).toBe('html');
      expect(decodeHtml(text(item.summary))).toBe(asXml(expected.summary));
    } else expect(item.summary).toBeUndefined();
    if (asXml(expected.bodyHtml) !== '') {
      expect(item.content['@_type']).toBe('html');
      expect(sameHtml(text(item.content))).toBe(sameHtml(asXml(expected.bodyHtml)));
    } else expect(item.content).toBeUndefined();
    if (expected.author !== null && asXml(expected.author) !== '')
      expect(item.author.map((a: Node) => text(a.name))).toEqual([asXml(expected.author)]);
    else expect(item.author).toBeUndefined();
    // Attribute values: `<` cannot appear, tab/CR/LF are spaces (documented normalization).
    const term = (tag: string) =>
      asXml(tag.replace(/\r\n?/g, '\n'))
        .replace(/</g, '')
        .replace(/[\t\n]/g, ' ');
    expect((item.category ?? []).map((c: Node) => c['@_term'])).toEqual(expected.tags.map(term));
  });
}

function checkJson(json: string, entries: readonly FeedEntry[], settings = SITE, self = SELF): void {
  const document = JSON.parse(json);
  expectJsonFeed11(document);
  expect(document.title).toBe(settings.name);
  expect(document.home_page_url).toBe(new URL(settings.url).href);
  expect(document.feed_url).toBe(new URL(self).href);
  expect(document.language).toBe(settings.language);
  const sorted = newestFirst(entries).slice(0, FEED_MAX_ENTRIES);
  expect(document.items).toEqual(
    sorted.map((e) => ({
      id: link(e.slug),
      url: link(e.slug),
      title: e.title,
      ...(e.summary ? { summary: e.summary } : {}),
      content_html: e.bodyHtml,
      date_published: expect.stringMatching(/Z$/),
      date_modified: expect.stringMatching(/Z$/),
      ...(e.author ? { authors: [{ name: e.author }] } : {}),
      ...(e.tags.length > 0 ? { tags: e.tags } : {}),
    })),
  );
  document.items.forEach((item: Node, i: number) => {
    const e = sorted[i] as FeedEntry;
    expect(Date.parse(item.date_published)).toBe(Date.parse(e.publishedAt));
    expect(Date.parse(item.date_modified)).toBe(Date.parse(e.updatedAt));
  });
}

afterEach(() => {
  vi.useRealTimers();
});

// --- Tests

describe('content types', () => {
  it('are the contract’s', () => {
    expect(RSS_CONTENT_TYPE).toBe('application/rss+xml; charset=utf-8');
    expect(ATOM_CONTENT_TYPE).toBe('application/atom+xml; charset=utf-8');
    expect(JSON_FEED_CONTENT_TYPE).toBe('application/feed+json; charset=utf-8');
    expect(SITEMAP_CONTENT_TYPE).toBe('application/xml; charset=utf-8');
  });
});

describe('feeds', () => {
  const entries = [
    entry(),
    entry({
      slug: 'second',
      title: 'Second',
      summary: null,
      author: null,
      tags: [],
      publishedAt: '2026-03-01T00:00:00Z',
    }),
  ];

  it('RSS 2.0 carries every field', () => checkRss(rssFeed(entries, SITE, SELF), entries));
  it('Atom 1.0 carries every field', () => checkAtom(atomFeed(entries, SITE, SELF), entries));
  it('JSON Feed 1.1 carries every field', () => checkJson(jsonFeed(entries, SITE, SELF), entries));

  it('use the article URL template', () => {
    const settings = parseSiteSettings(
      { url: 'https://news.example', articleUrl: 'https://news.example/a/{slug}?utm=feed&v=1' },
      { url: 'http://unused.example' },
    );
    const url = 'https://news.example/a/hello-world?utm=feed&v=1';
    expect(parseXml(rssFeed([entry()], settings, SELF)).rss.channel.item[0].guid['#text']).toBe(url);
    expect(parseXml(atomFeed([entry()], settings, SELF)).feed.entry[0].id).toBe(url);
    expect(JSON.parse(jsonFeed([entry()], settings, SELF)).items[0].id).toBe(url);
  });

  it('write dates in UTC from any offset', () => {
    const e = entry({ publishedAt: '2026-03-01T00:30:00+01:00', updatedAt: '2026-02-28T20:00:00.5-05:00' });
    const item = JSON.parse(jsonFeed([e], SITE, SELF)).items[0];
    expect(item.date_published).toBe('2026-02-28T23:30:00Z');
    expect(item.date_modified).toBe('2026-03-01T01:00:00.500Z');
    expect(parseXml(rssFeed([e], SITE, SELF)).rss.channel.item[0].pubDate).toBe(
      'Sat, 28 Feb 2026 23:30:00 GMT',
    );
  });

  it('of an empty site are valid and empty', () => {
    const rss = rssFeed([], SITE, SELF);
    checkRss(rss, []);
    expect(parseXml(rss).rss.channel.item).toBeUndefined();
    const atom = atomFeed([], SITE, SELF);
    checkAtom(atom, []);
    expect(parseXml(atom).feed.entry).toBeUndefined();
    const json = jsonFeed([], SITE, SELF);
    checkJson(json, []);
    expect(JSON.parse(json).items).toEqual([]);
  });

  it('do not depend on the clock (stable ETags), empty ones included', () => {
    vi.useFakeTimers();
    for (const list of [[], [entry()]]) {
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const before = [rssFeed(list, SITE, SELF), atomFeed(list, SITE, SELF), jsonFeed(list, SITE, SELF)];
      vi.setSystemTime(new Date('2027-06-01T12:34:56Z'));
      expect([rssFeed(list, SITE, SELF), atomFeed(list, SITE, SELF), jsonFeed(list, SITE, SELF)]).toEqual(
        before,
      );
    }
  });

  it('hold the newest 50, newest first, ties by slug', () => {
    const many = hourly(FEED_MAX_ENTRIES + 1).reverse();
    const tie = entry({ slug: 'a-0a', publishedAt: (many.at(-1) as FeedEntry).publishedAt });
    const input = [tie, ...many];
    for (const [build, check] of [
      [rssFeed, checkRss],
      [atomFeed, checkAtom],
      [jsonFeed, checkJson],
    ] as const) {
      check(build(input, SITE, SELF), input);
    }
    const ids: string[] = JSON.parse(jsonFeed(input, SITE, SELF)).items.map((i: Node) => i.id);
    expect(ids).toHaveLength(FEED_MAX_ENTRIES);
    expect(ids.slice(0, 3)).toEqual([link('a-0'), link('a-0a'), link('a-1')]);
    expect(ids).not.toContain(link('a-49'));
    expect(JSON.parse(jsonFeed(hourly(FEED_MAX_ENTRIES), SITE, SELF)).items).toHaveLength(FEED_MAX_ENTRIES);
  });

  it('keep hostile text well-formed and exact (fixed example)', () => {
    const nasty = `${NASTY_CHARS.join('')} ]]> x ]]> ]]]]> <![CDATA[ &amp; &lt; "q" 'a' \t\r\nمرحبا שלום 😀`;
    const e = entry({
      title: nasty,
      summary: nasty,
      author: nasty,
      tags: ['news', nasty],
      bodyHtml: `<p>${nasty}</p>${XSS_PAYLOADS.join('')}`,
    });
    const rss = rssFeed([e], SITE, SELF);
    const atom = atomFeed([e], SITE, SELF);
    checkRss(rss, [e]);
    checkAtom(atom, [e]);
    checkJson(jsonFeed([e], SITE, SELF), [e]);
  });

  it('keep the dc namespace declared for an author without a body', () => {
    const e = entry({ bodyHtml: '' });
    const rss = rssFeed([e], SITE, SELF);
    checkRss(rss, [e]);
    expect(rss).toContain(
      '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ada Lovelace</dc:creator>',
    );
  });

  it('property: hostile titles, summaries, authors, tags and bodies come out escaped, well-formed and exact', () => {
    fc.assert(
      fc.property(feedEntries, (entries) => {
        checkRss(rssFeed(entries, SITE, SELF), entries);
        checkAtom(atomFeed(entries, SITE, SELF), entries);
        checkJson(jsonFeed(entries, SITE, SELF), entries);
      }),
      { numRuns: 100 },
    );
  });

  it('property: hostile site names and self URLs stay well-formed', () => {
    fc.assert(
      fc.property(
        // Wider than site settings allow (they reject controls): the builders must cope anyway.
        feedText,
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        (name, self) => {
          const settings = { ...SITE, name };
          checkRss(rssFeed([entry()], settings, self), [entry()], settings, self);
          checkAtom(atomFeed([entry()], settings, self), [entry()], settings, self);
          checkJson(jsonFeed([entry()], settings, self), [entry()], settings, self);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('sitemap index', () => {
  it('lists one absolute monthly sitemap per month', () => {
    for (const base of [
      'https://abc.execute-api.us-east-1.amazonaws.com/prod',
      'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
    ]) {
      const xml = sitemapIndex(['2025-12', '2026-01'], base);
      xmllint(xml);
      const { sitemapindex } = parseXml(xml);
      expect(sitemapindex['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
      expect(sitemapindex.sitemap.map((s: Node) => s.loc)).toEqual([
        'https://abc.execute-api.us-east-1.amazonaws.com/prod/sitemaps/2025-12.xml',
        'https://abc.execute-api.us-east-1.amazonaws.com/prod/sitemaps/2026-01.xml',
      ]);
    }
  });

  it('escapes the base URL and is valid when empty', () => {
    const xml = sitemapIndex(['2026-03'], 'http://127.0.0.1:3000/x?a=1&b=2');
    xmllint(xml);
    expect(parseXml(xml).sitemapindex.sitemap[0].loc).toBe(
      'http://127.0.0.1:3000/x?a=1&b=2/sitemaps/2026-03.xml',
    );
    const empty = sitemapIndex([], 'http://127.0.0.1:3000');
    xmllint(empty);
    expect(parseXml(empty).sitemapindex.sitemap).toBeUndefined();
  });

  it('rejects an ill-formed month', () => {
    expect(() => sitemapIndex(['2026-3'], 'https://x.example')).toThrow(/not a YYYY-MM month/);
  });
});

describe('monthly sitemap', () => {
  it('lists each entry with loc and lastmod (UTC, W3C date-time)', () => {
    const xml = monthlySitemap(
      [
        { slug: 'b', updatedAt: '2026-03-02T01:00:00+02:00' },
        { slug: 'a', updatedAt: '2026-03-05T10:00:00.123Z' },
      ],
      SITE,
    );
    xmllint(xml);
    const { urlset } = parseXml(xml);
    expect(urlset['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(urlset.url).toEqual([
      { loc: link('b'), lastmod: '2026-03-01T23:00:00Z' },
      { loc: link('a'), lastmod: '2026-03-05T10:00:00.123Z' },
    ]);
  });

  it('is valid when empty', () => {
    const xml = monthlySitemap([], SITE);
    xmllint(xml);
    expect(parseXml(xml).urlset.url).toBeUndefined();
  });

  it('escapes article URLs from the template', () => {
    const settings = { ...SITE, articleUrl: 'https://news.example/a?s={slug}&x=<y>' };
    const xml = monthlySitemap([{ slug: 'a-b', updatedAt: '2026-03-01T00:00:00Z' }], settings);
    xmllint(xml);
    expect(parseXml(xml).urlset.url[0].loc).toBe('https://news.example/a?s=a-b&x=%3Cy%3E');
  });

  it('allows 50 000 URLs and refuses more with a clear error', () => {
    const at = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ slug: `a-${i}`, updatedAt: '2026-03-01T00:00:00Z' }));
    const xml = monthlySitemap(at(SITEMAP_MAX_URLS), SITE);
    xmllint(xml);
    expect(xml.match(/<url>/g)).toHaveLength(SITEMAP_MAX_URLS);
    expect(() => monthlySitemap(at(SITEMAP_MAX_URLS + 1), SITE)).toThrow(
      /would list 50001 URLs; the sitemaps protocol allows at most 50000 per file/,
    );
  });
});

describe('news sitemap', () => {
  const news = [
    { slug: 'older', title: 'Older', publishedAt: '2026-03-10T08:00:00+01:00' },
    { slug: 'newer', title: 'Tom & Jerry <3 "live" ]]> 😀 שלום', publishedAt: '2026-03-10T09:00:00.5Z' },
  ];

  it('carries loc, publication name and language, date and title, newest first, exact namespaces', () => {
    const xml = newsSitemap(news, SITE);
    xmllint(xml);
    const { urlset } = parseXml(xml);
    expect(urlset['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(urlset['@_xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    const publication = { 'news:name': asXml(SITE.name), 'news:language': 'en' };
    expect(urlset.url).toEqual([
      {
        loc: link('newer'),
        'news:news': {
          'news:publication': publication,
          'news:publication_date': '2026-03-10T09:00:00.500Z',
          'news:title': news[1]?.title,
        },
      },
      {
        loc: link('older'),
        'news:news': {
          'news:publication': publication,
          'news:publication_date': '2026-03-10T07:00:00Z',
          'news:title': 'Older',
        },
      },
    ]);
  });

  it('is valid when empty', () => {
    const xml = newsSitemap([], SITE);
    xmllint(xml);
    expect(parseXml(xml).urlset.url).toBeUndefined();
  });

  it('holds at most 1 000, the newest', () => {
    const many = hourly(NEWS_SITEMAP_MAX_ENTRIES + 1, Date.parse('2026-03-10T12:00:00Z'));
    const xml = newsSitemap(many, SITE);
    xmllint(xml);
    const locs = parseXml(xml).urlset.url.map((u: Node) => u.loc);
    expect(locs).toHaveLength(NEWS_SITEMAP_MAX_ENTRIES);
    expect(locs[0]).toBe(link('a-0'));
    expect(locs).not.toContain(link(`a-${NEWS_SITEMAP_MAX_ENTRIES}`));
    expect(newsSitemap(many.slice(0, NEWS_SITEMAP_MAX_ENTRIES), SITE)).toBe(xml);
  });

  it('writes the language as Google News wants it', () => {
    expect(newsLanguage('en')).toBe('en');
    expect(newsLanguage('en-GB')).toBe('en');
    expect(newsLanguage('pt-BR')).toBe('pt');
    expect(newsLanguage('fil')).toBe('fil');
    expect(newsLanguage('zh')).toBe('zh-cn');
    expect(newsLanguage('zh-Hans-CN')).toBe('zh-cn');
    expect(newsLanguage('zh-TW')).toBe('zh-tw');
    expect(newsLanguage('zh-Hant')).toBe('zh-tw');
    const xml = newsSitemap(news, { ...SITE, language: 'zh-Hant-TW' });
    expect(parseXml(xml).urlset.url[0]['news:news']['news:publication']['news:language']).toBe('zh-tw');
  });

  it('property: hostile titles and site names come out escaped, well-formed and exact', () => {
    fc.assert(
      fc.property(feedText, feedText, isoWithOffset, (title, name, publishedAt) => {
        const xml = newsSitemap([{ slug: 'a', title, publishedAt }], { ...SITE, name });
        xmllint(xml);
        const item = parseXml(xml).urlset.url[0]['news:news'];
        expect(text(item['news:title'])).toBe(asXml(title));
        expect(text(item['news:publication']['news:name'])).toBe(asXml(name));
        expect(Date.parse(item['news:publication_date'])).toBe(Date.parse(publishedAt));
      }),
      { numRuns: 100 },
    );
  });
});

describe('news window', () => {
  const now = new Date('2026-03-10T12:00:00.000Z');

  it('is the 48 hours up to now, both ends included', () => {
    expect(newsWindow(now)).toEqual({ from: '2026-03-08T12:00:00.000Z', to: '2026-03-10T12:00:00.000Z' });
    expect(inNewsWindow('2026-03-08T12:00:00.000Z', now)).toBe(true);
    expect(inNewsWindow('2026-03-08T13:00:00+01:00', now)).toBe(true);
    expect(inNewsWindow('2026-03-08T11:59:59.999Z', now)).toBe(false);
    expect(inNewsWindow('2026-03-10T12:00:00.000Z', now)).toBe(true);
    expect(inNewsWindow('2026-03-10T12:00:00.001Z', now)).toBe(false);
  });

  it('property: agrees with its ISO bounds', () => {
    fc.assert(
      fc.property(isoWithOffset, (publishedAt) => {
        const { from, to } = newsWindow(now);
        const t = Date.parse(publishedAt);
        expect(inNewsWindow(publishedAt, now)).toBe(t >= Date.parse(from) && t <= Date.parse(to));
      }),
    );
  });
});

describe('months', () => {
  it('parses YYYY-MM into the UTC instants it spans', () => {
    expect(parseMonth('2026-03')).toEqual({
      month: '2026-03',
      start: '2026-03-01T00:00:00.000Z',
      end: '2026-04-01T00:00:00.000Z',
    });
    expect(parseMonth('2025-12')?.end).toBe('2026-01-01T00:00:00.000Z');
    expect(parseMonth('0042-01')?.start).toBe('0042-01-01T00:00:00.000Z');
  });

  it.each([
    '2026-3',
    '2026-00',
    '2026-13',
    '26-03',
    '2026-03.xml',
    '2026-03 ',
    ' 2026-03',
    '2026/03',
    '2026-03-01',
    '',
    'abcd-ef',
    '２０２６-03',
    '+2026-03',
  ])('rejects %j', (month) => expect(parseMonth(month)).toBeNull());

  it('runs from the oldest article’s UTC month to the current UTC month', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(monthsBetween('2026-03-01T00:00:00Z', now)).toEqual(['2026-03']);
    expect(monthsBetween('2025-11-30T23:59:59Z', now)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    // 00:30 at +01:00 on 1 March is still February in UTC.
    expect(monthsBetween('2026-03-01T00:30:00+01:00', now)).toEqual(['2026-02', '2026-03']);
    // The current month follows UTC too: 23:30 at -01:00 on 31 March is already April.
    expect(monthsBetween('2026-03-05T00:00:00Z', new Date('2026-04-01T00:30:00Z'))).toEqual([
      '2026-03',
      '2026-04',
    ]);
    expect(monthsBetween('2026-04-01T00:00:00Z', now)).toEqual([]);
    expect(() => monthsBetween('not a date', now)).toThrow(/oldestPublishedAt/);
  });

  it('property: consecutive months, each parseable, first and last the UTC months of the bounds', () => {
    fc.assert(
      fc.property(isoWithOffset, isoWithOffset, (a, b) => {
        const [oldest, newest] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
        const months = monthsBetween(oldest, new Date(newest));
        expect(months[0]).toBe(new Date(oldest).toISOString().slice(0, 7));
        expect(months.at(-1)).toBe(new Date(newest).toISOString().slice(0, 7));
        for (const [i, month] of months.entries()) {
          const parsed = parseMonth(month);
          expect(parsed).not.toBeNull();
          if (i > 0) expect(parsed?.start).toBe(parseMonth(months[i - 1] as string)?.end);
        }
      }),
    );
  });
});
