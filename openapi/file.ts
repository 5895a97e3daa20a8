/**
 * The committed OpenAPI document (`openapi.json` at the project root) and how it is
 * served. Light on purpose (no zod, no handlers): the CDK app and the local server
 * read the committed file through this module.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi.json', import.meta.url));
export const OPENAPI_PATH = '/openapi.json';
export const OPENAPI_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The document only changes with a deployment; caches may keep it a few minutes. */
export const OPENAPI_CACHE_CONTROL = 'public, max-age=300';

/** The committed document, exactly as in the file. */
export function readOpenApiFile(): string {
  return readFileSync(OPENAPI_FILE, 'utf8');
}
