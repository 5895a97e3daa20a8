import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LIMITS, SLUG_PATTERN } from './article-model.ts';
import { config } from './config.ts';
import { EXPOSE_HEADERS, MAX_BODY_BYTES, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './contract.ts';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  ProblemError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';
import { logger } from './logger.ts';
import {
  ArticleGoneError,
  InvalidStartKeyError,
  SlugTakenError,
  StoreUnavailableError,
  VersionMismatchError,
} from './store/errors.ts';

/**
 * HTTP plumbing shared by every handler: one middy stack, in this order —
 *   Powertools context → header normalizer → CORS → Newsdesk's own steps (request guard;
 *   problem+json errors, security header, access log) → handler.
 * (`after`/`onError` steps run in reverse, so errors become problem+json first and
 * then get the CORS headers.)
 */

/** A request is answered (503) this long before the function would time out. */
export const TIMEOUT_MARGIN_MS = 1000;

export type Result = APIGatewayProxyResult;

/** What the request guard hands to the route function. */
export interface HttpRequest {
  readonly event: APIGatewayProxyEvent;
  /** Header values by lower-case name. */
  readonly header: (name: string) => string | undefined;
  readonly pathParameter: (name: string) => string | undefined;
  /** A single-valued query parameter; one given more than once is a 400. Unknown ones are ignored. */
  readonly query: (name: string) => string | undefined;
  /** The parsed JSON body (routes declared with `body: 'json'`), otherwise undefined. */
  readonly body: unknown;
  /** The caller's IAM ARN, as API Gateway's AWS_IAM authorization reports it (editor routes). */
  readonly editor: string | undefined;
}

export interface RouteOptions {
  /** Route name for logs, e.g. "GET /articles/{slug}". */
  readonly name: string;
  readonly auth: 'public' | 'editor';
  /**
   * The request body: `json` a JSON object is required; `optional-json` none, or JSON;
   * `none` a body is refused (400).
   * @default - ignored
   */
  readonly body?: 'json' | 'optional-json' | 'none';
}

type GuardedContext = Context & { newsdesk?: HttpRequest };
type Middleware = MiddlewareObj<APIGatewayProxyEvent, Result, Error, GuardedContext>;

// ---------------------------------------------------------------------------
// Responses

const JSON_TYPE = 'application/json; charset=utf-8';

export function json(statusCode: number, payload: unknown, headers: Record<string, string> = {}): Result {
  return { statusCode, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(payload) };
}

export function empty(statusCode: number, headers: Record<string, string> = {}): Result {
  return { statusCode, headers, body: '' };
}

export function problem(error: ProblemError): Result {
  const payload: Record<string, unknown> = {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
  };
  if (error.errors !== undefined) payload.errors = error.errors;
  return {
    statusCode: error.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...error.headers },
    body: JSON.stringify(payload),
  };
}

const internalError = (): Result =>
  problem(
    new ProblemError('internal-error', {
      detail: 'Something went wrong on our side. It has been logged; please retry later.',
    }),
  );

// ---------------------------------------------------------------------------
// Middlewares

/**
 * One line per request: route, method, status, latency; never bodies or credentials.
 * Answers of 500 and above are logged at WARN; the others at DEBUG, because API Gateway's
 * stage access log (lib/newsdesk-api.ts) already records every request, and a second INFO
 * line per request would double the log ingestion bill. `POWERTOOLS_LOG_LEVEL=DEBUG` (or Powertools' sampling,
 * `POWERTOOLS_LOGGER_SAMPLE_RATE`) turns them on.
 */
function logRequest(route: string, event: APIGatewayProxyEvent, status: number, start: number | undefined) {
  const fields = {
    route,
    method: event.httpMethod,
    status,
    latencyMs: start === undefined ? undefined : Math.round((performance.now() - start) * 100) / 100,
    apiRequestId: event.requestContext?.requestId,
  };
  if (status >= 500) logger.warn('request', fields);
  else logger.debug('request', fields);
}

