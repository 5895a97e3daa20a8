/**
 * The OpenAPI 3.1 document of the Newsdesk API, built from the route list
 * (functions/core/routes.ts), the request schemas the handlers validate with
 * (functions/core/article.ts, via openapi/input.ts) and the response schemas of
 * openapi/schemas.ts. `npm run openapi` writes it to openapi.json.
 */
import * as z from 'zod';
import { LIMITS, SLUG_PATTERN } from '../functions/core/article.ts';
import {
  EDITOR_ALLOW_HEADERS,
  EXPOSE_HEADERS,
  MAX_BODY_BYTES,
  PROBLEM_TYPE_BASE,
  PUBLIC_ALLOW_HEADERS,
} from '../functions/core/contract.ts';
import { ROUTES, type RouteDefinition } from '../functions/core/routes.ts';
import {
  ATOM_CONTENT_TYPE,
  FEED_MAX_ENTRIES,
  JSON_FEED_CONTENT_TYPE,
  NEWS_SITEMAP_MAX_ENTRIES,
  RSS_CONTENT_TYPE,
  SITEMAP_CONTENT_TYPE,
  SITEMAP_MAX_URLS,
} from '../functions/core/syndication.ts';
import { OPENAPI_CACHE_CONTROL, OPENAPI_PATH } from './file.ts';
import { createArticleSchema, updateArticleSchema } from './input.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import {
  EditorArticleSchema,
  EditorPageSchema,
  EditorSummarySchema,
  FieldErrorSchema,
  PROBLEM_CODES,
  PreviewArticleSchema,
  PreviewLinkSchema,
  ProblemSchema,
  PublicArticleSchema,
  PublicPageSchema,
  PublicSummarySchema,
  RevisionPageSchema,
  RevisionSummarySchema,
} from './schemas.ts';

export const OPENAPI_VERSION = '3.1.0';
export const LOCAL_SERVER_URL = 'http://127.0.0.1:3000';
export const SECURITY_SCHEME = 'sigv4';

const ref = (kind: string, name: string): JsonObject => ({ $ref: `#/components/${kind}/${name}` });

// ---------------------------------------------------------------------------
// Schemas

/** Output-side JSON Schema of a response schema, with references to the named components. */
function outputSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const named: ReadonlyArray<readonly [string, z.ZodType]> = [
    ['FieldError', FieldErrorSchema],
    ['Problem', ProblemSchema],
    ['PublicSummary', PublicSummarySchema],
    ['PublicArticle', PublicArticleSchema],
    ['PublicArticlePage', PublicPageSchema],
    ['EditorSummary', EditorSummarySchema],
    ['EditorArticle', EditorArticleSchema],
    ['EditorArticlePage', EditorPageSchema],
    ['RevisionSummary', RevisionSummarySchema],
    ['RevisionPage', RevisionPageSchema],
    ['PreviewLink', PreviewLinkSchema],
    ['PreviewArticle', PreviewArticleSchema],
  ];
  for (const [id, schema] of named) registry.add(schema, { id });
  const converted: unknown = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  if (!isJsonObject(converted) || !isJsonObject(converted.schemas)) throw new Error('zod: no schemas');
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(converted.schemas)) {
    if (!isJsonObject(schema)) throw new Error(`zod: schema ${id} is not an object`);
    const { $schema: _dialect, $id: _uri, id: _id, ...rest } = schema;
    out[id] = rest;
  }
  return out;
}

