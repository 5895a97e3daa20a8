/**
 * zod schemas of what the API answers: the article representations of API.md, list
 * pages and problem+json. The handlers build these values as plain objects typed by
 * the interfaces in functions/core/article.ts; the type checks at the end of this file
 * keep the two in step, and test/openapi checks real responses against both.
 *
 * Every object is strict: API.md says every listed field is always present, and no other.
 */
import * as z from 'zod';
import {
  type EditorArticle,
  type EditorSummary,
  LIMITS,
  type PublicArticle,
  type PublicSummary,
  SLUG_PATTERN,
} from '../functions/core/article.ts';
import type { RevisionSummary } from '../functions/core/article-reader.ts';
import { PROBLEM_TYPE_BASE } from '../functions/core/contract.ts';

export const Slug = z
  .string()
  .max(LIMITS.slug)
  .regex(SLUG_PATTERN)
  .meta({ description: `Lower-case letters and digits separated by single hyphens, 1 to ${LIMITS.slug}.` });

export const Tag = z
  .string()
  .max(LIMITS.tag)
  .regex(SLUG_PATTERN)
  .meta({ description: `Lower-case letters and digits separated by single hyphens, 1 to ${LIMITS.tag}.` });

const Tags = z
  .array(Tag)
  .max(LIMITS.tags)
  .meta({ uniqueItems: true, description: `At most ${LIMITS.tags} tags, no duplicates; [] when unset.` });

/** A UTC timestamp the API wrote (`Date.toISOString()`). */
const Timestamp = z.iso.datetime();

/** `publishedAt` as the editor sent it (ISO 8601 with an offset) or the time of the first published write. */
const PublishedAt = z.iso.datetime({ offset: true });

const publicFields = {
  slug: Slug,
  title: z.string().meta({
    minLength: 1,
    maxLength: LIMITS.title,
    description: `1 to ${LIMITS.title} characters (Unicode code points), trimmed.`,
  }),
  summary: z
    .string()
    .nullable()
    .meta({
      maxLength: LIMITS.summary,
      description: `At most ${LIMITS.summary} characters; null when unset.`,
    }),
  author: z
    .string()
    .nullable()
    .meta({
      maxLength: LIMITS.author,
      description: `Byline, at most ${LIMITS.author} characters; null when unset.`,
    }),
  tags: Tags,
  publishedAt: PublishedAt.meta({
    description:
      'When the article became (or becomes) visible: as sent by the editor (ISO 8601 with offset), or the time of the first write that published it.',
  }),
  updatedAt: Timestamp.meta({ description: 'Time of the last write (UTC).' }),
};

const bodyFields = {
  body: z
    .string()
    .meta({ minLength: 1, maxLength: LIMITS.body, description: 'The Markdown source, as sent.' }),
  bodyHtml: z.string().meta({
    description:
      'The Markdown rendered to HTML at write time: raw HTML in the Markdown is escaped and no javascript:/data: URL survives in a link or image. Safe to insert as HTML.',
  }),
};

const editorFields = {
  publishedAt: PublishedAt.nullable().meta({
    description:
      'As sent by the editor (ISO 8601 with offset), or the time of the first write that published the article; null for a draft that was never published.',
  }),
  status: z.enum(['draft', 'scheduled', 'published']).meta({
    description:
      '`scheduled` = published with publishedAt in the future (becomes visible at that instant with no further write).',
  }),
  createdAt: Timestamp.meta({ description: 'Time of the first write (UTC).' }),
  version: z.int().min(1).meta({ description: 'Starts at 1, +1 on every write.' }),
  createdBy: z
    .string()
    .min(1)
    .meta({ description: "The creating caller's IAM ARN, as API Gateway reports it." }),
  updatedBy: z.string().min(1).meta({ description: "The last writer's IAM ARN, as API Gateway reports it." }),
};

export const PublicSummarySchema = z.strictObject(publicFields);
export const PublicArticleSchema = z.strictObject({ ...publicFields, ...bodyFields });
export const EditorSummarySchema = z.strictObject({ ...publicFields, ...editorFields });
export const EditorArticleSchema = z.strictObject({ ...publicFields, ...bodyFields, ...editorFields });

const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().min(1).nullable().meta({
      description:
        'Opaque; pass it back as `cursor` for the next page (same query only). null on the last page.',
    }),
  });

export const PublicPageSchema = page(PublicSummarySchema);
export const EditorPageSchema = page(EditorSummarySchema);

