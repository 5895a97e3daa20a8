import {
  type ArticleSummary,
  type EditorArticle,
  type EditorStatus,
  type EditorSummary,
  editorArticle,
  editorStatus,
  editorSummary,
  etagHeader,
  isVisible,
  type PublicArticle,
  type PublicSummary,
  publicArticle,
  publicSummary,
} from './article-model.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { NotFoundError } from './errors.ts';
import type { ArticleStore, ListQuery } from './store/port.ts';

/**
 * The read use cases, one method per read route: what the read functions need and no more
 * (no Markdown renderer, no input schemas), so their bundles stay small and start fast.
 * `ArticleService` (articles.ts) adds the writes.
 */

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface Tagged<T> {
  readonly article: T;
  readonly etag: string;
}

/** One version in an article's history. */
export interface RevisionSummary {
  readonly version: number;
  readonly status: EditorStatus;
  readonly title: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/**
 * The instant a version's editor representation is shown as of: now for the current
 * version (as GET /editor/articles/{slug} shows it), the time it was written for an
 * earlier one (as its write answered). Only `status` depends on it (scheduled/published).
 */
const shownAt = (version: ArticleSummary, current: number, now: Date) =>
  version.version === current ? now : new Date(version.updatedAt);

export interface ArticleReaderOptions {
  readonly store: ArticleStore;
  readonly cursorSecret: string;
  readonly clock?: () => Date;
}

/** True when an If-Match / If-None-Match header value lists `etag` (or is `*`). */
export function matchesEtag(header: string, etag: string, { weak }: { weak: boolean }): boolean {
  return header.split(',').some((raw) => {
    const candidate = raw.trim();
    if (candidate === '*') return true;
    if (weak) return candidate.replace(/^W\//, '') === etag;
    return candidate === etag;
  });
}

export class ArticleReader {
  protected readonly store: ArticleStore;
  protected readonly cursorSecret: string;
  protected readonly clock: () => Date;

  constructor(options: ArticleReaderOptions) {
    this.store = options.store;
    this.cursorSecret = options.cursorSecret;
    this.clock = options.clock ?? (() => new Date());
  }

  /** A visible article (published, publishedAt ≤ now), for the public route. */
  async getPublic(slug: string): Promise<Tagged<PublicArticle>> {
    const article = await this.store.get(slug);
    if (article === undefined || !isVisible(article, this.clock())) throw notFound();
    return { article: publicArticle(article), etag: etagHeader(article) };
  }

  async getForEditor(slug: string): Promise<Tagged<EditorArticle>> {
    const article = await this.store.get(slug, { consistent: true });
    if (article === undefined) throw notFound();
    return { article: editorArticle(article, this.clock()), etag: etagHeader(article) };
  }

  async listPublic(options: {
    limit: number;
    cursor: string | undefined;
    tag: string | undefined;
  }): Promise<Page<PublicSummary>> {
    const query: ListQuery = { kind: 'public', tag: options.tag ?? null };
    const page = await this.list(query, options.limit, options.cursor);
    return { items: page.items.map(publicSummary), nextCursor: page.nextCursor };
  }

  async listForEditor(options: {
    limit: number;
    cursor: string | undefined;
    status: 'draft' | 'scheduled' | 'published' | undefined;
  }): Promise<Page<EditorSummary>> {
    const now = this.clock();
    const query: ListQuery = { kind: 'editor', status: options.status ?? null };
    const page = await this.list(query, options.limit, options.cursor, now);
    return { items: page.items.map((item) => editorSummary(item, now)), nextCursor: page.nextCursor };
  }

  /** A page of a live article's versions, newest first (GET /editor/articles/{slug}/revisions). */
  async history(
    slug: string,
    options: { limit: number; cursor: string | undefined },
  ): Promise<Page<RevisionSummary>> {
    // The cursor is bound to this article's history: another article's, or a list's, is a 400.
    const binding = `revisions|slug=${slug}`;
    const startKey =
      options.cursor === undefined ? undefined : decodeCursor(this.cursorSecret, binding, options.cursor);
    const page = await this.store.revisions({ slug, limit: options.limit, startKey });
    if (page === undefined) throw notFound();
    const now = this.clock();
    return {
      items: page.items.map((version) => ({
        version: version.version,
        status: editorStatus(version, shownAt(version, page.current, now)),
        title: version.title,
        publishedAt: version.publishedAt,
        updatedAt: version.updatedAt,
        updatedBy: version.updatedBy,
      })),
      nextCursor: page.lastKey === undefined ? null : encodeCursor(this.cursorSecret, binding, page.lastKey),
    };
  }

  /** Version `version` of a live article, as the editor representation (GET …/revisions/{version}). */
  async getRevision(slug: string, version: number): Promise<EditorArticle> {
    const [current, article] = await Promise.all([
      this.store.liveVersion(slug),
      this.store.getVersion(slug, version),
    ]);
    if (current === undefined) throw notFound();
    if (article === undefined) throw notFoundVersion();
    return editorArticle(article, shownAt(article, current, this.clock()));
  }

  protected async list(query: ListQuery, limit: number, cursor: string | undefined, now = this.clock()) {
    const binding =
      query.kind === 'public' ? `public|tag=${query.tag ?? ''}` : `editor|status=${query.status ?? ''}`;
    const startKey = cursor === undefined ? undefined : decodeCursor(this.cursorSecret, binding, cursor);
    const page = await this.store.list({ query, now, limit, startKey });
    return {
      items: page.items,
      nextCursor: page.lastKey === undefined ? null : encodeCursor(this.cursorSecret, binding, page.lastKey),
    };
  }
}

export const notFound = () => new NotFoundError('No article with this slug.');
export const notFoundVersion = () => new NotFoundError('This article has no version with this number.');

/** Parses a `{version}` path parameter: a positive integer (no sign, no leading zero); else a 404. */
export function parseVersion(value: string | undefined): number {
  if (value === undefined || !/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 9_999_999_999) {
    throw notFoundVersion();
  }
  return Number(value);
}
