/**
 * What each event changed at the edge (API.md "Edge caching", docs/edge.md): the paths to
 * purge, in CloudFront's invalidation syntax — an exact viewer path, or a prefix ending in
 * `*` (CloudFront matches it against the path and the query string). The Varnish adapter
 * translates the same paths into ban regexes, so one mapping serves both.
 *
 * Every event purges the same shared documents, whatever its detail-type: the article's
 * URL, with and without a query (the cache key holds `limit`, `cursor` and `tag` on every
 * route, so `/articles/{slug}?tag=x` is an entry of its own that a take-down must purge too),
 * the first list page and every list or tag page with a query (`/articles?*`), the three
 * feeds, and the sitemaps. Wildcards are billed as one path each: 8 paths per event, and
 * 6 + 2n for a batch about n articles.
 */
import { createHash } from 'node:crypto';

/** The paths every event purges, whichever article it is about. */
export const SHARED_PATHS = [
  '/articles',
  '/articles?*',
  '/feed.*',
  '/sitemap.xml',
  '/sitemaps/*',
  '/news-sitemap.xml',
] as const;

/** The paths of one article: its URL, and its URL with any query. */
export function articlePaths(slug: string): [string, string] {
  return [`/articles/${slug}`, `/articles/${slug}?*`];
}

/** What the mapping reads of an event (ArticleEvent's `detail`, or the EventBridge envelope's). */
export interface EventRef {
  readonly detail: { readonly slug: string };
}

/** The paths one event changed. */
export function pathsForEvent(event: EventRef): string[] {
  return [...articlePaths(event.detail.slug), ...SHARED_PATHS];
}

/** The paths a batch of events changed, each once: the articles (by slug), then the shared paths. */
export function purgePaths(events: readonly EventRef[]): string[] {
  if (events.length === 0) return [];
  const slugs = [...new Set(events.map((event) => event.detail.slug))].sort();
  return [...slugs.flatMap(articlePaths), ...SHARED_PATHS];
}

/**
 * A path of purgePaths as an anchored regular expression on the request URL (path and
 * query), the way CloudFront matches it: a trailing `*` is a prefix match of the path and
 * query string; anything else must match the whole URL. For caches that ban by regex (Varnish).
 */
export function pathToRegex(path: string): string {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return path.endsWith('*') ? `^${literal(path.slice(0, -1))}` : `^${literal(path)}$`;
}

/**
 * CloudFront's CallerReference of a batch: a hash of its event ids (order-free). The same
 * batch retried gets the same reference, and CloudFront answers the invalidation it already
 * created instead of creating (and billing) another one.
 */
export function callerReference(eventIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of [...new Set(eventIds)].sort()) hash.update(id).update('\n');
  return `newsdesk-${hash.digest('hex').slice(0, 40)}`;
}

/** Where purges go: CloudFront deployed, Varnish locally (functions/core/edge/). */
export interface EdgePurger {
  /** Resolves once the edge accepted the purge (throws to have the batch retried). */
  purge(paths: readonly string[], callerReference: string): Promise<void>;
}
