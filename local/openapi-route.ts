/**
 * `GET /openapi.json` on the local server, as the stack's mock integration answers it
 * (lib/newsdesk-api.ts): the committed openapi.json, public, with the public routes'
 * CORS rule; a preflight; 405 for other methods.
 */
import { PREFLIGHT_MAX_AGE_SECONDS, PUBLIC_ALLOW_HEADERS } from '../functions/core/contract.ts';
import {
  OPENAPI_CACHE_CONTROL,
  OPENAPI_CONTENT_TYPE,
  OPENAPI_PATH,
  readOpenApiFile,
} from '../openapi/file.ts';
import type { MappedResponse } from './event.ts';
import { allowOriginHeaders, type CorsSettings, gatewayProblem } from './gateway.ts';

let document: Buffer | undefined;

const mapped = (statusCode: number, headers: Record<string, string>, body: Buffer): MappedResponse => ({
  statusCode,
  headers: new Map(Object.entries(headers).map(([name, value]) => [name, [value]])),
  body,
});

/** The answer for a request to `/openapi.json`, or undefined for any other path. */
export function openApiResponse(
  method: string,
  path: string,
  cors: CorsSettings,
  requestOrigin: string | undefined,
): MappedResponse | undefined {
  if (path !== OPENAPI_PATH) return undefined;
  if (method === 'OPTIONS') {
    return mapped(
      204,
      {
        ...allowOriginHeaders(cors.publicOrigins, requestOrigin, true),
        'Access-Control-Allow-Headers': PUBLIC_ALLOW_HEADERS.join(','),
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
      },
      Buffer.alloc(0),
    );
  }
  if (method !== 'GET') {
    return gatewayProblem(
      { code: 'method-not-allowed', detail: 'This route accepts GET, OPTIONS.' },
      { cors, auth: 'public', requestOrigin, headers: { Allow: 'GET, OPTIONS' } },
    );
  }
  document ??= Buffer.from(readOpenApiFile(), 'utf8');
  return mapped(
    200,
    {
      'Content-Type': OPENAPI_CONTENT_TYPE,
      'Cache-Control': OPENAPI_CACHE_CONTROL,
      'X-Content-Type-Options': 'nosniff',
      ...allowOriginHeaders(cors.publicOrigins, requestOrigin, false),
    },
    document,
  );
}
