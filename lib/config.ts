import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { DETAIL_TYPES, type DetailType } from '../functions/core/events/types.ts';
import { parseSiteSettings, type SiteSettings, SiteSettingsError } from '../functions/core/site.ts';

/**
 * Deployment configuration, read once from CDK context (`cdk.json`, or `-c key=value`
 * on the command line) and validated with zod, so a typo fails `cdk synth` with a
 * clear message instead of deploying something half-configured.
 */

/** The retention periods CloudWatch Logs accepts (the values of `RetentionDays`). */
const RETENTION_VALUES: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

/**
 * A list of origins: a JSON array in cdk.json, or a comma-separated string on the
 * command line (`-c publicOrigins=https://a.example,https://b.example`).
 */
const originList = z
  .union([z.string(), z.array(z.string())])
  .default(['*'])
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value)
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .refine(
            (origin) => origin === '*' || /^https?:\/\/[^\s/,]+$/.test(origin),
            'must be * or a scheme://host[:port] origin without a path',
          ),
      )
      .min(1, 'must name at least one origin or *')
      .refine(
        (origins) => !origins.includes('*') || origins.length === 1,
        '* cannot be combined with other origins',
      ),
  );

/** Context values given on the command line arrive as strings: coerce them. */
const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const NewsdeskConfigSchema = z
  .object({
    /** API Gateway stage name, the last segment of `ApiUrl`. */
    stage: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only')
      .default('v1'),
    /** Origins allowed to call the public routes from a browser (`*` = any). */
    publicOrigins: originList,
    /** Origins allowed to call the editor routes from a browser (`*` = any; requests are signed). */
    editorOrigins: originList,
    /** Stage-wide steady-state request rate limit, requests per second. */
    throttlingRateLimit: int(1, 10_000, 100),
    /** Stage-wide burst limit, requests. */
    throttlingBurstLimit: int(1, 5_000, 200),
    /** `Cache-Control: public, max-age=` of public responses, in seconds. */
    cacheMaxAge: int(0, 31_536_000, 60),
    /**
     * `s-maxage=` of public responses, in seconds: how long the CDN keeps them (every
     * change purges it, docs/edge.md); the cache policy's maxTtl is at least this.
     */
    edgeMaxAge: int(0, 31_536_000, 86_400),
    /** Retention of every log group of the stack (functions and access logs), in days. */
    logRetentionDays: z.coerce
      .number()
      .int()
      .default(30)
      .refine((days) => RETENTION_VALUES.includes(days), {
        message: `must be one of ${RETENTION_VALUES.join(', ')}`,
      })
      .transform((days) => days as RetentionDays),
    /** Lambda memory in MB (CPU scales with it, and so does cold start speed). */
    memorySize: int(128, 10_240, 1024),
    /** Lambda timeout in seconds; at most 10 so a request always ends well inside API Gateway's 29 s. */
    functionTimeoutSeconds: int(3, 10, 10),
    /** Level of the handlers' Powertools logger. */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']).default('INFO'),
    /** Attempts per DynamoDB call, the first included (SDK standard retry mode). */
    dynamodbMaxAttempts: int(1, 10, 3),
    /** Socket timeout of one DynamoDB attempt, in milliseconds. */
    dynamodbRequestTimeoutMs: int(100, 10_000, 2000),
    /** Connection timeout of one DynamoDB attempt, in milliseconds. */
    dynamodbConnectTimeoutMs: int(100, 10_000, 1000),
  })
  .refine(
    (c) =>
      c.dynamodbMaxAttempts * (c.dynamodbRequestTimeoutMs + c.dynamodbConnectTimeoutMs) <
      c.functionTimeoutSeconds * 1000,
    {
      message:
        'dynamodbMaxAttempts × (dynamodbRequestTimeoutMs + dynamodbConnectTimeoutMs) must stay below the function timeout, so a throttled call ends as a 503 instead of a Lambda timeout',
      path: ['dynamodbMaxAttempts'],
    },
  );

export type NewsdeskConfig = z.infer<typeof NewsdeskConfigSchema>;

