/**
 * The API's routes: one Lambda handler module per route. The CDK stack builds the
 * REST API from this list and the local server routes requests with it, so both
 * expose exactly the same surface.
 *
 * Pure data (one type import), safe to load from CDK code, the local server and Lambda.
 */

import type { StoreOperation } from './store/access.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  /** Stable identifier, also the function's name suffix in the stack. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly resource: string;
  /** `public` = no authorization; `editor` = AWS_IAM (SigV4). */
  readonly auth: 'public' | 'editor';
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** The store operations the handler uses: its table grants follow from them (store/access.ts). */
  readonly store: readonly StoreOperation[];
  /** Indexes the handler queries (by name in TABLE.indexes). */
  readonly indexes: readonly ('byStatus' | 'all')[];
  /**
   * The handler speaks of the front end's URLs (feeds, sitemaps): its function gets the
   * site settings (`SITE_SETTINGS`, see site.ts).
   * @default false
   */
  readonly siteSettings?: boolean;
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'ListArticles',
    method: 'GET',
    resource: '/articles',
    auth: 'public',
    entry: 'functions/list-articles.ts',
    store: ['list', 'listTag'],
    indexes: ['byStatus'],
  },
  {
    id: 'GetArticle',
    method: 'GET',
    resource: '/articles/{slug}',
    auth: 'public',
    entry: 'functions/get-article.ts',
    store: ['get'],
    indexes: [],
  },
  {
    id: 'CreateArticle',
    method: 'POST',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/create-article.ts',
    // An Idempotency-Key replay reads the record and the first version.
    store: ['create', 'getIdempotencyRecord', 'getVersion'],
    indexes: [],
  },
  {
    id: 'EditorListArticles',
    method: 'GET',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/editor-list-articles.ts',
    store: ['list'],
    indexes: ['byStatus', 'all'],
  },
  {
    id: 'EditorGetArticle',
    method: 'GET',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/editor-get-article.ts',
    store: ['get'],
    indexes: [],
  },
  {
    id: 'UpdateArticle',
    method: 'PUT',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/update-article.ts',
    store: ['get', 'replace'],
    indexes: [],
  },
  {
    id: 'DeleteArticle',
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/delete-article.ts',
    store: ['get', 'takeDown'],
    indexes: [],
  },
  // Syndication (API.md "Syndication: feeds and sitemaps"): public, cacheable documents.
  {
    id: 'RssFeed',
    method: 'GET',
    resource: '/feed.xml',
    auth: 'public',
    entry: 'functions/feed-rss.ts',
    store: ['feed'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
  {
    id: 'AtomFeed',
    method: 'GET',
    resource: '/feed.atom',
    auth: 'public',
    entry: 'functions/feed-atom.ts',
    store: ['feed'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
  {
    id: 'JsonFeed',
    method: 'GET',
    resource: '/feed.json',
    auth: 'public',
    entry: 'functions/feed-json.ts',
    store: ['feed'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
  {
    id: 'SitemapIndex',
    method: 'GET',
    resource: '/sitemap.xml',
    auth: 'public',
    entry: 'functions/sitemap-index.ts',
    store: ['oldestPublished'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
  {
    id: 'MonthlySitemap',
    method: 'GET',
    // `{month}` is `YYYY-MM.xml`: API Gateway cannot match a parameter inside a segment.
    resource: '/sitemaps/{month}',
    auth: 'public',
    entry: 'functions/monthly-sitemap.ts',
    // An empty month also reads the oldest article, to tell it from a month out of range.
    store: ['publishedBetween', 'oldestPublished'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
  {
    id: 'NewsSitemap',
    method: 'GET',
    resource: '/news-sitemap.xml',
    auth: 'public',
    entry: 'functions/news-sitemap.ts',
    store: ['publishedBetween'],
    indexes: ['byStatus'],
    siteSettings: true,
  },
];
