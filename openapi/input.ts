/**
 * JSON Schemas of the request bodies, generated from the very zod schemas the handlers
 * validate with (`CreateArticleInput`, `UpdateArticleInput`), with zod 4's native
 * `z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' })`.
 *
 * What that conversion keeps: types, `.nullish()` as "absent or null" (not required,
 * `null` allowed), the slug and tag `maxLength`/`pattern`, `maxItems`, `enum`,
 * `additionalProperties: false` (strict objects). The `.transform()`s (null → default)
 * only shape the output, so with `io: 'input'` they correctly leave no trace.
 *
 * What it cannot see: the rules inside `.superRefine()`/`.refine()` — lengths counted in
 * code points, no control characters or lone surrogates, the trimmed title, no duplicate
 * tags, the ISO 8601 date-time. Those are added below from the same constants
 * (`LIMITS`); test/openapi/input-agreement.test.ts checks that the resulting JSON Schema
 * accepts exactly what zod accepts on a boundary corpus and random strings. JSON Schema
 * string lengths count code points, like the contract (and ajv, by default).
 */
import * as z from 'zod';
import { CreateArticleInput, LIMITS, UpdateArticleInput } from '../functions/core/article.ts';
import type { JsonObject, JsonValue } from './json.ts';
import { isJsonObject } from './json.ts';

// Character classes in JSON Schema `pattern`s (ECMA-262 with the `u` flag, as JSON Schema
// prescribes): a lone surrogate is a code point of its own there, so it can be excluded.
const SURROGATE = '\\uD800-\\uDFFF';
/** Single-line text: no C0 control characters (tab and line breaks included), no DEL. */
const LINE_CHAR = `[^\\u0000-\\u001F\\u007F${SURROGATE}]`;
/** Multi-line text: tab, LF and CR allowed. */
const TEXT_CHAR = `[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F${SURROGATE}]`;
/** A non-white-space single-line character (what a trimmed title starts and ends with). */
const EDGE_CHAR = `[^\\s\\u0000-\\u001F\\u007F${SURROGATE}]`;

const isoDateTimeWithOffset = z.toJSONSchema(z.iso.datetime({ offset: true }), {
  target: 'draft-2020-12',
});

/** JSON Schema keywords for each body field: what the zod refinements check, plus documentation. */
export const FIELD_RULES: Readonly<Record<string, JsonObject>> = {
  slug: {
    description: `Optional on POST; when absent (or null) it is derived from the title. Never changes afterwards. Lower-case letters and digits separated by single hyphens, 1 to ${LIMITS.slug} characters.`,
  },
  title: {
    description: `Required. 1 to ${LIMITS.title} characters (Unicode code points) after trimming leading and trailing white space, no control characters or line breaks. Stored trimmed.`,
    pattern: `^\\s*${EDGE_CHAR}(?:${LINE_CHAR}{0,${LIMITS.title - 2}}${EDGE_CHAR})?\\s*$`,
  },
  summary: {
    description: `Optional, at most ${LIMITS.summary} characters; tab and line breaks allowed, other control characters not. null means not set.`,
    maxLength: LIMITS.summary,
    pattern: `^${TEXT_CHAR}*$`,
  },
  body: {
    description: `Required Markdown, 1 to ${LIMITS.body} characters; tab and line breaks allowed, other control characters not. Raw HTML in it is escaped when rendered.`,
    minLength: 1,
    maxLength: LIMITS.body,
    pattern: `^${TEXT_CHAR}*$`,
  },
  author: {
    description: `Optional byline, at most ${LIMITS.author} characters, no control characters or line breaks. null means not set.`,
    maxLength: LIMITS.author,
    pattern: `^${LINE_CHAR}*$`,
  },
  tags: {
    description: `Optional, at most ${LIMITS.tags} tags, no duplicates; each lower-case letters and digits separated by single hyphens, 1 to ${LIMITS.tag} characters. null or absent means [].`,
    uniqueItems: true,
  },
  status: {
    description:
      'Optional, default "published". "published" with a future publishedAt is scheduled: it becomes visible at that instant.',
  },
  publishedAt: {
    description:
      'Optional ISO 8601 date-time with an offset (RFC 3339, upper-case T and Z, seconds required), between years 0000 and 9999 in UTC, at most 64 characters. Default: the time of the first write that makes the article published; on PUT an absent value keeps the current one.',
    format: 'date-time',
    maxLength: 64,
    ...(typeof isoDateTimeWithOffset.pattern === 'string' ? { pattern: isoDateTimeWithOffset.pattern } : {}),
  },
};

/** The branch of a (possibly `anyOf`-with-null) property schema that is not `{ type: 'null' }`. */
function valueBranch(schema: JsonObject): JsonObject {
  const anyOf = schema.anyOf;
  if (Array.isArray(anyOf)) {
    const branches = anyOf.filter(isJsonObject).filter((branch) => branch.type !== 'null');
    const [only] = branches;
    if (branches.length !== 1 || only === undefined) throw new Error('unexpected anyOf in an input schema');
    return only;
  }
  return schema;
}

function supplement(schema: JsonObject, title: string, description: string): JsonObject {
  const { $schema: _dialect, ...rest } = schema;
  const properties = rest.properties;
  if (!isJsonObject(properties)) throw new Error(`${title}: zod produced no properties`);
  const out: Record<string, JsonValue> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isJsonObject(property)) throw new Error(`${title}.${name}: not a schema object`);
    const rules = FIELD_RULES[name];
    if (rules === undefined)
      throw new Error(`${title}.${name}: no FIELD_RULES entry (describe the new field)`);
    const { description: fieldDescription, ...keywords } = rules;
    const copy = structuredClone(property);
    Object.assign(valueBranch(copy), keywords);
    out[name] = fieldDescription === undefined ? copy : { description: fieldDescription, ...copy };
  }
  return { title, description, ...rest, properties: out };
}

const toJsonSchema = (schema: z.ZodType): JsonObject => {
  const converted: unknown = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  if (!isJsonObject(converted)) throw new Error('zod produced a non-object schema');
  return converted;
};

/** Body of `POST /editor/articles`. */
export function createArticleSchema(): JsonObject {
  return supplement(
    toJsonSchema(CreateArticleInput),
    'ArticleCreate',
    'A new article. Unknown fields are refused (400); null for an optional field means "not set".',
  );
}

/** Body of `PUT /editor/articles/{slug}`: the same fields except `slug`. */
export function updateArticleSchema(): JsonObject {
  return supplement(
    toJsonSchema(UpdateArticleInput),
    'ArticleUpdate',
    'Replaces every editable field: an absent optional field takes its default (summary and author null, tags [], status "published"), except publishedAt, which keeps the current value. The slug never changes. Unknown fields are refused (400).',
  );
}
