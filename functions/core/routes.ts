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
  /**
   * The handler signs or checks preview links: its function may read the preview signing
   * key's secret, named (never held) by `PREVIEW_KEY_SECRET` (see preview-deps.ts).
   * @default false
   */
  readonly previewKey?: boolean;
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
  // Revisions (API.md "Revisions"): every version is kept; a restore writes a new one.
  {
    id: 'ListRevisions',
    method: 'GET',
    resource: '/editor/articles/{slug}/revisions',
    auth: 'editor',
    entry: 'functions/list-revisions.ts',
    store: ['revisions'],
    indexes: [],
  },
  {
    id: 'GetRevision',
    method: 'GET',
    resource: '/editor/articles/{slug}/revisions/{version}',
    auth: 'editor',
    entry: 'functions/get-revision.ts',
    store: ['liveVersion', 'getVersion'],
    indexes: [],
  },
  {
    id: 'RestoreRevision',
    method: 'POST',
    resource: '/editor/articles/{slug}/revisions/{version}/restore',
    auth: 'editor',
    entry: 'functions/restore-revision.ts',
    store: ['get', 'getVersion', 'replace'],
    indexes: [],
  },
  // Preview links (API.md "Preview links"): signed, expiring links to one version.
  {
    id: 'CreatePreview',
    method: 'POST',
    resource: '/editor/articles/{slug}/preview',
    auth: 'editor',
    entry: 'functions/create-preview.ts',
    store: ['liveVersion'],
    indexes: [],
    siteSettings: true,
    previewKey: true,
  },
  {
    id: 'GetPreview',
    method: 'GET',
    resource: '/preview/{token}',
    auth: 'public',
    entry: 'functions/get-preview.ts',
    store: ['liveVersion', 'getVersion'],
    indexes: [],
    previewKey: true,
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