function problemSchemas(): Record<string, JsonObject> {
  const problem: Record<string, JsonObject> = {};
  for (const [status, codes] of Object.entries(PROBLEM_CODES)) {
    problem[`Problem${status}`] = {
      description: `A problem document with status ${status}.`,
      allOf: [
        ref('schemas', 'Problem'),
        {
          type: 'object',
          properties: {
            type: { enum: codes.map((code) => `${PROBLEM_TYPE_BASE}${code}`) },
            status: { const: Number(status) },
          },
        },
      ],
    };
  }
  // Validation failures always say which fields failed (possibly none, e.g. for a body that is not JSON).
  problem.Problem400 = {
    description:
      'A problem document with status 400. Validation failures (type validation-error) carry `errors`: one `{ path, message }` per field, parameter or header that failed.',
    allOf: [
      ref('schemas', 'Problem'),
      {
        type: 'object',
        properties: {
          type: { enum: PROBLEM_CODES[400].map((code) => `${PROBLEM_TYPE_BASE}${code}`) },
          status: { const: 400 },
        },
        if: { properties: { type: { const: `${PROBLEM_TYPE_BASE}validation-error` } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
        then: { type: 'object', properties: { errors: { type: 'array' } }, required: ['errors'] },
      },
    ],
  };
  return problem;
}

// ---------------------------------------------------------------------------
// Parameters and headers

const etagPattern = '^(W/)?"[\\x21\\x23-\\x7E]*"$';

function parameters(): Record<string, JsonObject> {
  return {
    Slug: {
      name: 'slug',
      in: 'path',
      required: true,
      description: 'The article slug. A value that breaks the slug rule answers 400.',
      schema: { type: 'string', maxLength: LIMITS.slug, pattern: SLUG_PATTERN.source },
    },
    Limit: {
      name: 'limit',
      in: 'query',
      required: false,
      description: 'Page size, 1 to 100 (default 20). Anything else answers 400.',
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    },
    Cursor: {
      name: 'cursor',
      in: 'query',
      required: false,
      description:
        'Opaque: only a `nextCursor` this API returned, with the same query (tag or status) that produced it. Anything else answers 400.',
      schema: { type: 'string', minLength: 1 },
    },
    Tag: {
      name: 'tag',
      in: 'query',
      required: false,
      description: 'Keep only articles carrying this tag.',
      schema: { type: 'string', maxLength: LIMITS.tag, pattern: SLUG_PATTERN.source },
    },
    Version: {
      name: 'version',
      in: 'path',
      required: true,
      description:
        'A version number of the article: a positive integer. Anything else, or a version never written, answers 404.',
      schema: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
    },
    Token: {
      name: 'token',
      in: 'path',
      required: true,
      description: 'A preview token as POST /editor/articles/{slug}/preview returned it.',
      schema: { type: 'string' },
    },
    Month: {
      name: 'month',
      in: 'path',
      required: true,
      description:
        'A UTC month and the extension: `{yyyy}-{mm}.xml`, e.g. `2026-03.xml`. An ill-formed month, or one outside the months the sitemap index lists, answers 404.',
      schema: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])\\.xml$' },
    },
    FeedTag: {
      name: 'tag',
      in: 'query',
      required: false,
      description:
        "Keep only articles carrying this tag (the same rule as the list's `tag`; an invalid tag answers 400).",
      schema: { type: 'string', maxLength: LIMITS.tag, pattern: SLUG_PATTERN.source },
    },
    Status: {
      name: 'status',
      in: 'query',
      required: false,
      description: 'Keep only articles in this status (`scheduled` = published with a future publishedAt).',
      schema: { type: 'string', enum: ['draft', 'scheduled', 'published'] },
    },
    IfNoneMatch: {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description:
        'An ETag from an earlier response: when it is still current the answer is 304 with no body.',
      schema: { type: 'string' },
    },
    IfMatch: {
      name: 'If-Match',
      in: 'header',
      required: true,
      description:
        'The ETag of the version being replaced (one ETag per version, the same on public and editor responses); `*` matches any current version. Missing: 428; not the current version: 412. Of two writers holding the same ETag exactly one succeeds.',
      schema: { type: 'string' },
    },
    IfMatchOptional: {
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'When given, the take-down only happens if it names the current version (otherwise 412).',
      schema: { type: 'string' },
    },
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes the create safe to retry: for 24 hours, a retry with the same key and the same body gets the original 201 response without a second write; the same key with another body answers 422. Keys are scoped to the signing identity.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' },
    },
  };
}

