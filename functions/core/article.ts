import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type FieldError, ValidationError } from './errors.ts';

/**
 * The article: its input schema, slug rules and representations. Pure: no AWS,
 * no I/O; the clock is passed in.
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

// ---------------------------------------------------------------------------
// Input validation

const codePointLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length++;
  return length;
};

// C0 controls other than tab, line feed and carriage return, plus DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

// With the u flag, a surrogate only matches when it is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

interface TextRules {
  readonly min: number;
  readonly max: number;
  /** Allow tab, CR and LF (multi-line text). */
  readonly multiline: boolean;
}

/** A string counted in Unicode code points, well-formed (no lone surrogates), no control characters. */
const text = ({ min, max, multiline }: TextRules) =>
  z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
    if (LONE_SURROGATE.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be well-formed Unicode (no lone surrogates)' });
      return;
    }
    if ((multiline ? CONTROL : CONTROL_OR_BREAK).test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: multiline
          ? 'must not contain control characters other than tab and line breaks'
          : 'must not contain control characters or line breaks',
      });
      return;
    }
    const length = codePointLength(value);
    if (length < min) {
      ctx.addIssue({
        code: 'custom',
        message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
      });
    } else if (length > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters (got ${length})` });
    }
  });

const slugSchema = z
  .string({ error: 'must be a string' })
  .max(LIMITS.slug, `must be at most ${LIMITS.slug} characters`)
  .regex(
    SLUG_PATTERN,
    'must be lower-case letters and digits separated by single hyphens (e.g. "my-article-2")',
  );

const tagSchema = z
  .string({ error: 'must be a string' })
  .max(LIMITS.tag, `must be at most ${LIMITS.tag} characters`)
  .regex(SLUG_PATTERN, 'must be lower-case letters and digits separated by single hyphens');

/** Earliest and latest instants whose UTC ISO form has a four-digit year (so keys sort as text). */
const MIN_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

const isoDateTime = z.iso.datetime({ offset: true });

const publishedAtSchema = z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
  if (value.length > 64 || !isoDateTime.safeParse(value).success) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an ISO 8601 date-time with an offset, e.g. 2024-05-31T06:00:00Z',
    });
    return;
  }
  const instant = Date.parse(value);
  if (!Number.isFinite(instant) || instant < MIN_INSTANT || instant > MAX_INSTANT) {
    ctx.addIssue({ code: 'custom', message: 'must be a real date-time between years 0000 and 9999 (UTC)' });
  }
});

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null);

const editableFields = {
  title: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .pipe(text({ min: 1, max: LIMITS.title, multiline: false })),
  summary: optional(text({ min: 0, max: LIMITS.summary, multiline: true })),
  body: text({ min: 1, max: LIMITS.body, multiline: true }),
  author: optional(text({ min: 0, max: LIMITS.author, multiline: false })),
  tags: z
    .array(tagSchema, { error: 'must be an array of tags' })
    .max(LIMITS.tags, `must hold at most ${LIMITS.tags} tags`)
    .refine((tags) => new Set(tags).size === tags.length, 'must not contain duplicates')
    .nullish()
    .transform((tags) => tags ?? []),
  status: z
    .enum(['published', 'draft'], { error: 'must be "published" or "draft"' })
    .nullish()
    .transform((status) => status ?? 'published'),
  publishedAt: optional(publishedAtSchema),
};

/** Body of `POST /editor/articles`. Unknown fields are rejected. */
export const CreateArticleInput = z.strictObject(
  { slug: slugSchema.nullish().transform((slug) => slug ?? null), ...editableFields },
  { error: 'must be a JSON object' },
);

/** Body of `PUT /editor/articles/{slug}`: the same fields except `slug`, which never changes. */
export const UpdateArticleInput = z.strictObject(editableFields, { error: 'must be a JSON object' });

export type CreateArticleInput = z.output<typeof CreateArticleInput>;
export type UpdateArticleInput = z.output<typeof UpdateArticleInput>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** zod issues as `{ path, message }` pairs; unknown keys become one error each. */
export function fieldErrors(error: z.ZodError, input: unknown): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: path ? `${path}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
      return [{ path, message: 'is required' }];
    }
    return [{ path, message: issue.message }];
  });
}

/** Parses a request body with one of the schemas above, or throws a 400 ValidationError. */
export function parseInput<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new ValidationError(
      'The request body does not follow the article rules.',
      fieldErrors(result.error, body),
    );
  }
  return result.data;
}

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

/** An opaque strong ETag that changes on every write (slugs are never reused, versions only grow). */
export function etagOf(article: Pick<Article, 'slug' | 'version'>): string {
  const digest = createHash('sha256').update(`${article.slug}\n${article.version}`).digest('base64url');
  return `"${digest.slice(0, 22)}"`;
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

export function editorSummary(article: ArticleSummary, now: Date): EditorSummary {
  return {
    ...publicSummary(article),
    status: editorStatus(article, now),
    createdAt: article.createdAt,
    version: article.version,
    createdBy: article.createdBy,
    updatedBy: article.updatedBy,
  };
}

export function editorArticle(article: Article, now: Date): EditorArticle {
  return {
    ...publicArticle(article),
    status: editorStatus(article, now),
    createdAt: article.createdAt,
    version: article.version,
    createdBy: article.createdBy,
    updatedBy: article.updatedBy,
  };
}
