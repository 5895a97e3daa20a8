import * as z from 'zod';
import { LIMITS, SLUG_PATTERN } from './article-model.ts';
import { type FieldError, ValidationError } from './errors.ts';

/**
 * The article: its input schemas (zod), with everything of article-model.ts (slug rules,
 * ETags, representations) re-exported. Pure: no AWS, no I/O; the clock is passed in.
 */

export * from './article-model.ts';

// ---------------------------------------------------------------------------
// Input validation

/** Code points in a well-formed string: its UTF-16 units less one per surrogate pair. */
const codePointLength = (value: string): number => {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) length--;
  }
  return length;
};

// C0 controls other than tab, line feed and carriage return, plus DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

interface TextRules {
  readonly min: number;
  readonly max: number;
  /** Allow tab, CR and LF (multi-line text). */
  readonly multiline: boolean;
}

/** A string counted in Unicode code points, well-formed (no lone surrogates), no control characters. */
const text = ({ min, max, multiline }: TextRules) =>
  z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
    // Native, and about four times faster than a /[\uD800-\uDFFF]/u test.
    if (!value.isWellFormed()) {
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
    // A string has at most as many code points as UTF-16 units and at least half as many:
    // they are counted only when that leaves the answer open (as for long text near `max`).
    const units = value.length;
    const length = units > max || units < 2 * min ? codePointLength(value) : units;
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
