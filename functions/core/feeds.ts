import { Feed, type Item } from 'feed';
import { httpHandler, parseTag } from './http.ts';
import { articleUrl, type SiteSettings } from './site.ts';
import {
  ATOM_CONTENT_TYPE,
  attribute,
  cdataHtml,
  date,
  escapeHtml,
  escapeXml,
  FEED_MAX_ENTRIES,
  type FeedEntry,
  forText,
  JSON_FEED_CONTENT_TYPE,
  JSON_FEED_VERSION,
  newestFirst,
  RSS_CONTENT_TYPE,
  w3cDateTime,
  xmlSafe,
} from './syndication.ts';
import { baseUrlOf, documentResponse } from './syndication-http.ts';
import type { SyndicationReader } from './syndication-reader.ts';

/**
 * The feeds: RSS 2.0 and Atom 1.0 from the `feed` package, JSON Feed 1.1 built directly
 * (syndication.ts explains the text handling), and their route handler. Only the feed
 * functions import this module, so only they bundle the `feed` package.
 */

const DC_NS = 'http://purl.org/dc/elements/1.1/';
const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">';
/** `updated`/`lastBuildDate` of a feed with no entries: fixed, so its ETag is stable. */
const EMPTY_FEED_UPDATED = new Date(0);

/** The newest `updatedAt` of the entries (or a fixed instant for none). */
function feedUpdated(entries: readonly FeedEntry[]): Date {
  const times = entries.map((entry) => date(entry.updatedAt, `updatedAt of ${entry.slug}`).getTime());
  return times.length === 0 ? EMPTY_FEED_UPDATED : new Date(Math.max(...times));
}

/**
 * A `feed` package feed of the newest entries; `item` shapes each entry for one format.
 * Feed level: title (and RSS description, Atom subtitle and author) the site name, link the
 * site URL, language, self link and Atom id `selfUrl`, `updated`/`lastBuildDate` the newest
 * `updatedAt` (never the clock, so the same articles give the same bytes and ETag).
 */
function packageFeed(
  entries: readonly FeedEntry[],
  settings: SiteSettings,
  selfUrl: string,
  item: (entry: FeedEntry, link: string) => Item,
): Feed {
  const kept = newestFirst(entries, FEED_MAX_ENTRIES);
  const self = new URL(selfUrl).href;
  const feed = new Feed({
    title: forText(settings.name),
    description: forText(settings.name),
    id: forText(self),
    link: settings.url,
    feed: self,
    language: settings.language,
    updated: feedUpdated(kept),
    generator: 'Newsdesk',
    // Atom needs an author for entries without one: the site.
    author: { name: forText(settings.name) },
  });
  for (const entry of kept) feed.addItem(item(entry, articleUrl(settings, entry.slug)));
  return feed;
}

/** What RSS and Atom items share. */
function baseItem(entry: FeedEntry, link: string): Item {
  const author = forText(entry.author ?? '');
  return {
    title: entry.title,
    link,
    date: date(entry.updatedAt, `updatedAt of ${entry.slug}`),
    published: date(entry.publishedAt, `publishedAt of ${entry.slug}`),
    content: cdataHtml(entry.bodyHtml),
    ...(entry.summary ? { description: escapeHtml(xmlSafe(entry.summary)) } : {}),
    // An author made only of characters XML cannot carry counts as not set.
    ...(author ? { author: [{ name: author }] } : {}),
  };
}

/**
 * RSS 2.0 of the newest entries (at most 50). `selfUrl` is the feed's own absolute URL
 * (query included), written as `<atom:link rel="self">`. Each item: `title`, `link` and
 * `guid isPermaLink="true"` (article URL), `pubDate` (publishedAt), `atom:updated`,
 * `description` (HTML-escaped summary, when set), `content:encoded` (bodyHtml), `author`
 * and `dc:creator` (when set), one `category` per tag.
 */
