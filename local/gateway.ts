/**
 * What the deployed API Gateway does before (or instead of) invoking a function: route
 * matching, CORS preflights, and the responses it makes by itself (404, 405, 403, 413),
 * shaped like the stack's gateway responses (lib/newsdesk-api.ts): problem+json with
 * CORS headers, `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`.
 */
import {
  EDITOR_ALLOW_HEADERS,
  EXPOSE_HEADERS,
  MAX_BODY_BYTES,
  PREFLIGHT_MAX_AGE_SECONDS,
  PROBLEM_CONTENT_TYPE,
  type ProblemCode,
  PUBLIC_ALLOW_HEADERS,
  problemDocument,
} from '../functions/core/contract.ts';
import { ROUTES, type RouteDefinition } from '../functions/core/routes.ts';
import type { MappedResponse } from './event.ts';
import { decodePathSegment } from './event.ts';

export interface Resource {
  readonly resource: string;
  readonly auth: 'public' | 'editor';
  readonly routes: readonly RouteDefinition[];
  readonly segments: readonly string[];
}

export interface Match {
  readonly resource: Resource;
  readonly pathParameters: Record<string, string> | null;
}

export interface CorsSettings {
  readonly publicOrigins: readonly string[];
  readonly editorOrigins: readonly string[];
}

/** Origins from a comma-separated list (as functions/core/config.ts reads them), default `*`. */
export function parseOrigins(value: string | undefined): string[] {
  const origins = (value ?? '*')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return origins.length === 0 ? ['*'] : origins;
}

export function corsFromEnv(env: Record<string, string | undefined> = process.env): CorsSettings {
  return { publicOrigins: parseOrigins(env.PUBLIC_ORIGINS), editorOrigins: parseOrigins(env.EDITOR_ORIGINS) };
}

/** The route list grouped by resource (one auth kind per resource, as the stack requires). */
export function buildResources(routes: readonly RouteDefinition[] = ROUTES): Resource[] {
  const byResource = new Map<string, RouteDefinition[]>();
  for (const route of routes)
    byResource.set(route.resource, [...(byResource.get(route.resource) ?? []), route]);
  return [...byResource].map(([resource, list]) => {
    const auth = list[0]?.auth ?? 'public';
    if (list.some((route) => route.auth !== auth))
      throw new Error(`Resource ${resource} mixes public and editor routes`);
    return { resource, auth, routes: list, segments: resource.split('/').slice(1) };
  });
}

/**
 * The resource a raw path (percent-escapes intact) names, with its decoded path
 * parameters. Literal segments match exactly; a `{param}` matches one non-empty segment.
 */
export function matchResource(resources: readonly Resource[], rawPath: string): Match | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const segments = rawPath.split('/').slice(1);
  for (const resource of resources) {
    if (resource.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const expected = resource.segments[i] ?? '';
      const actual = segments[i] ?? '';
      if (actual === '') ok = false;
      else if (expected.startsWith('{') && expected.endsWith('}'))
        params[expected.slice(1, -1)] = decodePathSegment(actual);
      // Without a `%` there is nothing to decode.
      else ok = (actual.includes('%') ? decodePathSegment(actual) : actual) === expected;
    }
    if (ok) return { resource, pathParameters: Object.keys(params).length === 0 ? null : params };
  }
  return undefined;
}

export function allowedMethods(resource: Resource): string[] {
  return resource.routes.map((route) => route.method);
}

function originsFor(cors: CorsSettings, auth: 'public' | 'editor' | 'any'): string[] {
  if (auth === 'public') return [...cors.publicOrigins];
  if (auth === 'editor') return [...cors.editorOrigins];
  // Responses not tied to a route use the widest rule, as the stack's gateway responses do.
  return [...new Set([...cors.publicOrigins, ...cors.editorOrigins])];
}

/** `Access-Control-Allow-Origin` (+ `Vary`) for a request's Origin under a list of allowed origins. */
export function allowOriginHeaders(
  origins: readonly string[],
  requestOrigin: string | undefined,
  fallbackToFirst: boolean,
): Record<string, string> {
  if (origins.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  if (requestOrigin !== undefined && origins.includes(requestOrigin)) {
    return { 'Access-Control-Allow-Origin': requestOrigin, Vary: 'Origin' };
  }
  const first = origins[0];
  if ((fallbackToFirst || origins.length === 1) && first !== undefined) {
    return { 'Access-Control-Allow-Origin': first, Vary: 'Origin' };
  }
  return { Vary: 'Origin' };
}

export interface Problem {
  readonly code: ProblemCode;
  readonly detail: string;
}

/** A problem+json response made by the gateway layer, with CORS and security headers. */
export function gatewayProblem(
  problem: Problem,
  options: {
    readonly cors: CorsSettings;
    readonly auth: 'public' | 'editor' | 'any';
    readonly requestOrigin: string | undefined;
    readonly headers?: Readonly<Record<string, string>>;
  },
): MappedResponse {
  const document = problemDocument(problem.code, problem.detail);
  const body = Buffer.from(JSON.stringify(document), 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    ...allowOriginHeaders(originsFor(options.cors, options.auth), options.requestOrigin, false),
    'Access-Control-Expose-Headers': EXPOSE_HEADERS.join(', '),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...options.headers,
  };
  return {
    statusCode: document.status,
    headers: new Map(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body,
  };
}

export const NOT_FOUND: Problem = {
  code: 'not-found',
  detail: 'No such route.',
};

export function methodNotAllowed(resource: Resource): { problem: Problem; allow: string } {
  const allow = [...allowedMethods(resource), 'OPTIONS'].join(', ');
  return {
    problem: {
      code: 'method-not-allowed',
      detail: `This route accepts ${allow}.`,
    },
    allow,
  };
}

/** API Gateway's own answer to an editor request without a valid signature. */
export function forbidden(missing: boolean, expired: boolean): Problem {
  return {
    code: 'forbidden',
    detail: missing
      ? 'This route needs a request signed with AWS Signature Version 4.'
      : expired
        ? 'The request signature or its credentials have expired.'
        : 'The request signature is not valid.',
  };
}

export const PAYLOAD_TOO_LARGE: Problem = {
  code: 'payload-too-large',
  detail: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
};

export const BAD_GATEWAY: Problem = {
  code: 'bad-gateway',
  detail: 'The service could not complete the request; try again later.',
};

export const STARTING: Problem = {
  code: 'service-unavailable',
  detail: 'The local server is still starting; retry in a moment.',
};

/** The CORS preflight answer of a resource (as the stack's OPTIONS mock integration). */
export function preflight(
  resource: Resource,
  cors: CorsSettings,
  requestOrigin: string | undefined,
): MappedResponse {
  const editor = resource.auth === 'editor';
  const headers: Record<string, string> = {
    ...allowOriginHeaders(editor ? cors.editorOrigins : cors.publicOrigins, requestOrigin, true),
    'Access-Control-Allow-Headers': [...(editor ? EDITOR_ALLOW_HEADERS : PUBLIC_ALLOW_HEADERS)].join(','),
    'Access-Control-Allow-Methods': allowedMethods(resource).join(','),
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
  };
  return {
    statusCode: 204,
    headers: new Map(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body: Buffer.alloc(0),
  };
}
