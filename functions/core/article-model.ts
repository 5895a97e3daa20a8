import { createHash, randomBytes } from 'node:crypto';
import { ValidationError } from './errors.ts';

/**
 * The article without its input schemas: slug rules, limits, ETags and representations.
 * Pure: no AWS, no I/O, no zod (so the read functions' bundles carry no validation
 * library); the clock is passed in. `article.ts` re-exports all of it with the schemas.
 */

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const LIMITS = {
  slug: 96,
  title: 200,
  summary: 500,
  body: 100_000,
  author: 100,
  tags: 10,
  tag: 40,
} as const;

export type StoredStatus = 'published' | 'draft';
export type EditorStatus = 'draft' | 'scheduled' | 'published';

/** An article as stored (the current version). */
export interface Article {
  readonly slug: string;
  readonly title: string;
  readonly summary: string | null;
  readonly body: string;
  readonly bodyHtml: string;
  readonly author: string | null;
  readonly tags: readonly string[];
  readonly status: StoredStatus;
  /** As sent by the editor (ISO 8601 with offset), or the time of the first published write. */
  readonly publishedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly createdBy: string;
  readonly updatedBy: string;
}

/** What list pages carry: the article without its body. */
export type ArticleSummary = Omit<Article, 'body' | 'bodyHtml'>;

/** Validates a slug taken from a URL path (400 when it breaks the rule). */
export function parseSlug(slug: string | undefined): string {
  if (slug === undefined || !SLUG_PATTERN.test(slug) || slug.length > LIMITS.slug) {
    throw new ValidationError('The slug in the path is not a valid slug.', [
      {
        path: 'slug',
        message: 'must be lower-case letters and digits separated by single hyphens, at most 96',
      },
    ]);
  }
  return slug;
}

// ---------------------------------------------------------------------------
// Slugs

const FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  þ: 'th',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'g');
const MARKS = /\p{M}/gu;

/**
 * The slug derived from a title: NFKD, combining marks removed, a few letters folded
 * (ß→ss, æ→ae, œ→oe, ø→o, ł→l, đ→d, þ→th), lower-case, runs of anything outside a-z0-9
 * → "-", no leading/trailing "-", cut to 96 at the last "-" at or before position 96.
 * Returns null when nothing usable is left.
 */
export function deriveSlug(title: string): string | null {
  const folded = title
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    // Lower-casing can produce new combining marks (İ → i̇): drop them too.
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(FOLDABLE, (letter) => FOLDS[letter] ?? letter);
  const slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length === 0) return null;
  if (slug.length <= LIMITS.slug) return slug;
  const cut = slug.lastIndexOf('-', LIMITS.slug);
  return cut > 0 ? slug.slice(0, cut) : slug.slice(0, LIMITS.slug);
}

// ---------------------------------------------------------------------------
// Status, ETags and representations

export function isVisible(article: Pick<Article, 'status' | 'publishedAt'>, now: Date): boolean {
  return (
    article.status === 'published' &&
    article.publishedAt !== null &&
    Date.parse(article.publishedAt) <= now.getTime()
  );
}

export function editorStatus(article: Pick<Article, 'status' | 'publishedAt'>, now: Date): EditorStatus {
  if (article.status === 'draft') return 'draft';
  return isVisible(article, now) ? 'published' : 'scheduled';
}

// ---------------------------------------------------------------------------
// Versions and ETags

/** An article as the store keeps it: the current version, with its ETag. */
export interface StoredArticle extends Article {
  /** Random and new on every write (functions/core/articles.ts): the version's ETag, unquoted. */
  readonly etag: string;
}

/** A new version's ETag value: 16 random bytes, URL-safe. */
export const newEtag = () => randomBytes(16).toString('base64url');

/** The `ETag` header of a version: one per version, the same on public and editor routes. */
export const etagHeader = (article: Pick<StoredArticle, 'etag'>) => `"${article.etag}"`;

/** A strong ETag for a whole response body (used for list pages). */
export function etagOfBody(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

export interface PublicSummary {
  slug: string;
  title: string;
  summary: string | null;
  author: string | null;
  tags: string[];
  publishedAt: string | null;
  updatedAt: string;
}

export interface PublicArticle extends PublicSummary {
  body: string;
  bodyHtml: string;
}

export interface EditorSummary extends PublicSummary {
  status: EditorStatus;
  createdAt: string;
  version: number;
  createdBy: string;
  updatedBy: string;
}

export interface EditorArticle extends EditorSummary {
  body: string;
  bodyHtml: string;
}

export function publicSummary(article: ArticleSummary): PublicSummary {
  return {
    slug: article.slug,
    title: article.title,
    summary: article.summary,
    author: article.author,
    tags: [...article.tags],
    publishedAt: article.publishedAt,
    updatedAt: article.updatedAt,
  };
}

export function publicArticle(article: Article): PublicArticle {
  const { slug, title, summary, body, bodyHtml, author, tags, publishedAt, updatedAt } = article;
  return { slug, title, summary, body, bodyHtml, author, tags: [...tags], publishedAt, updatedAt };
}

/** The fields only editor routes show. */
function editorFields(article: ArticleSummary, now: Date) {
  return {
    status: editorStatus(article, now),
    createdAt: article.createdAt,
    version: article.version,
    createdBy: article.createdBy,
    updatedBy: article.updatedBy,
  };
}

export function editorSummary(article: ArticleSummary, now: Date): EditorSummary {
  return { ...publicSummary(article), ...editorFields(article, now) };
}

export function editorArticle(article: Article, now: Date): EditorArticle {
  return { ...publicArticle(article), ...editorFields(article, now) };
}
