import { createHash } from 'node:crypto';
import {
  type Article,
  type CreateArticleInput,
  deriveSlug,
  type EditorArticle,
  type EditorSummary,
  editorArticle,
  editorSummary,
  etagOf,
  isVisible,
  type PublicArticle,
  type PublicSummary,
  publicArticle,
  publicSummary,
  type UpdateArticleInput,
} from './article.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import {
  IdempotencyKeyReusedError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
  ValidationError,
} from './errors.ts';
import { renderMarkdown } from './markdown.ts';
import { type ArticleStore, IdempotencyKeyUsedError, type ListQuery } from './store.ts';

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The article use cases, one method per route. Handlers call these with validated
 * input and the caller's identity; this is where the contract's rules live.
 */

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface Tagged<T> {
  readonly article: T;
  readonly etag: string;
}

export interface ArticleServiceOptions {
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

export class ArticleService {
  private readonly store: ArticleStore;
  private readonly cursorSecret: string;
  private readonly clock: () => Date;

  constructor(options: ArticleServiceOptions) {
    this.store = options.store;
    this.cursorSecret = options.cursorSecret;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Creates an article. With an idempotency key, the outcome is recorded in the same
   * transaction for 24 hours: a retry with the same key and the same input gets the
   * original result without a second write; the same key with other input is a 422.
   */
  async create(
    input: CreateArticleInput,
    editor: string,
    idempotencyKey?: string,
  ): Promise<Tagged<EditorArticle>> {
    const slug = input.slug ?? deriveSlug(input.title);
    if (slug === null) {
      throw new ValidationError('No slug can be derived from this title.', [
        {
          path: 'slug',
          message: 'the title has no letters or digits to derive a slug from; send an explicit slug',
        },
      ]);
    }
    const now = this.clock();
    const nowIso = now.toISOString();
    const article: Article = {
      slug,
      title: input.title,
      summary: input.summary,
      body: input.body,
      bodyHtml: renderMarkdown(input.body),
      author: input.author,
      tags: input.tags,
      status: input.status,
      publishedAt: input.publishedAt ?? (input.status === 'published' ? nowIso : null),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
      createdBy: editor,
      updatedBy: editor,
    };
    const result = { article: editorArticle(article, now), etag: etagOf(article) };
    if (idempotencyKey === undefined) {
      await this.store.create(article);
      return result;
    }
    // Keys are scoped to the caller: another editor's key never replays this response.
    const key = sha256(`${editor}\n${idempotencyKey}`);
    const requestHash = sha256(JSON.stringify(input));
    try {
      await this.store.create(article, {
        key,
        requestHash,
        response: JSON.stringify(result),
        expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      });
      return result;
    } catch (error) {
      if (!(error instanceof IdempotencyKeyUsedError)) throw error;
      const record = await this.store.getIdempotencyRecord(key, now);
      // Expired between the write and this read: the key is free again.
      if (record === undefined) return this.create(input, editor, idempotencyKey);
      if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
      return JSON.parse(record.response) as Tagged<EditorArticle>;
    }
  }

  /** A visible article (published, publishedAt ≤ now), for the public route. */
  async getPublic(slug: string): Promise<Tagged<PublicArticle>> {
    const article = await this.store.get(slug);
    if (article === undefined || !isVisible(article, this.clock())) throw notFound();
    return { article: publicArticle(article), etag: etagOf(article) };
  }

  async getForEditor(slug: string): Promise<Tagged<EditorArticle>> {
    const article = await this.store.get(slug, { consistent: true });
    if (article === undefined) throw notFound();
    return { article: editorArticle(article, this.clock()), etag: etagOf(article) };
  }

  async update(
    slug: string,
    ifMatch: string | undefined,
    input: UpdateArticleInput,
    editor: string,
  ): Promise<Tagged<EditorArticle>> {
    if (ifMatch === undefined) throw new PreconditionRequiredError();
    const current = await this.store.get(slug, { consistent: true });
    if (current === undefined) throw notFound();
    if (!matchesEtag(ifMatch, etagOf(current), { weak: false })) throw new PreconditionFailedError();
    const now = this.clock();
    const nowIso = now.toISOString();
    const next: Article = {
      ...current,
      title: input.title,
      summary: input.summary,
      body: input.body,
      bodyHtml: input.body === current.body ? current.bodyHtml : renderMarkdown(input.body),
      author: input.author,
      tags: input.tags,
      status: input.status,
      // Absent: keep the current one; first time published: the time of this write.
      publishedAt: input.publishedAt ?? current.publishedAt ?? (input.status === 'published' ? nowIso : null),
      updatedAt: nowIso,
      version: current.version + 1,
      updatedBy: editor,
    };
    await this.store.replace(current, next);
    return { article: editorArticle(next, now), etag: etagOf(next) };
  }

  async takeDown(slug: string, ifMatch: string | undefined, editor: string): Promise<void> {
    const current = await this.store.get(slug, { consistent: true });
    if (current === undefined) throw notFound();
    if (ifMatch !== undefined && !matchesEtag(ifMatch, etagOf(current), { weak: false })) {
      throw new PreconditionFailedError();
    }
    await this.store.takeDown(current, { by: editor, at: this.clock().toISOString() });
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

  private async list(query: ListQuery, limit: number, cursor: string | undefined, now = this.clock()) {
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

const notFound = () => new NotFoundError('No article with this slug.');