function headers(): Record<string, JsonObject> {
  return {
    ETag: {
      description:
        'Opaque quoted entity tag; changes on every write. Editor responses carry a longer one than public responses for the same version; If-Match takes either.',
      schema: { type: 'string', pattern: etagPattern },
    },
    CacheControlPublic: {
      description:
        'Public responses may be cached for a while: by browsers `max-age` seconds (60 by default), by the CDN in front of the API `s-maxage` seconds (86400 by default; every change purges it).',
      schema: { type: 'string', pattern: '^public, max-age=[0-9]+, s-maxage=[0-9]+$' },
    },
    CacheControlNoStore: {
      description: 'Editor responses and errors are never cached.',
      schema: { type: 'string', const: 'no-store' },
    },
    Location: {
      description: 'The public path of the created article: `/articles/{slug}`.',
      schema: { type: 'string', pattern: '^/articles/[a-z0-9]+(-[a-z0-9]+)*$' },
    },
    RetryAfter: {
      description: 'Seconds to wait before retrying.',
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
    XRobotsTag: {
      description: 'Preview answers, errors included, are never indexed.',
      schema: { type: 'string', const: 'noindex' },
    },
    Allow: {
      description: 'The methods the path accepts.',
      schema: { type: 'string' },
    },
  };
}

// ---------------------------------------------------------------------------
// Responses

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const JSON_MEDIA_TYPE = 'application/json';

function problemResponse(status: keyof typeof PROBLEM_CODES, description: string, extra: JsonObject = {}) {
  return {
    description,
    headers: { 'Cache-Control': ref('headers', 'CacheControlNoStore'), ...extra },
    content: { [PROBLEM_MEDIA_TYPE]: { schema: ref('schemas', `Problem${status}`) } },
  };
}

function responses(): Record<string, JsonObject> {
  return {
    BadRequest: problemResponse(
      400,
      'The request breaks a rule: body not JSON or not following the article rules, a bad parameter, slug or header (`errors` says which), or a cursor this API did not issue for this query.',
    ),
    Forbidden: problemResponse(
      403,
      'Unsigned, badly signed, unknown key, X-Amz-Date more than 5 minutes away, X-Amz-Content-Sha256 not the hash of the body, or an identity not allowed to call the route.',
    ),
    NotFound: problemResponse(
      404,
      'No such article (on public routes: not visible - draft, scheduled, taken down or never existed).',
    ),
    NoVersion: problemResponse(
      404,
      'No such article (never written, or taken down), or no such version of it.',
    ),
    NoPreview: problemResponse(
      404,
      'The link is expired, altered, unknown, or its article has been taken down since.',
      { 'X-Robots-Tag': ref('headers', 'XRobotsTag') },
    ),
    NoSitemap: problemResponse(
      404,
      'No sitemap for this month: ill-formed, after the current month, or before the month of the oldest visible article.',
    ),
    MethodNotAllowed: problemResponse(405, 'The path exists but does not accept this method.', {
      Allow: ref('headers', 'Allow'),
    }),
    Conflict: problemResponse(409, 'The slug is already taken (also by a taken-down article).'),
    PreconditionFailed: problemResponse(412, 'If-Match is not the current ETag: the article changed since.'),
    PayloadTooLarge: problemResponse(413, `The request body is over ${MAX_BODY_BYTES} bytes (256 KiB).`),
    UnsupportedMediaType: problemResponse(
      415,
      'The body must be sent with `Content-Type: application/json`.',
    ),
    IdempotencyKeyReused: problemResponse(
      422,
      'This Idempotency-Key was already used with a different request body.',
    ),
    PreconditionRequired: problemResponse(
      428,
      'PUT needs an If-Match header with the ETag of the version edited.',
    ),
    TooManyRequests: problemResponse(
      429,
      'Throttled by the deployed API stage; retry after Retry-After seconds.',
      {
        'Retry-After': ref('headers', 'RetryAfter'),
      },
    ),
    ServiceUnavailable: problemResponse(
      503,
      'The database is throttling or unavailable (or the request ran out of time); retry after Retry-After seconds.',
      { 'Retry-After': ref('headers', 'RetryAfter') },
    ),
    Problem: {
      description:
        'Any other error, always problem+json: e.g. 500 (internal error), 502 (bad gateway), 504 (gateway timeout).',
      headers: { 'Cache-Control': ref('headers', 'CacheControlNoStore') },
      content: { [PROBLEM_MEDIA_TYPE]: { schema: ref('schemas', 'Problem') } },
    },
    NotModified: {
      description: 'If-None-Match matched the current ETag: no body; use the cached copy.',
      headers: { ETag: ref('headers', 'ETag'), 'Cache-Control': ref('headers', 'CacheControlPublic') },
    },
    Preflight: {
      description: 'CORS preflight answer (no authentication).',
      headers: {
        'Access-Control-Allow-Origin': {
          description: 'The allowed origin (`*` by default).',
          schema: { type: 'string' },
        },
        'Access-Control-Allow-Methods': { schema: { type: 'string' } },
        'Access-Control-Allow-Headers': { schema: { type: 'string' } },
        'Access-Control-Max-Age': { schema: { type: 'string', pattern: '^[0-9]+$' } },
      },
    },
  };
}

/** A syndication document (XML, or JSON Feed) with the public caching headers. */
const syndicationDocument = (mediaType: string, description: string): JsonObject => ({
  description,
  headers: { ETag: ref('headers', 'ETag'), 'Cache-Control': ref('headers', 'CacheControlPublic') },
  content: {
    [mediaType.split(';')[0] ?? mediaType]:
      mediaType === JSON_FEED_CONTENT_TYPE
        ? {
            schema: {
              type: 'object',
              description: 'JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).',
              properties: {
                version: { const: 'https://jsonfeed.org/version/1.1' },
                title: { type: 'string' },
                home_page_url: { type: 'string' },
                feed_url: { type: 'string' },
                language: { type: 'string' },
                items: { type: 'array', maxItems: FEED_MAX_ENTRIES, items: { type: 'object' } },
              },
              required: ['version', 'title', 'items'],
            },
          }
        : { schema: { type: 'string', description: 'An XML document (UTF-8).' } },
  },
});

const json = (schema: string, description: string, responseHeaders: JsonObject): JsonObject => ({
  description,
  headers: responseHeaders,
  content: { [JSON_MEDIA_TYPE]: { schema: ref('schemas', schema) } },
});

// ---------------------------------------------------------------------------
// Operations

interface OperationSpec {
  /** The tag grouping the operation; default `articles` (public) or `editor`. */
  readonly tag?: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly string[];
  readonly requestBody?: string;
  /** The request body may be left out. */
  readonly requestBodyOptional?: boolean;
  /** Success responses by status. */
  readonly success: Readonly<Record<string, JsonObject>>;
  /** Error responses by status: the name of a component response. */
  readonly errors: Readonly<Record<string, string>>;
}

const etag = ref('headers', 'ETag');
const publicCache = ref('headers', 'CacheControlPublic');
const noStore = ref('headers', 'CacheControlNoStore');

/** What every operation can meet: a database problem (503), throttling in AWS (429), anything else. */
const COMMON_ERRORS = { '429': 'TooManyRequests', '503': 'ServiceUnavailable' } as const;
/** Signed routes: the signature check, and the body checks of API Gateway and the handlers. */
const EDITOR_ERRORS = { '403': 'Forbidden' } as const;
const BODY_ERRORS = { '413': 'PayloadTooLarge', '415': 'UnsupportedMediaType' } as const;

const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  ListArticles: {
    summary: 'List visible articles, newest first',
    description:
      'Visible articles (published, publishedAt <= now), newest publishedAt first (ties: slug ascending), without `body` and `bodyHtml`. Walking `nextCursor` to null returns every visible article exactly once.',
    parameters: ['Limit', 'Cursor', 'Tag', 'IfNoneMatch'],
    success: {
      '200': json('PublicArticlePage', 'A page of visible articles.', {
        ETag: etag,
        'Cache-Control': publicCache,
      }),
      '304': ref('responses', 'NotModified'),
    },
    errors: { '400': 'BadRequest' },
  },
  GetArticle: {
    summary: 'One visible article',
    description: 'A visible article with its Markdown body and the HTML rendered from it.',
    parameters: ['IfNoneMatch'],
    success: {
      '200': json('PublicArticle', 'The article.', { ETag: etag, 'Cache-Control': publicCache }),
      '304': ref('responses', 'NotModified'),
    },
    errors: { '400': 'BadRequest', '404': 'NotFound' },
  },
  CreateArticle: {
    summary: 'Create an article (published, scheduled or draft)',
    description:
      'Creates an article; the slug is taken from `slug` or derived from the title, and is never reused (409 when taken, also by a taken-down article).',
    parameters: ['IdempotencyKey'],
    requestBody: 'ArticleCreate',
    success: {
      '201': json('EditorArticle', 'Created.', {
        Location: ref('headers', 'Location'),
        ETag: etag,
        'Cache-Control': noStore,
      }),
    },
    errors: {
      '400': 'BadRequest',
      ...EDITOR_ERRORS,
      '409': 'Conflict',
      ...BODY_ERRORS,
      '422': 'IdempotencyKeyReused',
    },
  },
  EditorListArticles: {
    summary: 'List every article, any status',
    description:
      'Every article the editor API knows (taken-down ones excepted), with the editor-only fields.',
    parameters: ['Status', 'Limit', 'Cursor'],
    success: { '200': json('EditorArticlePage', 'A page of articles.', { 'Cache-Control': noStore }) },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS },
  },
  EditorGetArticle: {
    summary: 'One article, any status',
    description: 'The article with the editor-only fields; its ETag is what PUT and DELETE take in If-Match.',
    parameters: [],
    success: { '200': json('EditorArticle', 'The article.', { ETag: etag, 'Cache-Control': noStore }) },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS, '404': 'NotFound' },
  },
  UpdateArticle: {
    summary: "Replace an article's editable fields",
    description:
      'Replaces every editable field (the slug never changes). Needs If-Match with the current ETag: missing 428, stale 412.',
    parameters: ['IfMatch'],
    requestBody: 'ArticleUpdate',
    success: { '200': json('EditorArticle', 'The new version.', { ETag: etag, 'Cache-Control': noStore }) },
    errors: {
      '400': 'BadRequest',
      ...EDITOR_ERRORS,
      '404': 'NotFound',
      '412': 'PreconditionFailed',
      ...BODY_ERRORS,
      '428': 'PreconditionRequired',
    },
  },
  DeleteArticle: {
    summary: 'Take an article down',
    description:
      'Afterwards every route answers 404 for it and every list omits it; the slug stays taken and the content is kept in the table.',
    parameters: ['IfMatchOptional'],
    success: { '204': { description: 'Taken down.', headers: { 'Cache-Control': noStore } } },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS, '404': 'NotFound', '412': 'PreconditionFailed' },
  },
  ListRevisions: {
    summary: "An article's versions, newest first",
    description:
      'Every version ever written (create = 1, each PUT and each restore adds one), newest first, without content; paged like the lists. One read per page whatever the number of versions; a page holding very large versions (kept in slices) can come out shorter than `limit`, with a `nextCursor`. A taken-down or unknown article answers 404.',
    parameters: ['Limit', 'Cursor'],
    success: { '200': json('RevisionPage', 'A page of versions.', { 'Cache-Control': noStore }) },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS, '404': 'NotFound' },
  },
  GetRevision: {
    summary: 'One version of an article, in full',
    description:
      'That version as the editor representation looked when it was current (`status` as at the time it was written; the current version as now). A taken-down or unknown article, or an unknown version, answers 404.',
    parameters: [],
    success: { '200': json('EditorArticle', 'The version.', { 'Cache-Control': noStore }) },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS, '404': 'NoVersion' },
  },
  RestoreRevision: {
    summary: 'Restore a version (as a new version)',
    description:
      'Writes a new version (current + 1) whose editable fields (title, summary, body, author, tags, status, publishedAt) are those of `{version}`, like a PUT: lists, tag pages and events follow. Needs If-Match with the current ETag: missing 428, stale 412. No request body: one sent answers 400.',
    parameters: ['IfMatch'],
    success: { '200': json('EditorArticle', 'The new version.', { ETag: etag, 'Cache-Control': noStore }) },
    errors: {
      '400': 'BadRequest',
      ...EDITOR_ERRORS,
      '404': 'NoVersion',
      '412': 'PreconditionFailed',
      '428': 'PreconditionRequired',
    },
  },
  CreatePreview: {
    summary: 'Make a preview link to the current version',
    description:
      'A signed link to the version current now, whatever its status, valid for `expiresInSeconds` (60 to 604800, default 86400). Later versions do not change what it shows. Any other field or value answers 400.',
    parameters: [],
    requestBody: 'PreviewRequest',
    requestBodyOptional: true,
    success: { '201': json('PreviewLink', 'The link.', { 'Cache-Control': noStore }) },
    errors: { '400': 'BadRequest', ...EDITOR_ERRORS, '404': 'NotFound', ...BODY_ERRORS },
  },
  GetPreview: {
    tag: 'articles',
    summary: 'The version a preview link names',
    description:
      'The version current when the link was made, in the public representation, whatever its status (draft and scheduled included). Never cached (`no-store`), never indexed (`X-Robots-Tag: noindex`), no ETag, errors included.',
    parameters: [],
    success: {
      '200': json('PreviewArticle', 'The previewed version.', {
        'Cache-Control': noStore,
        'X-Robots-Tag': ref('headers', 'XRobotsTag'),
      }),
    },
    errors: { '404': 'NoPreview' },
  },
  RssFeed: feedOperation('RSS 2.0', RSS_CONTENT_TYPE, 'each item has `content:encoded` (bodyHtml)'),
  AtomFeed: feedOperation('Atom 1.0', ATOM_CONTENT_TYPE, 'each entry has `content type="html"` (bodyHtml)'),
  JsonFeed: feedOperation('JSON Feed 1.1', JSON_FEED_CONTENT_TYPE, 'each item has `content_html` (bodyHtml)'),
  SitemapIndex: {
    tag: 'syndication',
    summary: 'Sitemap index',
    description:
      'A sitemaps.org 0.9 sitemap index: one `<sitemap><loc>` per UTC month, from the month of the oldest visible article to the current one, each the absolute URL of `/sitemaps/{yyyy}-{mm}.xml` on this API. No visible article: a valid index with no `<sitemap>`.',
    parameters: ['IfNoneMatch'],
    success: {
      '200': syndicationDocument(SITEMAP_CONTENT_TYPE, 'The sitemap index.'),
      '304': ref('responses', 'NotModified'),
    },
    errors: {},
  },
  MonthlySitemap: {
    tag: 'syndication',
    summary: "One month's sitemap",
    description: `A sitemaps.org 0.9 sitemap of the visible articles whose publishedAt falls in that UTC month: one \`<url>\` each, with \`<loc>\` (the article URL of the site settings) and \`<lastmod>\` (updatedAt). Reads that month only. A month over ${SITEMAP_MAX_URLS} URLs (the protocol's limit) is an error (500; see docs/syndication.md).`,
    parameters: ['IfNoneMatch'],
    success: {
      '200': syndicationDocument(SITEMAP_CONTENT_TYPE, "The month's sitemap."),
      '304': ref('responses', 'NotModified'),
    },
    errors: { '404': 'NoSitemap' },
  },
  NewsSitemap: {
    tag: 'syndication',
    summary: 'Google News sitemap',
    description: `Visible articles published in the last 48 hours, newest first, at most ${NEWS_SITEMAP_MAX_ENTRIES}: \`<loc>\`, \`<news:news>\` with \`<news:publication>\` (site name, language), \`<news:publication_date>\` and \`<news:title>\`. Namespaces \`http://www.sitemaps.org/schemas/sitemap/0.9\` and \`http://www.google.com/schemas/sitemap-news/0.9\`.`,
    parameters: ['IfNoneMatch'],
    success: {
      '200': syndicationDocument(SITEMAP_CONTENT_TYPE, 'The news sitemap.'),
      '304': ref('responses', 'NotModified'),
    },
    errors: {},
  },
};

