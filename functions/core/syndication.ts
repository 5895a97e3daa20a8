import { articleUrl, type SiteSettings } from './site.ts';

/**
 * Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and sitemaps (sitemaps.org 0.9, Google News) as
 * pure functions of plain data (API.md "Syndication: feeds and sitemaps"). Callers choose
 * the entries (visible articles only); the builders sort, cap, escape and format.
 *
 * Text normalization, the same in every XML document:
 * - characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF)
 *   are dropped, and lone surrogates become U+FFFD (as UTF-8 encoding would make them);
 * - XML parsers turn CR LF and lone CR into LF (XML end-of-line handling);
 * - every date is written in UTC.
 * JSON Feed carries text exactly (JSON can).
 *
 * The feeds themselves are built in feeds.ts, so that only the feed functions bundle the
 * `feed` package. RSS and Atom come from that package (v6); what it gets wrong is fixed by
 * shaping its input (see `forText`, `cdataHtml`, `attribute`):
 * - it writes text through xml-js, which first turns every `&amp;` back into `&` (so a
 *   literal "&amp;" would be lost): we pass text with `&` already escaped to `&amp;`;
 * - it splits only the first `]]>` of a CDATA section, so a second one ended the section
 *   early: HTML we put in CDATA has `]]>` written as `]]&gt;` (the same HTML);
 * - it escapes only `&` and `"` in attribute values: a `<` (impossible in an attribute)
 *   is dropped from Atom category terms, and a tab or line break (CR LF counting as one)
 *   becomes a space, as XML attribute-value normalization would make it anyway. Tags are
 *   `[a-z0-9-]` by the contract, so none of this changes a real tag;
 * - Atom `title`/`summary` are `type="html"`: the plain-text title and summary are
 *   HTML-escaped for them (a reader decodes them back to the exact text); the RSS
 *   `description` (HTML by convention) holds the HTML-escaped summary the same way, while
 *   the RSS `title` is plain text;
 * - it has no RSS element for the update time or a name-only author, and no Atom language:
 *   we add `<atom:updated>` and `<dc:creator>` to RSS items (keeping its `<author>`, which
 *   many readers show) and `xml:lang` on the Atom root;
 * - its JSON output is JSON Feed 1.0 (`author`, no `language`), so JSON Feed 1.1 is built
 *   here directly.
 */

export interface FeedEntry {
  readonly slug: string;
  readonly title: string;
  readonly summary: string | null;
  readonly author: string | null;
  readonly tags: readonly string[];
  /** ISO 8601 date-time with any offset. */
  readonly publishedAt: string;
  readonly updatedAt: string;
  readonly bodyHtml: string;
}

export interface SitemapEntry {
  readonly slug: string;
  readonly updatedAt: string;
}

export interface NewsSitemapEntry {
  readonly slug: string;
  readonly title: string;
  readonly publishedAt: string;
}

export const RSS_CONTENT_TYPE = 'application/rss+xml; charset=utf-8';
export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';
export const JSON_FEED_CONTENT_TYPE = 'application/feed+json; charset=utf-8';
export const SITEMAP_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** Feeds hold the newest 50 entries. */
export const FEED_MAX_ENTRIES = 50;
/** Google News sitemaps list at most 1 000 URLs. */
export const NEWS_SITEMAP_MAX_ENTRIES = 1_000;
/** The sitemaps protocol allows at most 50 000 URLs per file. */
export const SITEMAP_MAX_URLS = 50_000;
/** The news sitemap covers articles published in the last 48 hours. */
export const NEWS_WINDOW_MS = 48 * 60 * 60 * 1000;

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

// --- Text

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing XML-illegal characters is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const HTML_ESCAPES: Readonly<Record<string, string>> = { ...XML_ESCAPES, "'": '&#39;' };

/** `text` with only characters XML 1.0 allows (see the module comment). */
export function xmlSafe(text: string): string {
  return text.toWellFormed().replace(XML_ILLEGAL, '');
}