/** The answer to a storage outcome (store/errors.ts), or undefined for any other error. */
function storeProblem(error: unknown): ProblemError | undefined {
  if (error instanceof SlugTakenError) {
    return new ProblemError('slug-taken', { detail: `The slug "${error.slug}" is already taken.` });
  }
  if (error instanceof VersionMismatchError) return new PreconditionFailedError();
  if (error instanceof ArticleGoneError) return new NotFoundError('No article with this slug.');
  if (error instanceof StoreUnavailableError) return new ServiceUnavailableError(1);
  if (error instanceof InvalidStartKeyError) {
    return new BadRequestError('The cursor is not one this API returned for this query.');
  }
  return undefined;
}

/**
 * Errors as problem+json: `ProblemError`s as they describe themselves, storage outcomes as
 * `storeProblem` maps them, anything else as a generic 500 with no detail (logged).
 */
function problemFor(error: unknown): Result {
  if (error instanceof ProblemError) return problem(error);
  const mapped = storeProblem(error);
  if (mapped !== undefined) return problem(mapped);
  logger.error('unhandled error', { error: error ?? undefined });
  return internalError();
}

/**
 * Newsdesk's own steps, as one middleware:
 * - before: checks the request (`guardRequest`) and notes when it started;
 * - after and on error: turns an error into problem+json, adds
 *   `X-Content-Type-Options: nosniff` to every response, and writes the access log line.
 * It is the innermost middleware, so its error handling runs first and CORS then applies
 * to problem responses too.
 */
export const newsdeskHttp = (options: RouteOptions): Middleware => {
  const started = new WeakMap<object, number>();
  const finish = (request: { event: APIGatewayProxyEvent; context: Context; response: Result }) => {
    const { response } = request;
    response.headers ??= {};
    response.headers['X-Content-Type-Options'] = 'nosniff';
    logRequest(options.name, request.event, response.statusCode, started.get(request.context));
  };
  return {
    name: 'newsdeskHttp',
    before: (request) => {
      started.set(request.context, performance.now());
      request.context.newsdesk = guardRequest(request.event, options);
    },
    after: (request) => {
      if (request.response !== null && request.response !== undefined) {
        finish({ event: request.event, context: request.context, response: request.response });
      }
    },
    onError: (request) => {
      const response = problemFor(request.error);
      request.response = response;
      finish({ event: request.event, context: request.context, response });
    },
  };
};

function headerLookup(event: APIGatewayProxyEvent) {
  const headers = event.headers ?? {};
  return (name: string) => headers[name.toLowerCase()] ?? undefined;
}

