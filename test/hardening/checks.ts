import { htmlViolations } from './html.ts';
import type { RouteKey } from './routes.ts';

/**
 * The promises every answer keeps, whatever the request: never 5xx, errors as
 * problem+json without internals, representations with exactly the contract's fields,
 * bodyHtml safe, no storage internals or identities on public routes. Pure: no handler
 * modules are imported here (the local-server tests must not load them before the server).
 */

export interface Answer {
  readonly status: number;
  /** Header values by lower-case name. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const PUBLIC_FIELDS = [
  'slug',
  'title',
  'summary',
  'body',
  'bodyHtml',
  'author',
  'tags',
  'publishedAt',
  'updatedAt',
];
export const EDITOR_FIELDS = [...PUBLIC_FIELDS, 'status', 'createdAt', 'version', 'createdBy', 'updatedBy'];
const withoutBody = (fields: string[]) => fields.filter((f) => f !== 'body' && f !== 'bodyHtml');

const ALLOWED: Record<RouteKey, number[]> = {
  'GET /articles': [200, 304, 400, 413],
  'GET /articles/{slug}': [200, 304, 400, 404, 413],
  'POST /editor/articles': [201, 400, 403, 409, 413, 415, 422],
  'GET /editor/articles': [200, 400, 403, 413],
  'GET /editor/articles/{slug}': [200, 400, 403, 404, 413],
  'PUT /editor/articles/{slug}': [200, 400, 403, 404, 412, 413, 415, 428],
  'DELETE /editor/articles/{slug}': [204, 400, 403, 404, 412, 413],
};

/** What an error body must never show: stack frames, exception or SDK names, AWS identifiers. */
const LEAKS =
  /\n\s+at |\bat \S+ \(\S+:\d+:\d+\)|file:\/\/|node:internal|node_modules|\.ts:\d+|Exception|ZodError|TypeError|SyntaxError|RangeError|ReferenceError|\bstack\b|arn:aws|dynamodb|TransactWrite|ConditionalCheck|\$metadata/i;

const sameKeys = (value: unknown, keys: string[]) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  JSON.stringify(Object.keys(value).sort()) === JSON.stringify([...keys].sort());

/** Everything wrong with one answer (empty = it keeps the contract's promises). */
export function answerViolations(route: RouteKey, answer: Answer): string[] {
  const v: string[] = [];
  const { status, headers, body } = answer;
  if (!ALLOWED[route].includes(status)) v.push(`status ${status} is not one ${route} may answer`);
  if (status >= 500) v.push(`5xx: ${body.slice(0, 300)}`);
  if (headers['x-content-type-options'] !== 'nosniff') v.push('no X-Content-Type-Options: nosniff');
  if (headers['access-control-allow-origin'] === undefined) v.push('no Access-Control-Allow-Origin');
  const type = headers['content-type'] ?? '';
  if (/html|xml|javascript/i.test(type)) v.push(`content type ${type}`);
  if (status >= 400) {
    if (type !== 'application/problem+json') v.push(`error with content type ${type}`);
    if (LEAKS.test(body)) v.push(`error body leaks internals: ${body.slice(0, 300)}`);
    let problem: unknown;
    try {
      problem = JSON.parse(body);
    } catch {
      v.push('error body is not JSON');
    }
    if (typeof problem === 'object' && problem !== null) {
      const p = problem as Record<string, unknown>;
      const keys = Object.keys(p).sort().join();
      if (keys !== 'detail,status,title,type' && keys !== 'detail,errors,status,title,type')
        v.push(`problem keys ${keys}`);
      if (typeof p.type !== 'string' || typeof p.title !== 'string' || typeof p.detail !== 'string') {
        v.push('problem type/title/detail not strings');
      }
      if (p.status !== status) v.push(`problem status ${String(p.status)} ≠ ${status}`);
      if (
        p.errors !== undefined &&
        (!Array.isArray(p.errors) ||
          p.errors.some(
            (e: unknown) =>
              !sameKeys(e, ['path', 'message']) || typeof (e as { message: unknown }).message !== 'string',
          ))
      ) {
        v.push('problem errors are not [{path, message}]');
      }
    }
    if (status === 503 && headers['retry-after'] === undefined) v.push('503 without Retry-After');
    return v;
  }
  if (status === 304 || status === 204) {
    if (body !== '') v.push(`${status} with a body`);
    return v;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    v.push('2xx body is not JSON');
    return v;
  }
  if (!type.startsWith('application/json')) v.push(`2xx content type ${type}`);
  const isPublic = !route.includes('/editor/');
  const article = (value: unknown, fields: string[]) => {
    if (!sameKeys(value, fields)) v.push(`representation keys ${JSON.stringify(Object.keys(value ?? {}))}`);
    const html = (value as { bodyHtml?: unknown }).bodyHtml;
    if (typeof html === 'string') v.push(...htmlViolations(html).map((x) => `bodyHtml: ${x}`));
  };
  if (route === 'GET /articles' || route === 'GET /editor/articles') {
    if (!sameKeys(payload, ['items', 'nextCursor'])) v.push('list keys');
    const items = (payload as { items?: unknown }).items;
    for (const item of Array.isArray(items) ? items : [])
      article(item, withoutBody(isPublic ? PUBLIC_FIELDS : EDITOR_FIELDS));
  } else {
    article(payload, isPublic ? PUBLIC_FIELDS : EDITOR_FIELDS);
    if (headers.etag === undefined || !/^"[^"]+"$/.test(headers.etag)) v.push(`ETag ${String(headers.etag)}`);
  }
  if (isPublic && /arn:aws|"(pk|sk|gsi\dpk|gsi\dsk|createdBy|updatedBy|chunks|takenDownAt)":/.test(body)) {
    v.push('public body shows storage internals or identities');
  }
  if (route === 'POST /editor/articles') {
    const slug = (payload as { slug?: unknown }).slug;
    if (headers.location !== `/articles/${String(slug)}`) v.push(`Location ${String(headers.location)}`);
  }
  return v;
}