export function rssFeed(entries: readonly FeedEntry[], settings: SiteSettings, selfUrl: string): string {
  return packageFeed(entries, settings, selfUrl, (entry, link) => {
    const item = baseItem(entry, link);
    const creator = item.author?.[0]?.name;
    return {
      ...item,
      category: entry.tags.map((tag) => ({ name: forText(tag) })),
      extensions: [
        // Plain text, escaped, instead of the package's CDATA (see the module comment).
        { name: 'title', objects: { _text: forText(entry.title) } },
        // The package's root declares the Atom namespace (for the self link).
        { name: 'atom:updated', objects: { _text: item.date.toISOString() } },
        ...(creator
          ? [
              {
                name: 'dc:creator',
                // The package declares the DC namespace only along with content:encoded.
                objects: { ...(item.content ? {} : { _attributes: { 'xmlns:dc': DC_NS } }), _text: creator },
              },
            ]
          : []),
      ],
    };
  }).rss2();
}

/**
 * Atom 1.0 of the newest entries (at most 50), `xml:lang` the site language, `id` and
 * `rel="self"` link the feed's own URL. Each entry: `title` and `summary` (when set) as
 * `type="html"`, `id` and `link` (article URL), `published`, `updated`, `content type="html"`
 * (bodyHtml), `author` (when set; the site otherwise), one `category term` per tag.
 */
export function atomFeed(entries: readonly FeedEntry[], settings: SiteSettings, selfUrl: string): string {
  const xml = packageFeed(entries, settings, selfUrl, (entry, link) => ({
    ...baseItem(entry, link),
    title: escapeHtml(xmlSafe(entry.title)),
    category: entry.tags.map((tag) => ({ term: attribute(tag) })),
  })).atom1();
  if (!xml.includes(ATOM_ROOT)) throw new Error('feed package: unexpected Atom root element');
  return xml.replace(ATOM_ROOT, `${ATOM_ROOT.slice(0, -1)} xml:lang="${escapeXml(settings.language)}">`);
}

/**
 * JSON Feed 1.1 of the newest entries (at most 50): `title`, `home_page_url`, `feed_url`
 * (`selfUrl`), `language`; each item `id` and `url` (article URL), `title`, `summary`
 * (when set), `content_html`, `date_published`, `date_modified`, `authors` (when set),
 * `tags` (when any).
 */
export function jsonFeed(entries: readonly FeedEntry[], settings: SiteSettings, selfUrl: string): string {
  const items = newestFirst(entries, FEED_MAX_ENTRIES).map((entry) => {
    const url = articleUrl(settings, entry.slug);
    return {
      id: url,
      url,
      title: entry.title,
      ...(entry.summary ? { summary: entry.summary } : {}),
      content_html: entry.bodyHtml,
      date_published: w3cDateTime(entry.publishedAt),
      date_modified: w3cDateTime(entry.updatedAt),
      ...(entry.author ? { authors: [{ name: entry.author }] } : {}),
      ...(entry.tags.length > 0 ? { tags: [...entry.tags] } : {}),
    };
  });
  return JSON.stringify({
    version: JSON_FEED_VERSION,
    title: settings.name,
    home_page_url: new URL(settings.url).href,
    feed_url: new URL(selfUrl).href,
    language: settings.language,
    items,
  });
}

export type FeedFormat = 'rss' | 'atom' | 'json';

const FEEDS: Readonly<Record<FeedFormat, { render: typeof rssFeed; contentType: string }>> = {
  rss: { render: rssFeed, contentType: RSS_CONTENT_TYPE },
  atom: { render: atomFeed, contentType: ATOM_CONTENT_TYPE },
  json: { render: jsonFeed, contentType: JSON_FEED_CONTENT_TYPE },
};

/** `GET {path}?tag=`: a feed of the newest visible articles; an invalid tag → 400 before any read. */
export const feedHandler = (format: FeedFormat, path: string, service: SyndicationReader) =>
  httpHandler({ name: `GET ${path}`, auth: 'public' }, async (request) => {
    const tag = parseTag(request.query('tag'));
    const self = new URL(`${baseUrlOf(request)}${path}`);
    if (tag !== undefined) self.searchParams.set('tag', tag);
    const { render, contentType } = FEEDS[format];
    const entries = await service.feedEntries(tag);
    return documentResponse(request, { body: render(entries, service.site, self.href), contentType });
  });
