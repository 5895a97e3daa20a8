import { createHash } from 'node:crypto';
import type { CreateArticleInput, UpdateArticleInput } from './article.ts';
import {
  deriveSlug,
  type EditorArticle,
  editorArticle,
  etagHeader,
  newEtag,
  type StoredArticle,
} from './article-model.ts';
import {
  ArticleReader,
  type ArticleReaderOptions,
  matchesEtag,
  notFound,
  notFoundVersion,
  type Tagged,
} from './article-reader.ts';
import {
  IdempotencyKeyReusedError,
  PreconditionFailedError,
  PreconditionRequiredError,
  ValidationError,
} from './errors.ts';
import { renderMarkdown } from './markdown.ts';
import { IdempotencyKeyUsedError } from './store/errors.ts';

export { matchesEtag, type Page, type Tagged } from './article-reader.ts';

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export type ArticleServiceOptions = ArticleReaderOptions;

/** A version: the fields an editor sets (with the HTML rendered from the body) and the ones the service sets. */
async function versionFrom(
  slug: string,
  input: UpdateArticleInput,
  set: Pick<StoredArticle, 'publishedAt' | 'createdAt' | 'updatedAt' | 'version' | 'createdBy' | 'updatedBy'>,
): Promise<StoredArticle> {
  return {
    slug,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: await renderMarkdown(input.body),
    author: input.author,
    tags: input.tags,
    status: input.status,
    ...set,
    etag: newEtag(),
  };
}

/**
 * The article use cases, one method per route. Handlers call these with validated
 * input and the caller's identity; this is where the contract's rules live. The reads
 * come from `ArticleReader` (article-reader.ts), which the read functions use alone.
 */
export class ArticleService extends ArticleReader {
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
    const article = await versionFrom(slug, input, {
      publishedAt: input.publishedAt ?? (input.status === 'published' ? nowIso : null),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
      createdBy: editor,
      updatedBy: editor,
    });
    const result = { article: editorArticle(article, now), etag: etagHeader(article) };
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
        // The record keeps the response without its content (which can be far larger than
        // an item may be); a replay takes the content of version 1 from the article itself.
        response: JSON.stringify({ ...result, article: { ...result.article, body: null, bodyHtml: null } }),
        expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      });
      return result;
    } catch (error) {
      if (!(error instanceof IdempotencyKeyUsedError)) throw error;
      const record = await this.store.getIdempotencyRecord(key, now);
      // Expired between the write and this read: the key is free again.
      if (record === undefined) return this.create(input, editor, idempotencyKey);
      if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
      const original = JSON.parse(record.response) as Tagged<EditorArticle>;
      const first = await this.store.getVersion(original.article.slug, original.article.version);
      if (first === undefined) throw new Error('the version of a recorded create is missing');
      // Same key order as the original body: body and bodyHtml fill their placeholders.
      return { ...original, article: { ...original.article, body: first.body, bodyHtml: first.bodyHtml } };
    }
  }

  async update(
    slug: string,
    ifMatch: string | undefined,
    input: UpdateArticleInput,
    editor: string,
  ): Promise<Tagged<EditorArticle>> {
    if (ifMatch === undefined) throw new PreconditionRequiredError();
    const current = await this.currentVersion(slug, ifMatch);
    const now = this.clock();
    const nowIso = now.toISOString();
    const next = await versionFrom(slug, input, {
      // Absent: keep the current one; first time published: the time of this write.
      publishedAt: input.publishedAt ?? current.publishedAt ?? (input.status === 'published' ? nowIso : null),
      createdAt: current.createdAt,
      updatedAt: nowIso,
      version: current.version + 1,
      createdBy: current.createdBy,
      updatedBy: editor,
    });
    await this.store.replace(current, next);
    return { article: editorArticle(next, now), etag: etagHeader(next) };
  }

  /**
   * Restores version `version`: writes a new version (current + 1) whose editable fields
   * are those of `version`, through the same conditional replace as a PUT, so tag entries,
   * lists and the change stream follow as for any edit. History is never rewritten.
   */
  async restore(
    slug: string,
    version: number,
    ifMatch: string | undefined,
    editor: string,
  ): Promise<Tagged<EditorArticle>> {
    if (ifMatch === undefined) throw new PreconditionRequiredError();
    const current = await this.currentVersion(slug, ifMatch);
    const source = await this.store.getVersion(slug, version);
    if (source === undefined) throw notFoundVersion();
    const now = this.clock();
    const next = await versionFrom(
      slug,
      {
        title: source.title,
        summary: source.summary,
        body: source.body,
        author: source.author,
        tags: [...source.tags],
        status: source.status,
        publishedAt: source.publishedAt,
      },
      {
        // Exactly that version's: null when it was never published.
        publishedAt: source.publishedAt,
        createdAt: current.createdAt,
        updatedAt: now.toISOString(),
        version: current.version + 1,
        createdBy: current.createdBy,
        updatedBy: editor,
      },
    );
    await this.store.replace(current, next);
    return { article: editorArticle(next, now), etag: etagHeader(next) };
  }

  async takeDown(slug: string, ifMatch: string | undefined, editor: string): Promise<void> {
    const current = await this.currentVersion(slug, ifMatch);
    await this.store.takeDown(current, { by: editor, at: this.clock().toISOString(), etag: newEtag() });
  }

  /**
   * The version a write replaces: the current one, read consistently, when If-Match (if
   * any) names its ETag. The write itself is conditioned on that version still being the
   * current one, so of two writers holding the same ETag exactly one succeeds.
   */
  private async currentVersion(slug: string, ifMatch: string | undefined): Promise<StoredArticle> {
    const current = await this.store.get(slug, { consistent: true });
    if (current === undefined) throw notFound();
    if (ifMatch !== undefined && !matchesEtag(ifMatch, etagHeader(current), { weak: false })) {
      throw new PreconditionFailedError();
    }
    return current;
  }
}
