import { createHash } from 'node:crypto';
import type { CreateArticleInput, UpdateArticleInput } from './article.ts';
import {
  type Article,
  deriveSlug,
  type EditorArticle,
  editorArticle,
  editorEtag,
  parseEditorEtag,
  publicEtag,
  type VersionState,
  versionState,
} from './article-model.ts';
import {
  ArticleReader,
  type ArticleReaderOptions,
  matchesEtag,
  notFound,
  type Tagged,
} from './article-reader.ts';
import {
  IdempotencyKeyReusedError,
  PreconditionFailedError,
  PreconditionRequiredError,
  ValidationError,
} from './errors.ts';
import { renderMarkdown } from './markdown.ts';
import { IdempotencyKeyUsedError } from './store.ts';

export { matchesEtag, type Page, type Tagged } from './article-reader.ts';

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export type ArticleServiceOptions = ArticleReaderOptions;

/**
 * An article: the fields an editor sets (from `input`, with the HTML rendered from its body)
 * and the ones the service sets. One literal, no spread: V8 copies spreads slowly.
 */
async function articleFrom(
  slug: string,
  input: UpdateArticleInput,
  set: Pick<Article, 'publishedAt' | 'createdAt' | 'updatedAt' | 'version' | 'createdBy' | 'updatedBy'>,
): Promise<Article> {
  return {
    slug,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: await renderMarkdown(input.body),
    author: input.author,
    tags: input.tags,
    status: input.status,
    publishedAt: set.publishedAt,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
    version: set.version,
    createdBy: set.createdBy,
    updatedBy: set.updatedBy,
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
    const article = await articleFrom(slug, input, {
      publishedAt: input.publishedAt ?? (input.status === 'published' ? nowIso : null),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
      createdBy: editor,
      updatedBy: editor,
    });
    const stamp = this.store.stampFor(article);
    const result = { article: editorArticle(article, now), etag: editorEtag(versionState(article, stamp)) };
    if (idempotencyKey === undefined) {
      await this.store.create(article, stamp);
      return result;
    }
    // Keys are scoped to the caller: another editor's key never replays this response.
    const key = sha256(`${editor}\n${idempotencyKey}`);
    const requestHash = sha256(JSON.stringify(input));
    try {
      await this.store.create(article, stamp, {
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
      const content = await this.store.getContent(original.article.slug, original.article.version);
      if (content === undefined) throw new Error('the content of a recorded create is missing');
      // Same key order as the original body: body and bodyHtml fill their placeholders.
      return { ...original, article: { ...original.article, ...content } };
    }
  }

  async update(
    slug: string,
    ifMatch: string | undefined,
    input: UpdateArticleInput,
    editor: string,
  ): Promise<Tagged<EditorArticle>> {
    if (ifMatch === undefined) throw new PreconditionRequiredError();
    const expected = this.describedVersion(slug, ifMatch) ?? (await this.currentVersion(slug, ifMatch));
    const now = this.clock();
    const nowIso = now.toISOString();
    const next = await articleFrom(slug, input, {
      // Absent: keep the current one; first time published: the time of this write.
      publishedAt:
        input.publishedAt ?? expected.publishedAt ?? (input.status === 'published' ? nowIso : null),
      createdAt: expected.createdAt,
      updatedAt: nowIso,
      version: expected.version + 1,
      createdBy: expected.createdBy,
      updatedBy: editor,
    });
    const stamp = this.store.stampFor(next);
    await this.store.replace(expected, next, stamp);
    return { article: editorArticle(next, now), etag: editorEtag(versionState(next, stamp)) };
  }

  async takeDown(slug: string, ifMatch: string | undefined, editor: string): Promise<void> {
    const expected = this.describedVersion(slug, ifMatch) ?? (await this.currentVersion(slug, ifMatch));
    await this.store.takeDown(expected, {
      by: editor,
      at: this.clock().toISOString(),
    });
  }

  /**
   * The version a write replaces, as an editor ETag in If-Match describes it: the write then
   * goes ahead without a read (and without an await), conditioned on that version still
   * being the current one. Undefined for anything else.
   */
  private describedVersion(slug: string, ifMatch: string | undefined): VersionState | undefined {
    return ifMatch === undefined ? undefined : parseEditorEtag(ifMatch, slug);
  }

  /**
   * The version a write replaces when If-Match does not describe it (the public ETag, `*`,
   * a list, a stale or foreign value, or no If-Match on DELETE): the current version, read
   * consistently and checked against If-Match.
   */
  private async currentVersion(slug: string, ifMatch: string | undefined): Promise<VersionState> {
    const current = await this.store.get(slug, { consistent: true });
    if (current === undefined) throw notFound();
    const state = versionState(current, current.stamp);
    if (
      ifMatch !== undefined &&
      !matchesEtag(ifMatch, editorEtag(state), { weak: false }) &&
      !matchesEtag(ifMatch, publicEtag(current.digest), { weak: false })
    ) {
      throw new PreconditionFailedError();
    }
    return state;
  }
}
