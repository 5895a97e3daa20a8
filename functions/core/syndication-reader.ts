import { NotFoundError } from './errors.ts';
import type { SiteSettings } from './site.ts';
import type { ArticleStore } from './store/port.ts';
import {
  FEED_MAX_ENTRIES,
  type FeedEntry,
  monthlySitemap,
  monthsBetween,
  NEWS_SITEMAP_MAX_ENTRIES,
  NEWS_WINDOW_MS,
  newsSitemap,
  parseMonth,
  SITEMAP_CONTENT_TYPE,
  SITEMAP_MAX_URLS,
  sitemapIndex,
} from './syndication.ts';

/**
 * The syndication use cases, one method per route (API.md "Syndication: feeds and
 * sitemaps"): which articles each document holds, read from the store at a bounded cost,
 * rendered by syndication.ts (sitemaps) or, for feeds, by feeds.ts, which alone imports the
 * `feed` package, so that the sitemap functions do not bundle it.
 *
 * DynamoDB round trips per request:
 * - feeds: one Query (the index, or the tag's partition) + one BatchGetItem of the heads,
 *   + one Query per article over 350 KB (its content lies in slices), run in parallel;
 * - news sitemap: one Query (the last 48 hours, at most 1 000 articles);
 * - sitemap index: one Query of one item (the oldest visible article);
 * - monthly sitemap: the Queries of that month's range (one per 1 MB page), + one Query of
 *   one item when the month is empty (to tell an empty month from one outside the range).
 */

/** A rendered document and its media type. */
export interface SyndicationDocument {
  readonly body: string;
  readonly contentType: string;
}

export interface SyndicationReaderOptions {
  readonly store: ArticleStore;
  readonly site: SiteSettings;
  readonly clock?: () => Date;
}

const noSitemap = () => new NotFoundError('No sitemap for this month.');

export class SyndicationReader {
  readonly site: SiteSettings;
  private readonly store: ArticleStore;
  private readonly clock: () => Date;

  constructor(options: SyndicationReaderOptions) {
    this.store = options.store;
    this.site = options.site;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The entries of a feed: the newest visible articles (at most 50), all of them or those with `tag`. */
  async feedEntries(tag: string | undefined): Promise<FeedEntry[]> {
    const articles = await this.store.feed({ tag: tag ?? null, now: this.clock(), limit: FEED_MAX_ENTRIES });
    return articles.map((article) => ({
      slug: article.slug,
      title: article.title,
      summary: article.summary,
      author: article.author,
      tags: article.tags,
      // Visible articles always have one (the store returns visible articles only).
      publishedAt: article.publishedAt ?? article.updatedAt,
      updatedAt: article.updatedAt,
      bodyHtml: article.bodyHtml,
    }));
  }

  /** The Google News sitemap: articles published in the last 48 hours, newest first, at most 1 000. */
  async newsSitemap(): Promise<SyndicationDocument> {
    const now = this.clock();
    const articles = await this.store.publishedBetween({
      from: new Date(now.getTime() - NEWS_WINDOW_MS),
      until: new Date(now.getTime() + 1),
      limit: NEWS_SITEMAP_MAX_ENTRIES,
    });
    const entries = articles.map(({ slug, title, publishedAt }) => ({
      slug,
      title,
      publishedAt: publishedAt ?? now.toISOString(),
    }));
    return { body: newsSitemap(entries, this.site), contentType: SITEMAP_CONTENT_TYPE };
  }

  /** The sitemap index: one monthly sitemap per month from the oldest visible article's to now's. */
  async sitemapIndex(apiBaseUrl: string): Promise<SyndicationDocument> {
    const now = this.clock();
    const oldest = await this.store.oldestPublishedAt(now);
    const months = oldest === undefined ? [] : monthsBetween(oldest, now);
    return { body: sitemapIndex(months, apiBaseUrl), contentType: SITEMAP_CONTENT_TYPE };
  }

  /**
   * The sitemap of one UTC month (`YYYY-MM`): its visible articles, newest first. A month
   * that is ill-formed, after the current one, or before the oldest visible article's → 404.
   */
  async monthlySitemap(month: string): Promise<SyndicationDocument> {
    const range = parseMonth(month);
    const now = this.clock();
    if (range === null || Date.parse(range.start) > now.getTime()) throw noSitemap();
    const end = Math.min(Date.parse(range.end), now.getTime() + 1);
    // One over the protocol's limit, so that a month past it is reported rather than cut.
    const articles = await this.store.publishedBetween({
      from: new Date(range.start),
      until: new Date(end),
      limit: SITEMAP_MAX_URLS + 1,
    });
    if (articles.length === 0) {
      // Empty: a month of the range with no article (200), or one before the oldest (404).
      const oldest = await this.store.oldestPublishedAt(now);
      const [first] = oldest === undefined ? [] : monthsBetween(oldest, now);
      if (first === undefined || month < first) throw noSitemap();
    }
    const entries = articles.map(({ slug, updatedAt }) => ({ slug, updatedAt }));
    return { body: monthlySitemap(entries, this.site), contentType: SITEMAP_CONTENT_TYPE };
  }
}
