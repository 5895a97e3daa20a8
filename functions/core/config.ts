/**
 * Runtime configuration of every handler, parsed once at cold start. A missing or
 * malformed variable fails the cold start loudly instead of surfacing as `undefined`
 * deep inside a request.
 *
 * Parsed by the small field rules below rather than a zod schema: every function parses
 * its configuration at cold start, and zod (even `zod/mini`) measured 0.2–0.6× of a bare
 * DynamoDB handler's whole init time on top of it (`npm run bench`), which would leave
 * read functions with no validation library to load at all. The rules follow the zod
 * schema they replace: same defaults, coercion (`Number(value)`), bounds and outputs.
 */

export interface Config {
  readonly TABLE_NAME: string;
  /** Key material of the sealed (AES-256-GCM) list cursors; at least 32 characters. */
  readonly CURSOR_SECRET: string;
  readonly PUBLIC_ORIGINS: string[];
  readonly EDITOR_ORIGINS: string[];
  /** `Cache-Control: public, max-age=` of public responses, in seconds. */
  readonly CACHE_MAX_AGE: number;
  /**
   * `s-maxage=` of public responses, in seconds: how long a shared cache (the CDN) may keep
   * them. Far above CACHE_MAX_AGE, because every change purges the edge (docs/edge.md).
   */
  readonly EDGE_MAX_AGE: number;
  readonly AWS_REGION: string;
  /** Only for local runs and tests: an alternative DynamoDB endpoint. */
  readonly DYNAMODB_ENDPOINT?: string;
  /** Total attempts per DynamoDB call, the first included (SDK standard retry mode). */
  readonly DYNAMODB_MAX_ATTEMPTS: number;
  /** Socket timeout of one DynamoDB attempt, in milliseconds. */
  readonly DYNAMODB_REQUEST_TIMEOUT_MS: number;
  /** Connection timeout of one DynamoDB attempt, in milliseconds. */
  readonly DYNAMODB_CONNECT_TIMEOUT_MS: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A field that does not follow its rule (collected, then reported together). */
class FieldProblem extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

function text(value: string | undefined, { min, fallback }: { min: number; fallback?: string }): string {
  const actual = value ?? fallback;
  if (actual === undefined) throw new FieldProblem('is required');
  if (actual.length < min) {
    throw new FieldProblem(`must be at least ${min} characters`);
  }
  return actual;
}

/** A whole number within bounds; the value is coerced with `Number()`, absent → `fallback`. */
function integer(
  value: string | undefined,
  { min, max, fallback }: { min: number; max?: number; fallback: number },
) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new FieldProblem(`must be a whole number, got "${value}"`);
  if (number < min) throw new FieldProblem(`must be at least ${min}, got ${number}`);
  if (max !== undefined && number > max) throw new FieldProblem(`must be at most ${max}, got ${number}`);
  return number;
}

/** A comma-separated list of origins (absent → `*`); blanks dropped; at least one. */
function originList(value: string | undefined): string[] {
  const origins = (value ?? '*')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  if (origins.length === 0) throw new FieldProblem('must name at least one origin or *');
  return origins;
}

/** A URL the WHATWG parser accepts (surrounding white space trimmed; tabs and line breaks removed). */
function url(value: string): string {
  const trimmed = value.trim();
  if (!URL.canParse(trimmed)) throw new FieldProblem('Invalid URL');
  return trimmed.replace(/[\t\n\r]/g, '');
}

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const field = <T>(name: string, parse: (value: string | undefined) => T): T => {
    try {
      return parse(env[name]);
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(`${name}: ${error.message}`);
      return undefined as T;
    }
  };
  const endpoint = env.DYNAMODB_ENDPOINT;
  const config: Config = {
    TABLE_NAME: field('TABLE_NAME', (value) => text(value, { min: 1 })),
    CURSOR_SECRET: field('CURSOR_SECRET', (value) => text(value, { min: 32 })),
    PUBLIC_ORIGINS: field('PUBLIC_ORIGINS', originList),
    EDITOR_ORIGINS: field('EDITOR_ORIGINS', originList),
    CACHE_MAX_AGE: field('CACHE_MAX_AGE', (value) =>
      integer(value, { min: 0, max: 31_536_000, fallback: 60 }),
    ),
    EDGE_MAX_AGE: field('EDGE_MAX_AGE', (value) =>
      integer(value, { min: 0, max: 31_536_000, fallback: 86_400 }),
    ),
    AWS_REGION: field('AWS_REGION', (value) => text(value, { min: 1, fallback: 'us-east-1' })),
    ...(endpoint === undefined ? {} : { DYNAMODB_ENDPOINT: field('DYNAMODB_ENDPOINT', () => url(endpoint)) }),
    DYNAMODB_MAX_ATTEMPTS: field('DYNAMODB_MAX_ATTEMPTS', (value) => integer(value, { min: 1, fallback: 3 })),
    DYNAMODB_REQUEST_TIMEOUT_MS: field('DYNAMODB_REQUEST_TIMEOUT_MS', (value) =>
      integer(value, { min: 1, fallback: 2000 }),
    ),
    DYNAMODB_CONNECT_TIMEOUT_MS: field('DYNAMODB_CONNECT_TIMEOUT_MS', (value) =>
      integer(value, { min: 1, fallback: 1000 }),
    ),
  };
  if (problems.length > 0) {
    throw new ConfigError(`Invalid Newsdesk configuration: ${problems.join('; ')}`);
  }
  return config;
}

let cached: Config | undefined;

/** The process's configuration, parsed from the environment on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