/** One version in an article's history (GET /editor/articles/{slug}/revisions). */
export const RevisionSummarySchema = z.strictObject({
  version: editorFields.version,
  status: editorFields.status.meta({
    description:
      'As the version looked: for the current version as now, for an earlier one as when it was written (`scheduled` = published with publishedAt then in the future).',
  }),
  title: publicFields.title,
  publishedAt: editorFields.publishedAt,
  updatedAt: Timestamp.meta({ description: 'When this version was written (UTC).' }),
  updatedBy: z.string().min(1).meta({ description: 'The IAM ARN of the caller who wrote this version.' }),
});
export const RevisionPageSchema = page(RevisionSummarySchema);

/** What a preview link shows: the public representation, where a never-published draft has no publishedAt. */
export const PreviewArticleSchema = z.strictObject({
  ...publicFields,
  ...bodyFields,
  publishedAt: editorFields.publishedAt,
});

/** The answer to POST /editor/articles/{slug}/preview. */
export const PreviewLinkSchema = z.strictObject({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    .meta({
      description:
        'Opaque, URL-safe and tamper-evident: names the slug, the version and the expiry; holds no secret.',
    }),
  url: z.string().meta({
    description: 'The page to share: the preview URL template of the site settings with `{token}` replaced.',
  }),
  apiUrl: z
    .string()
    .meta({ description: "The API's base URL + `/preview/{token}`: what that page fetches." }),
  expiresAt: Timestamp.meta({ description: 'When the link stops working (UTC).' }),
});

/** The problem types the API answers with (after `urn:newsdesk:problem:`), by status. */
export const PROBLEM_CODES = {
  400: ['validation-error', 'bad-request'],
  403: ['forbidden'],
  404: ['not-found'],
  405: ['method-not-allowed'],
  409: ['slug-taken'],
  412: ['precondition-failed'],
  413: ['payload-too-large'],
  415: ['unsupported-media-type'],
  422: ['idempotency-key-reused'],
  428: ['precondition-required'],
  429: ['too-many-requests'],
  500: ['internal-error'],
  502: ['bad-gateway'],
  503: ['service-unavailable'],
  504: ['gateway-timeout'],
} as const satisfies Record<number, readonly string[]>;

export const FieldErrorSchema = z.strictObject({
  path: z.string().meta({ description: 'The field (dotted path) or parameter or header name.' }),
  message: z.string(),
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROBLEM_TYPE = new RegExp(`^${escapeRegExp(PROBLEM_TYPE_BASE)}[a-z0-9]+(-[a-z0-9]+)*$`);

/** RFC 9457 problem details, as `problem()` in functions/core/http.ts and the gateway responses build them. */
export const ProblemSchema = z.strictObject({
  type: z
    .string()
    .regex(PROBLEM_TYPE)
    .meta({
      description: `\`${PROBLEM_TYPE_BASE}<code>\`; the code names the problem (e.g. not-found, validation-error).`,
    }),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string(),
  errors: z.array(FieldErrorSchema).optional().meta({
    description: 'Validation failures (type validation-error): one entry per field, parameter or header.',
  }),
});

export type ProblemBody = z.output<typeof ProblemSchema>;

// ---------------------------------------------------------------------------
// The schemas describe exactly the interfaces the handlers return: same keys, and every
// value the schema accepts is one the interface allows (the schemas are only stricter,
// e.g. publicly visible articles always have a publishedAt).

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Assignable<A, B> = [A] extends [B] ? true : false;

const conforms = {
  publicSummaryKeys: true satisfies SameKeys<z.output<typeof PublicSummarySchema>, PublicSummary>,
  publicSummary: true satisfies Assignable<z.output<typeof PublicSummarySchema>, PublicSummary>,
  publicArticleKeys: true satisfies SameKeys<z.output<typeof PublicArticleSchema>, PublicArticle>,
  publicArticle: true satisfies Assignable<z.output<typeof PublicArticleSchema>, PublicArticle>,
  editorSummaryKeys: true satisfies SameKeys<z.output<typeof EditorSummarySchema>, EditorSummary>,
  editorSummary: true satisfies Assignable<z.output<typeof EditorSummarySchema>, EditorSummary>,
  editorArticleKeys: true satisfies SameKeys<z.output<typeof EditorArticleSchema>, EditorArticle>,
  editorArticle: true satisfies Assignable<z.output<typeof EditorArticleSchema>, EditorArticle>,
  previewArticleKeys: true satisfies SameKeys<z.output<typeof PreviewArticleSchema>, PublicArticle>,
  previewArticle: true satisfies Assignable<z.output<typeof PreviewArticleSchema>, PublicArticle>,
  revisionKeys: true satisfies SameKeys<z.output<typeof RevisionSummarySchema>, RevisionSummary>,
  revision: true satisfies Assignable<z.output<typeof RevisionSummarySchema>, RevisionSummary>,
} as const;
void conforms;