function queryLookup(event: APIGatewayProxyEvent) {
  return (name: string): string | undefined => {
    if ((event.multiValueQueryStringParameters?.[name]?.length ?? 1) > 1) {
      throw new ValidationError(`The query parameter "${name}" is given more than once.`, [
        { path: name, message: 'must be given at most once' },
      ]);
    }
    return event.queryStringParameters?.[name] ?? undefined;
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(event: APIGatewayProxyEvent): { text: string | null; bytes: number } {
  if (event.body === null || event.body === undefined) return { text: null, bytes: 0 };
  if (!event.isBase64Encoded) return { text: event.body, bytes: Buffer.byteLength(event.body, 'utf8') };
  const raw = Buffer.from(event.body, 'base64');
  if (raw.length > MAX_BODY_BYTES) return { text: null, bytes: raw.length };
  try {
    return { text: utf8.decode(raw), bytes: raw.length };
  } catch {
    throw new ValidationError('The request body is not valid UTF-8.');
  }
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const mediaType = value.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * Checks a request before the route runs (and so before any database call): the editor
 * identity on editor routes (403), the body size (413), the media type (415), the JSON
 * syntax (400). Returns the parsed `HttpRequest` the route gets.
 */
function guardRequest(
  event: APIGatewayProxyEvent,
  { auth, body }: Pick<RouteOptions, 'auth' | 'body'>,
): HttpRequest {
  const userArn = event.requestContext?.identity?.userArn;
  const editor = typeof userArn === 'string' && userArn.length > 0 ? userArn : undefined;
  if (auth === 'editor' && editor === undefined) {
    throw new ForbiddenError(
      'This route needs a request signed with AWS Signature Version 4 (IAM authorization).',
    );
  }
  const decoded = decodeBody(event);
  if (decoded.bytes > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const header = headerLookup(event);
  let parsed: unknown;
  const absent = decoded.text === null || decoded.text === '';
  if (body === 'none' && !absent) {
    throw new ValidationError('This route takes no request body; send the request without one.');
  }
  if (body === 'json' || (body === 'optional-json' && !absent)) {
    if (!isJsonContentType(header('content-type'))) throw new UnsupportedMediaTypeError();
    if (decoded.text === null || decoded.text.trim() === '') {
      throw new ValidationError('The request body is empty; send a JSON object.');
    }
    try {
      parsed = JSON.parse(decoded.text);
    } catch {
      throw new ValidationError('The request body is not valid JSON.');
    }
  }
  return {
    event,
    header,
    pathParameter: (name) => event.pathParameters?.[name] ?? undefined,
    query: queryLookup(event),
    body: parsed,
    editor: auth === 'editor' ? editor : undefined,
  };
}

/**
 * A route handler with the whole stack around it. `fn` gets the guarded request and
 * returns the success response; errors it throws become problem+json.
 */
export function httpHandler(options: RouteOptions, fn: (request: HttpRequest) => Promise<Result>) {
  const cfg = config();
  const origins = options.auth === 'editor' ? cfg.EDITOR_ORIGINS : cfg.PUBLIC_ORIGINS;
  return middy<APIGatewayProxyEvent, Result, Error, GuardedContext>({
    // However many DynamoDB calls a route makes (each with bounded retries), answer 503
    // a second before the function's own timeout rather than letting it time out.
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new ServiceUnavailableError(1);
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins, exposeHeaders: EXPOSE_HEADERS.join(', ') }))
    .use(newsdeskHttp(options))
    .handler(async (_event, context) => {
      const request = context.newsdesk;
      if (request === undefined) throw new Error('request guard did not run');
      return fn(request);
    });
}

// ---------------------------------------------------------------------------
// Helpers for route functions

/**
 * Cache headers of public 200/304 responses: browsers keep them `max-age` seconds, shared
 * caches (the CDN, docs/edge.md) `s-maxage` seconds — the edge is purged on every change.
 */
export function publicCache(): Record<string, string> {
  const { CACHE_MAX_AGE, EDGE_MAX_AGE } = config();
  return { 'Cache-Control': `public, max-age=${CACHE_MAX_AGE}, s-maxage=${EDGE_MAX_AGE}` };
}

export const NO_STORE = { 'Cache-Control': 'no-store' } as const;

/** Parses `limit` (1–100, default 20); anything else is a 400. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return 20;
  if (!/^[0-9]{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100) {
    throw new ValidationError('The limit must be a whole number from 1 to 100.', [
      { path: 'limit', message: 'must be a whole number from 1 to 100' },
    ]);
  }
  return Number(value);
}

/** Parses a `tag` filter (absent → undefined); one that breaks the tag rule is a 400. */
export function parseTag(value: string | undefined): string | undefined {
  if (value !== undefined && (!SLUG_PATTERN.test(value) || value.length > LIMITS.tag)) {
    throw new ValidationError('The tag is not a valid tag.', [
      {
        path: 'tag',
        message: 'must be lower-case letters and digits separated by single hyphens, at most 40',
      },
    ]);
  }
  return value;
}

/** The verified editor identity of an editor route's request (the guard has checked it is there). */
export function editorOf(request: HttpRequest): string {
  if (request.editor === undefined) {
    throw new ForbiddenError(
      'This route needs a request signed with AWS Signature Version 4 (IAM authorization).',
    );
  }
  return request.editor;
}
