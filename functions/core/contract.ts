/**
 * What the handlers, the stack's gateway responses (lib/newsdesk-api.ts), the local
 * gateway (local/gateway.ts) and the OpenAPI document share: problem types, limits and
 * CORS header lists. One definition, so none of them can drift from the others.
 *
 * Pure data: no imports, safe to load from CDK code, the local server and Lambda.
 */

/** Problem types are URNs: `urn:newsdesk:problem:<code>`. */
export const PROBLEM_TYPE_BASE = 'urn:newsdesk:problem:';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem the API answers with: its status and title, by code. */
export const PROBLEMS = {
  'validation-error': { status: 400, title: 'Bad Request' },
  'bad-request': { status: 400, title: 'Bad Request' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed' },
  'slug-taken': { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition Failed' },
  'payload-too-large': { status: 413, title: 'Payload Too Large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
  'idempotency-key-reused': { status: 422, title: 'Unprocessable Content' },
  'precondition-required': { status: 428, title: 'Precondition Required' },
  'too-many-requests': { status: 429, title: 'Too Many Requests' },
  'internal-error': { status: 500, title: 'Internal Server Error' },
  'bad-gateway': { status: 502, title: 'Bad Gateway' },
  'service-unavailable': { status: 503, title: 'Service Unavailable' },
  'gateway-timeout': { status: 504, title: 'Gateway Timeout' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** A problem document (RFC 9457) without field errors. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

export function problemDocument(code: ProblemCode, detail: string): ProblemDocument {
  const { status, title } = PROBLEMS[code];
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status, detail };
}

/** Request bodies larger than this are refused with 413 (API.md). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Headers a browser may send to the editor routes (what a SigV4 client sends). */
export const EDITOR_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'If-Match',
  'Idempotency-Key',
] as const;

/** Headers a browser may send to the public routes. */
export const PUBLIC_ALLOW_HEADERS = ['Content-Type', 'If-None-Match'] as const;

/** Response headers a browser script may read. */
export const EXPOSE_HEADERS = ['ETag', 'Location', 'Retry-After'] as const;

/** `Access-Control-Max-Age` of preflight answers, in seconds. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;
