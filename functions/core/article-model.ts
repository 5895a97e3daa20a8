import { createHash } from 'node:crypto';
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

/** How the store keeps one version of an article. */
export interface Stamp {
  /** Random and new on every write: makes each version's ETags unique and unguessable. */
  readonly nonce: string;
  /** Content items of the version (0: the content is inside the head item). */
  readonly chunks: number;
}

/** An article as the store returns it: with the stamp of its current version. */
export interface StoredArticle extends Article {
  readonly stamp: Stamp;
  /** `versionDigest` of the version's state, as stored with it when it was written. */
  readonly digest: string;
}

/**
 * What a write must know of the version it replaces, besides the request. The editor ETag
 * carries all of it, so that a PUT or DELETE with If-Match writes without reading first.
 * The write is conditioned on the stored digest of the whole state (`versionDigest`), so an
 * altered ETag can only fail the write (412); it never changes what is written.
 */
export interface VersionState extends Stamp {
  readonly slug: string;
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly status: StoredStatus;
  readonly publishedAt: string | null;
  readonly tags: readonly string[];
}

export function versionState(article: ArticleSummary, stamp: Stamp): VersionState {
  return {
    slug: article.slug,
    version: article.version,
    createdAt: article.createdAt,
    createdBy: article.createdBy,
    status: article.status,
    publishedAt: article.publishedAt,
    tags: article.tags,
    nonce: stamp.nonce,
    chunks: stamp.chunks,
  };
}

/** The state's fields in a fixed order (the slug comes from the URL, not the ETag). */
const stateFields = (state: VersionState) => [
  state.version,
  state.createdAt,
  state.createdBy,
  state.status,
  state.publishedAt,
  state.tags,
  state.chunks,
  state.nonce,
];

/** SHA-256 of the whole state, 22 base64url characters (132 bits); stored with the version. */
export function versionDigest(state: VersionState): string {
  return createHash('sha256')
    .update(JSON.stringify([state.slug, ...stateFields(state)]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The ETag of public responses: the version's digest (`versionDigest`, stored with it) alone.
 * It changes on every write and tells nothing (no identity; the nonce makes it unguessable).
 */
export function publicEtag(digest: string): string {
  return `"${digest}"`;
}

/** The ETag of editor responses: the version's state itself (editor routes show it anyway). */
export function editorEtag(state: VersionState): string {
  return `"${Buffer.from(JSON.stringify(stateFields(state)), 'utf8').toString('base64url')}"`;
}

const EDITOR_ETAG = /^"([A-Za-z0-9_-]{1,8192})"$/;
const NONCE = /^[A-Za-z0-9_-]{16}$/;
const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;

/**
 * The state an editor ETag (one, strong) carries, or undefined when the header holds
 * anything else: a public ETag, `*`, a list, a value no version of this API issued. The
 * writer then reads the current version and compares.
 */
export function parseEditorEtag(header: string, slug: string): VersionState | undefined {
  const encoded = EDITOR_ETAG.exec(header.trim())?.[1];
  if (encoded === undefined) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 8) return undefined;
  const [version, createdAt, createdBy, status, publishedAt, tags, chunks, nonce] = fields as unknown[];
  if (
    !isCount(version, Number.MAX_SAFE_INTEGER) ||
    version < 1 ||
    !isString(createdAt) ||
    !isString(createdBy) ||
    (status !== 'published' && status !== 'draft') ||
    !(publishedAt === null || isString(publishedAt)) ||
    !Array.isArray(tags) ||
    tags.length > LIMITS.tags ||
    !tags.every(isString) ||
    !isCount(chunks, 64) ||
    !isString(nonce) ||
    !NONCE.test(nonce)
  ) {
    return undefined;
  }
  return { slug, version, createdAt, createdBy, status, publishedAt, tags, chunks, nonce };
}

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

// Object.assign, not spread: V8 copies these spreads through its slow path (several µs each).
export function editorSummary(article: ArticleSummary, now: Date): EditorSummary {
  return Object.assign(publicSummary(article), editorFields(article, now));
}

export function editorArticle(article: Article, now: Date): EditorArticle {
  return Object.assign(publicArticle(article), editorFields(article, now));
}