/** The context keys the schema knows, in declaration order. */
export const CONFIG_KEYS = Object.keys(NewsdeskConfigSchema.shape) as readonly (keyof NewsdeskConfig)[];

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Validates raw context values (missing keys take their defaults). */
export function parseNewsdeskConfig(raw: Readonly<Record<string, unknown>>): NewsdeskConfig {
  const result = NewsdeskConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigurationError(`Invalid Newsdesk CDK context: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reads every known key from the CDK context of `scope` and validates them. */
export function readNewsdeskConfig(scope: Construct): NewsdeskConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value: unknown = scope.node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  return parseNewsdeskConfig(raw);
}

/**
 * The site settings (API.md "Site settings") from the CDK context `site`: an object in
 * cdk.json, or JSON on the command line (`-c 'site={"url":"https://news.example.com"}'`).
 * `site.url` is required (no default a deployment could mean); the other settings take the
 * contract's defaults. Fails synth with a message naming each bad setting (`site.url`, ...).
 */
export function readSiteSettings(scope: Construct): SiteSettings {
  let raw: unknown = scope.node.tryGetContext('site') ?? {};
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ConfigurationError(
        'Invalid Newsdesk CDK context: site must be a JSON object of site settings',
      );
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigurationError('Invalid Newsdesk CDK context: site must be an object of site settings');
  }
  try {
    // An empty default URL: a missing site.url is reported as such.
    return parseSiteSettings(raw as Record<string, unknown>, { url: '' });
  } catch (error) {
    if (error instanceof SiteSettingsError) {
      throw new ConfigurationError(`Invalid Newsdesk CDK context: ${error.message}`);
    }
    throw error;
  }
}

/** One webhook: every event (or the listed detail-types) POSTed to `url` as the EventBridge event JSON. */
export interface Webhook {
  readonly url: string;
  readonly events: readonly DetailType[];
}

/**
 * Validates the webhooks (CDK context `webhooks`: a JSON array in cdk.json, or JSON on the
 * command line): each an object with an absolute https `url` (what EventBridge API
 * destinations accept) and optional `events`, a non-empty list of the contract's
 * detail-types (absent: all of them). Fails naming the bad entry (`webhooks[1].url ...`).
 */
export function parseWebhooks(raw: unknown): Webhook[] {
  const fail = (why: string) => new ConfigurationError(`Invalid Newsdesk CDK context: ${why}`);
  let value = raw ?? [];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw fail('webhooks must be a JSON array of {url, events?}');
    }
  }
  if (!Array.isArray(value)) throw fail('webhooks must be an array of {url, events?}');
  return value.map((entry: unknown, index): Webhook => {
    const where = `webhooks[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw fail(`${where} must be an object {url, events?}`);
    }
    const { url, events, ...rest } = entry as Record<string, unknown>;
    const unknownKey = Object.keys(rest)[0];
    if (unknownKey !== undefined) throw fail(`${where}.${unknownKey} is not a webhook setting (url, events)`);
    if (typeof url !== 'string' || !isHttpsUrl(url)) {
      throw fail(`${where}.url must be an absolute https URL, got ${JSON.stringify(url)}`);
    }
    if (events === undefined) return { url, events: [...DETAIL_TYPES] };
    if (!Array.isArray(events) || events.length === 0) {
      throw fail(`${where}.events must be a non-empty list of ${DETAIL_TYPES.join(', ')}`);
    }
    events.forEach((event: unknown, i) => {
      if (!(DETAIL_TYPES as readonly unknown[]).includes(event)) {
        throw fail(
          `${where}.events[${i}] must be one of ${DETAIL_TYPES.join(', ')}, got ${JSON.stringify(event)}`,
        );
      }
    });
    return { url, events: [...new Set(events as DetailType[])] };
  });
}

function isHttpsUrl(value: string): boolean {
  if (value !== value.trim() || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

/** The webhooks from the CDK context of `scope` (none when absent). */
export function readWebhooks(scope: Construct): Webhook[] {
  return parseWebhooks(scope.node.tryGetContext('webhooks'));
}

/** The optional custom domain of the CDN (CDK context `edge`). */
export interface EdgeSettings {
  /** A hostname (e.g. `news.example.com`) the distribution answers for; its DNS is yours to point. */
  readonly domainName?: string;
  /** ACM certificate (in us-east-1, as CloudFront requires) covering `domainName`. */
  readonly certificateArn?: string;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const ACM_US_EAST_1 = /^arn:aws:acm:us-east-1:[0-9]{12}:certificate\/[0-9a-f-]{36}$/;

/**
 * Validates the CDN settings (CDK context `edge`: an object in cdk.json or JSON on the
 * command line): none (the distribution's own `*.cloudfront.net` name), or both a
 * `domainName` (a lower-case hostname) and a `certificateArn` (an ACM certificate in
 * us-east-1, the only region CloudFront takes certificates from). Fails naming the setting.
 */
export function parseEdgeSettings(raw: unknown): EdgeSettings {
  const fail = (why: string) => new ConfigurationError(`Invalid Newsdesk CDK context: ${why}`);
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw fail('edge must be a JSON object {domainName, certificateArn}');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('edge must be an object {domainName, certificateArn}');
  }
  const { domainName, certificateArn, ...rest } = value as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined)
    throw fail(`edge.${unknownKey} is not an edge setting (domainName, certificateArn)`);
  if (domainName === undefined && certificateArn === undefined) return {};
  if (typeof domainName !== 'string' || !HOSTNAME.test(domainName)) {
    throw fail(
      `edge.domainName must be a lower-case hostname such as news.example.com, got ${JSON.stringify(domainName)}`,
    );
  }
  if (typeof certificateArn !== 'string' || !ACM_US_EAST_1.test(certificateArn)) {
    throw fail(
      `edge.certificateArn must be the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>), got ${JSON.stringify(certificateArn)}`,
    );
  }
  return { domainName, certificateArn };
}

/** The CDN settings from the CDK context of `scope` (none when absent). */
export function readEdgeSettings(scope: Construct): EdgeSettings {
  return parseEdgeSettings(scope.node.tryGetContext('edge'));
}
