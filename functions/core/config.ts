import * as z from 'zod';

/**
 * Runtime configuration of every handler, parsed once at cold start. A missing or
 * malformed variable fails the cold start loudly instead of surfacing as `undefined`
 * deep inside a request.
 */

const originList = z
  .string()
  .default('*')
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'must name at least one origin or *'));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** HMAC key for list cursors; at least 32 characters. */
  CURSOR_SECRET: z.string().min(32),
  PUBLIC_ORIGINS: originList,
  EDITOR_ORIGINS: originList,
  /** `Cache-Control: public, max-age=` of public responses, in seconds. */
  CACHE_MAX_AGE: z.coerce.number().int().min(0).max(31_536_000).default(60),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Only for local runs and tests: an alternative DynamoDB endpoint. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Total attempts per DynamoDB call, the first included (SDK standard retry mode). */
  DYNAMODB_MAX_ATTEMPTS: positiveInt(3),
  /** Socket timeout of one DynamoDB attempt, in milliseconds. */
  DYNAMODB_REQUEST_TIMEOUT_MS: positiveInt(2000),
  /** Connection timeout of one DynamoDB attempt, in milliseconds. */
  DYNAMODB_CONNECT_TIMEOUT_MS: positiveInt(1000),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid Newsdesk configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process's configuration, parsed from the environment on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