/** A feed operation: the newest visible articles in one format. */
function feedOperation(format: string, mediaType: string, content: string): OperationSpec {
  return {
    tag: 'syndication',
    summary: `${format} feed of the newest articles`,
    description: `The newest visible articles (at most ${FEED_MAX_ENTRIES}), newest first; \`tag\` keeps those with that tag. Each entry: title, the article URL (site settings) as link and id, publishedAt, updatedAt, summary and author when set, tags as categories; ${content}. Feed level: the site name as title, the site URL as link, the language, this feed's own URL as self link. An empty site gives a valid, empty feed.`,
    parameters: ['FeedTag', 'IfNoneMatch'],
    success: {
      '200': syndicationDocument(mediaType, `The ${format} feed.`),
      '304': ref('responses', 'NotModified'),
    },
    errors: { '400': 'BadRequest' },
  };
}

function operation(route: RouteDefinition): JsonObject {
  const spec = OPERATIONS[route.id];
  if (spec === undefined) throw new Error(`route ${route.id} has no OPERATIONS entry in openapi/document.ts`);
  const errors: Record<string, string> = { ...spec.errors, ...COMMON_ERRORS };
  const statuses = [...Object.keys(spec.success), ...Object.keys(errors)].sort();
  const responsesOut: JsonObject = {};
  for (const status of statuses) {
    const success = spec.success[status];
    const error = errors[status];
    responsesOut[status] = success ?? ref('responses', error ?? 'Problem');
  }
  responsesOut.default = ref('responses', 'Problem');
  const out: JsonObject = {
    operationId: route.id,
    tags: [spec.tag ?? (route.auth === 'editor' ? 'editor' : 'articles')],
    summary: spec.summary,
    description: spec.description,
  };
  if (spec.parameters.length > 0) out.parameters = spec.parameters.map((name) => ref('parameters', name));
  if (spec.requestBody !== undefined) {
    out.requestBody = {
      required: spec.requestBodyOptional !== true,
      description: `JSON, at most ${MAX_BODY_BYTES} bytes, sent with Content-Type: application/json.`,
      content: { [JSON_MEDIA_TYPE]: { schema: ref('schemas', spec.requestBody) } },
    };
  }
  out.responses = responsesOut;
  if (route.auth === 'editor') out.security = [{ [SECURITY_SCHEME]: [] }];
  return out;
}