/** `text` escaped for XML content or a quoted attribute, XML-illegal characters removed. */
export function escapeXml(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Plain text as HTML (for `type="html"` and RSS descriptions). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Text for a field the `feed` package writes through xml-js's text writer (`&amp;` → `&` quirk). */
export const forText = (text: string) => xmlSafe(text).replaceAll('&', '&amp;');
/** HTML for a CDATA section: no `]]>` left for the package's single replacement to miss. */
export const cdataHtml = (html: string) => xmlSafe(html).replaceAll(']]>', ']]&gt;');
/** Text for an attribute the package escapes only `&` and `"` in. */
export const attribute = (text: string) =>
  xmlSafe(text)
    .replace(/</g, '')
    .replace(/\r\n?|[\t\n]/g, ' ');

// --- Dates and months

export function date(iso: string, what: string): Date {
  const value = new Date(iso);
  if (Number.isNaN(value.getTime())) throw new Error(`${what} is not a date-time: ${JSON.stringify(iso)}`);
  return value;
}

/** A W3C/RFC 3339 date-time in UTC, milliseconds only when there are any. */
export function w3cDateTime(iso: string): string {
  return date(iso, 'date').toISOString().replace('.000Z', 'Z');
}

const monthOf = (d: Date) =>
  `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/** The first instant of a UTC month (years below 100 taken literally, unlike `Date.UTC`). */
function monthStart(year: number, monthIndex: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, 1);
  return d;
}

/**
 * A `YYYY-MM` month as the UTC instants it spans: `start` inclusive, `end` (the next month's
 * start) exclusive, both ISO strings. Anything else (`2026-3`, `2026-13`, `2026-03.xml`) → null.
 */
export function parseMonth(month: string): { month: string; start: string; end: string } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (match === null) return null;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    month,
    start: monthStart(year, index).toISOString(),
    end: monthStart(year, index + 1).toISOString(),
  };
}

/**
 * Every `YYYY-MM` from the UTC month of `oldestPublishedAt` to the UTC month of `now`, oldest
 * first; empty when the oldest is after `now`.
 */
export function monthsBetween(oldestPublishedAt: string, now: Date): string[] {
  const first = date(oldestPublishedAt, 'oldestPublishedAt');
  const months: string[] = [];
  const last = monthOf(now);
  for (let d = monthStart(first.getUTCFullYear(), first.getUTCMonth()); monthOf(d) <= last; ) {
    months.push(monthOf(d));
    d = monthStart(d.getUTCFullYear(), d.getUTCMonth() + 1);
  }
  return months;
}

/**
 * The news sitemap's window: articles with `from ≤ publishedAt ≤ to` (both inclusive,
 * ISO UTC), `from` exactly 48 hours before `now`, `to` = `now` (later ones are not visible).
 */
export function newsWindow(now: Date): { from: string; to: string } {
  return { from: new Date(now.getTime() - NEWS_WINDOW_MS).toISOString(), to: now.toISOString() };
}

/** Whether `publishedAt` falls in `newsWindow(now)`, compared as instants. */
export function inNewsWindow(publishedAt: string, now: Date): boolean {
  const t = date(publishedAt, 'publishedAt').getTime();
  return t >= now.getTime() - NEWS_WINDOW_MS && t <= now.getTime();
}

/** Newest `publishedAt` first (compared as instants), ties by slug ascending, at most `max`. */
export function newestFirst<T extends { slug: string; publishedAt: string }>(
  entries: readonly T[],
  max: number,
): T[] {
  const time = (entry: T) => date(entry.publishedAt, `publishedAt of ${entry.slug}`).getTime();
  return [...entries]
    .sort((a, b) => time(b) - time(a) || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
    .slice(0, max);
}

// --- Sitemaps

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** An element with escaped text content. */
const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

/**
 * Sitemap index: one `<sitemap><loc>` per month, `{apiBaseUrl}/sitemaps/{yyyy}-{mm}.xml`
 * (`apiBaseUrl` absolute, stage path included, trailing `/` optional). Throws on a month
 * that is not `YYYY-MM`. No months → a valid index with no `<sitemap>`.
 */
export function sitemapIndex(months: readonly string[], apiBaseUrl: string): string {
  const base = new URL(apiBaseUrl).href.replace(/\/+$/, '');
  const sitemaps = months.map((month) => {
    if (parseMonth(month) === null) throw new Error(`not a YYYY-MM month: ${JSON.stringify(month)}`);
    return `  <sitemap>${element('loc', `${base}/sitemaps/${month}.xml`)}</sitemap>`;
  });
  return [XML_DECLARATION, `<sitemapindex xmlns="${SITEMAP_NS}">`, ...sitemaps, '</sitemapindex>', ''].join(
    '\n',
  );
}

/**
 * One month's sitemap: a `<url>` per entry (in the given order) with `<loc>` (article URL)
 * and `<lastmod>` (updatedAt, UTC). More than 50 000 entries throws: the protocol's
 * per-file limit (how to stay under it: docs/syndication.md) rather than a file crawlers reject.
 */
export function monthlySitemap(entries: readonly SitemapEntry[], settings: SiteSettings): string {
  if (entries.length > SITEMAP_MAX_URLS) {
    throw new Error(
      `A monthly sitemap would list ${entries.length} URLs; the sitemaps protocol allows at most ${SITEMAP_MAX_URLS} per file (see docs/syndication.md)`,
    );
  }
  const urls = entries.map(
    (entry) =>
      `  <url>${element('loc', articleUrl(settings, entry.slug))}${element('lastmod', w3cDateTime(entry.updatedAt))}</url>`,
  );
  return [XML_DECLARATION, `<urlset xmlns="${SITEMAP_NS}">`, ...urls, '</urlset>', ''].join('\n');
}

/**
 * The site language as Google News wants it: an ISO 639 code (the BCP 47 primary subtag),
 * except Chinese, which is `zh-cn` (Simplified) or `zh-tw` (Traditional).
 */
export function newsLanguage(language: string): string {
  const [primary = '', ...rest] = language.toLowerCase().split('-');
  if (primary !== 'zh') return primary;
  return rest.some((subtag) => ['hant', 'tw', 'hk', 'mo'].includes(subtag)) ? 'zh-tw' : 'zh-cn';
}

/**
 * Google News sitemap of the given entries (the caller keeps those in `newsWindow`), newest
 * first, at most 1 000: `<loc>`, `<news:publication>` (`<news:name>` site name,
 * `<news:language>`, see `newsLanguage`), `<news:publication_date>` (UTC) and `<news:title>`.
 */
export function newsSitemap(entries: readonly NewsSitemapEntry[], settings: SiteSettings): string {
  const publication = `<news:publication>${element('news:name', settings.name)}${element('news:language', newsLanguage(settings.language))}</news:publication>`;
  const urls = newestFirst(entries, NEWS_SITEMAP_MAX_ENTRIES).map((entry) =>
    [
      '  <url>',
      element('loc', articleUrl(settings, entry.slug)),
      '<news:news>',
      publication,
      element('news:publication_date', w3cDateTime(entry.publishedAt)),
      element('news:title', entry.title),
      '</news:news></url>',
    ].join(''),
  );
  return [
    XML_DECLARATION,
    `<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">`,
    ...urls,
    '</urlset>',
    '',
  ].join('\n');
}
