import {
  type EditorArticle,
  type EditorSummary,
  editorArticle,
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