function preflight(path: string, methods: readonly string[], auth: 'public' | 'editor'): JsonObject {
  const allowHeaders = auth === 'editor' ? EDITOR_ALLOW_HEADERS : PUBLIC_ALLOW_HEADERS;
  return {
    operationId: `Preflight${pathName(path)}`,
    tags: ['cors'],
    summary: 'CORS preflight',
    description: `Answered without authentication. Allows ${methods.join(', ')} with the headers ${allowHeaders.join(', ')}.`,
    responses: { '204': ref('responses', 'Preflight') },
  };
}

/** `/editor/articles/{slug}` → `EditorArticlesSlug` */
function pathName(path: string): string {
  return path
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function paths(routes: readonly RouteDefinition[]): JsonObject {
  const byPath = new Map<string, RouteDefinition[]>();
  for (const route of routes) byPath.set(route.resource, [...(byPath.get(route.resource) ?? []), route]);
  const out: JsonObject = {};
  for (const [path, list] of byPath) {
    const auth = list[0]?.auth ?? 'public';
    const methods = list.map((route) => route.method);
    const item: JsonObject = {
      description: `Other methods answer 405 with an Allow header (${[...methods, 'OPTIONS'].join(', ')}).`,
    };
    // Path template parameters belong to the path item: the preflight has them too.
    const pathParameters = [
      ['{slug}', 'Slug'],
      ['{version}', 'Version'],
      ['{month}', 'Month'],
      ['{token}', 'Token'],
    ].filter(([placeholder = '']) => path.includes(placeholder));
    if (pathParameters.length > 0)
      item.parameters = pathParameters.map(([, name = '']) => ref('parameters', name));
    for (const route of list) item[route.method.toLowerCase()] = operation(route);
    item.options = preflight(path, methods, auth);
    out[path] = item;
  }
  out[OPENAPI_PATH] = {
    description: 'Other methods answer 405 with an Allow header (GET, OPTIONS).',
    get: {
      operationId: 'GetOpenApiDocument',
      tags: ['meta'],
      summary: 'This OpenAPI document',
      description:
        'The contract as JSON (the committed openapi.json). Deployed, API Gateway answers it from a mock integration, without a function.',
      responses: {
        '200': {
          description: 'The OpenAPI 3.1 document.',
          headers: {
            'Cache-Control': {
              description: `\`${OPENAPI_CACHE_CONTROL}\``,
              schema: { type: 'string', const: OPENAPI_CACHE_CONTROL },
            },
          },
          content: {
            [JSON_MEDIA_TYPE]: {
              schema: {
                type: 'object',
                properties: {
                  openapi: { type: 'string', pattern: '^3\\.1\\.[0-9]+$' },
                  info: { type: 'object' },
                  paths: { type: 'object' },
                },
                required: ['openapi', 'info', 'paths'],
              },
            },
          },
        },
        default: ref('responses', 'Problem'),
      },
    },
    options: preflight(OPENAPI_PATH, ['GET'], 'public'),
  };
  return out;
}

// ---------------------------------------------------------------------------
// The document

const DESCRIPTION = `Serverless article publishing: public reading routes, and editor routes signed with AWS Signature Version 4.

- **Authentication**: everything under \`/editor/\` needs a SigV4 signature (service \`execute-api\`, the API's region); nothing outside \`/editor/\` reads an \`Authorization\` header.
- **Errors**: every response with status >= 400 is \`application/problem+json\` (RFC 9457): \`type\` (\`${PROBLEM_TYPE_BASE}<code>\`), \`title\`, \`status\`, \`detail\`, and \`errors\` (\`[{ path, message }]\`) for validation failures. Unknown routes answer 404, other methods on a known path 405 with \`Allow\`.
- **Caching**: public responses carry an \`ETag\` and \`Cache-Control: public, max-age=..., s-maxage=...\` (\`s-maxage\`: the CDN's lifetime, purged on every change); send \`If-None-Match\` to get 304. Editor writes take the ETag in \`If-Match\`.
- **Paging**: lists answer \`{ items, nextCursor }\`; pass \`nextCursor\` back as \`cursor\` until it is null.
- **CORS**: every route answers a preflight without authentication. Responses, errors included, carry \`Access-Control-Allow-Origin\` (the configured origins, \`*\` by default) and expose ${EXPOSE_HEADERS.join(', ')}.
- **Limits**: request bodies up to 256 KiB; lengths count Unicode code points.`;

const SIGV4_DESCRIPTION = `AWS Signature Version 4 (service \`execute-api\`, the API's region), as an AWS SDK or \`curl --aws-sigv4 "aws:amz:<region>:execute-api"\` sends it: \`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...\` plus \`X-Amz-Date\` (within 5 minutes of the server's clock), \`X-Amz-Security-Token\` for temporary credentials, and optionally \`X-Amz-Content-Sha256\` (must be the hash of the body sent). Deployed, API Gateway checks it (AWS_IAM authorization; the caller needs \`execute-api:Invoke\`, e.g. through the stack's EditorPolicy); locally, the local server checks it against the editor key it prints.`;

/** The OpenAPI document as a plain object. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[] = ROUTES): JsonObject {
  const schemas: Record<string, JsonValue> = {
    ArticleCreate: createArticleSchema(),
    ArticleUpdate: updateArticleSchema(),
    PreviewRequest: {
      type: 'object',
      additionalProperties: false,
      properties: {
        expiresInSeconds: {
          type: 'integer',
          minimum: 60,
          maximum: 604_800,
          default: 86_400,
          description: 'How long the link works, in seconds (default one day, at most seven).',
        },
      },
    },
    ...outputSchemas(),
    ...problemSchemas(),
  };
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Newsdesk API',
      version: '1.0.0',
      summary: 'Article publishing: public reading, SigV4-signed editing.',
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      { url: LOCAL_SERVER_URL, description: 'The local server (`npm start`; PORT changes the port).' },
      {
        url: '{ApiUrl}',
        description: 'A deployed stack: its `ApiUrl` output (in cdk-outputs.json after `npm run deploy`).',
        variables: {
          ApiUrl: {
            default: 'https://API_ID.execute-api.REGION.amazonaws.com/v1',
            description:
              'The stack output ApiUrl: `https://{id}.execute-api.{region}.amazonaws.com/{stage}`.',
          },
        },
      },
    ],
    tags: [
      { name: 'articles', description: 'Public reading: visible articles only, cacheable.' },
      { name: 'editor', description: 'Editing, signed with SigV4: every article in any status.' },
      { name: 'syndication', description: 'Feeds and sitemaps of the visible articles, cacheable.' },
      { name: 'cors', description: 'CORS preflights.' },
      { name: 'meta', description: 'The contract itself.' },
    ],
    paths: paths(routes),
    components: {
      schemas,
      responses: responses(),
      parameters: parameters(),
      headers: headers(),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: SIGV4_DESCRIPTION,
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

/** Non-ASCII characters as `\uXXXX` escapes: the file is plain ASCII whatever reads or embeds it. */
const asciiOnly = (text: string): string =>
  text.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The document as committed in openapi.json: 2-space JSON, ASCII only, trailing newline. */
export function renderOpenApiDocument(routes: readonly RouteDefinition[] = ROUTES): string {
  return `${asciiOnly(JSON.stringify(buildOpenApiDocument(routes), null, 2))}\n`;
}
