import * as z from 'zod';

/**
 * Site settings: the front end's name, URLs and language, which feeds, sitemaps, events and
 * preview links speak of (API.md "Site settings").
 *
 * - `parseSiteSettings` validates raw settings (CDK context `site.*` at synth, `NEWSDESK_*`
 *   at `npm start`) with a zod schema and fills the defaults. It fails with a message naming
 *   each bad setting the way its source spells it.
 * - The validated settings reach a Lambda as ONE environment variable, `SITE_SETTINGS`
 *   (JSON of all five fields, defaults already filled in; see `siteSettingsEnv` and
 *   `siteSettingsFromEnv`), so handlers never repeat the defaulting rules.
 *
 * The zod schema is built on first use, not at module scope, and `siteSettingsFromEnv` runs
 * the same field checks without zod: a read handler that only decodes `SITE_SETTINGS`
 * bundles and loads no validation library (see config.ts for why that matters).
 */

export interface SiteSettings {
  /** Site name: feed title, `<news:name>`. */
  readonly name: string;
  /** The front end's home page: feed link. */
  readonly url: string;
  /** Article URL template containing `{slug}`. */
  readonly articleUrl: string;
  /** Language, a BCP 47 tag in canonical case (`en`, `pt-BR`). */
  readonly language: string;
  /** Preview URL template containing `{token}`. */
  readonly previewUrl: string;
}

export type SiteSettingKey = keyof SiteSettings;

/** Raw settings as they come from CDK context or the environment; absent or `''` → default. */
export type SiteSettingsInput = { readonly [K in SiteSettingKey]?: unknown };

export class SiteSettingsError extends Error {
  override name = 'SiteSettingsError';
}

/** How each setting is spelled in the local server's environment. */
export const LOCAL_SITE_ENV_NAMES: Readonly<Record<SiteSettingKey, string>> = {
  name: 'NEWSDESK_SITE_NAME',
  url: 'NEWSDESK_SITE_URL',
  articleUrl: 'NEWSDESK_ARTICLE_URL',
  language: 'NEWSDESK_SITE_LANGUAGE',
  previewUrl: 'NEWSDESK_PREVIEW_URL',
};

/** The Lambda environment variable that carries the validated settings as JSON. */
export const SITE_SETTINGS_ENV = 'SITE_SETTINGS';

export const DEFAULT_SITE_NAME = 'Newsdesk';
export const DEFAULT_SITE_LANGUAGE = 'en';
const NAME_MAX = 200;
const KEYS: readonly SiteSettingKey[] = ['name', 'url', 'articleUrl', 'language', 'previewUrl'];

// --- Field checks: each returns a problem ("must …") or undefined. Shared by zod and the env decoder.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function nameProblem(value: string): string | undefined {
  if (value.trim() === '') return 'must not be blank';
  if ([...value].length > NAME_MAX) return `must be at most ${NAME_MAX} characters`;
  if (CONTROL.test(value)) return 'must not contain control characters or line breaks';
  if (!value.isWellFormed()) return 'must be well-formed Unicode';
  return undefined;
}

function isHttpUrl(value: string): boolean {
  // No surrounding white space: the WHATWG parser would silently trim it.
  if (value !== value.trim() || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function urlProblem(value: string): string | undefined {
  return isHttpUrl(value) ? undefined : `must be an absolute http(s) URL, got ${JSON.stringify(value)}`;
}

function templateProblem(value: string, placeholder: string): string | undefined {
  if (!value.includes(placeholder)) return `must contain ${placeholder}, got ${JSON.stringify(value)}`;
  // Checked with a sample filled in: `{`/`}` are not URL characters everywhere.
  return isHttpUrl(value.replaceAll(placeholder, 'x'))
    ? undefined
    : `must be an absolute http(s) URL template, got ${JSON.stringify(value)}`;
}

/** Well-formed BCP 47 (as `Intl` parses it), in canonical case; undefined when not. */
function canonicalLanguage(value: string): string | undefined {
  // A 2–3 letter ISO 639 primary language (no language is registered with 5–8 letters, and
  // `Intl` would take `english`), then subtags whose order and shape `Intl` checks.
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)) return undefined;
  try {
    return Intl.getCanonicalLocales(value)[0];
  } catch {
    return undefined;
  }
}

function languageProblem(value: string): string | undefined {
  return canonicalLanguage(value) === undefined
    ? `must be a BCP 47 language tag such as "en" or "pt-BR", got ${JSON.stringify(value)}`
    : undefined;
}

const PROBLEMS: Readonly<Record<SiteSettingKey, (value: string) => string | undefined>> = {
  name: nameProblem,
  url: urlProblem,
  articleUrl: (value) => templateProblem(value, '{slug}'),
  language: languageProblem,
  previewUrl: (value) => templateProblem(value, '{token}'),
};

// --- zod schema (built once, on first use)

const checked = (key: SiteSettingKey) =>
  z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
    const problem = PROBLEMS[key](value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

let schema: ReturnType<typeof buildSchema> | undefined;
function buildSchema() {
  return z.object({
    name: checked('name'),
    url: checked('url'),
    articleUrl: checked('articleUrl'),
    language: checked('language').transform((value) => canonicalLanguage(value) ?? value),
    previewUrl: checked('previewUrl'),
  });
}

/** `url` without trailing slashes, to append a path or fragment to. */
const stripSlashes = (url: string) => url.replace(/\/+$/, '');

/**
 * Validates raw settings and fills the contract's defaults. `defaults.url` is the site URL
 * when none is given (locally the reader page; CDK chooses its own or passes an invalid
 * placeholder such as `''` to make `site.url` required).
 * `settingName` spells a setting in error messages (default: CDK context, `site.url`).
 * Throws `SiteSettingsError` naming every bad setting, unknown ones (typos) included.
 */
export function parseSiteSettings(
  input: SiteSettingsInput,
  defaults: { readonly url: string },
  settingName: (key: string) => string = (key) => `site.${key}`,
): SiteSettings {
  const unknown = Object.keys(input)
    .filter((key) => !(KEYS as readonly string[]).includes(key))
    .map((key) => `${settingName(key)} is not a site setting (known: ${KEYS.join(', ')})`);
  const given = (key: SiteSettingKey) =>
    input[key] === undefined || input[key] === '' ? undefined : input[key];
  const url = given('url') ?? defaults.url;
  // Template defaults are derived only from a usable URL; a bad URL is reported once, as itself.
  const base = typeof url === 'string' && isHttpUrl(url) ? stripSlashes(url) : 'http://invalid.invalid';
  const raw = {
    name: given('name') ?? DEFAULT_SITE_NAME,
    url,
    articleUrl: given('articleUrl') ?? `${base}/#/articles/{slug}`,
    language: given('language') ?? DEFAULT_SITE_LANGUAGE,
    previewUrl: given('previewUrl') ?? `${base}/#/preview/{token}`,
  };
  schema ??= buildSchema();
  const result = schema.safeParse(raw);
  if (result.success && unknown.length === 0) return result.data;
  const problems = [
    ...(result.error?.issues ?? []).map((issue) => `${settingName(String(issue.path[0]))} ${issue.message}`),
    ...unknown,
  ];
  throw new SiteSettingsError(`Invalid site settings: ${problems.join('; ')}`);
}

/**
 * The local server's settings: `NEWSDESK_SITE_NAME`, `NEWSDESK_SITE_URL` (default `defaultUrl`,
 * the reader page), `NEWSDESK_ARTICLE_URL`, `NEWSDESK_SITE_LANGUAGE`, `NEWSDESK_PREVIEW_URL`;
 * errors name those variables.
 */
export function siteSettingsFromLocalEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaultUrl: string,
): SiteSettings {
  const names: Readonly<Record<string, string>> = LOCAL_SITE_ENV_NAMES;
  const input = Object.fromEntries(KEYS.map((key) => [key, env[LOCAL_SITE_ENV_NAMES[key]]]));
  return parseSiteSettings(input, { url: defaultUrl }, (key) => names[key] ?? key);
}

/** The environment entry that hands validated settings to a Lambda: `{ SITE_SETTINGS: '{…}' }`. */
export function siteSettingsEnv(settings: SiteSettings): Record<typeof SITE_SETTINGS_ENV, string> {
  const { name, url, articleUrl, language, previewUrl } = settings;
  return { [SITE_SETTINGS_ENV]: JSON.stringify({ name, url, articleUrl, language, previewUrl }) };
}

/**
 * Decodes `SITE_SETTINGS` (written by `siteSettingsEnv`) without zod; re-runs the field checks
 * so a hand-edited variable still fails the cold start loudly. Throws `SiteSettingsError`.
 */
export function siteSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): SiteSettings {
  const text = env[SITE_SETTINGS_ENV];
  const fail = (why: string) => new SiteSettingsError(`Invalid ${SITE_SETTINGS_ENV}: ${why}`);
  if (text === undefined) throw fail('is required (JSON of the site settings)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('is not a JSON object');
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of KEYS) {
    const field = record[key];
    const problem = typeof field === 'string' ? PROBLEMS[key](field) : 'must be a string';
    if (problem !== undefined) problems.push(`${key} ${problem}`);
  }
  if (problems.length > 0) throw fail(problems.join('; '));
  const { name, url, articleUrl, language, previewUrl } = record as unknown as SiteSettings;
  return { name, url, articleUrl, language, previewUrl };
}

/** Fills a template's placeholder with a URL-encoded value; the result is a normalized absolute URL. */
function fill(template: string, placeholder: string, value: string): string {
  return new URL(template.replaceAll(placeholder, encodeURIComponent(value))).href;
}

/** The front end's URL of an article (`{slug}` filled in), normalized as the WHATWG URL parser does. */
export function articleUrl(settings: Pick<SiteSettings, 'articleUrl'>, slug: string): string {
  return fill(settings.articleUrl, '{slug}', slug);
}

/** The front end's preview URL for a token (`{token}` filled in), normalized. */
export function previewUrl(settings: Pick<SiteSettings, 'previewUrl'>, token: string): string {
  return fill(settings.previewUrl, '{token}', token);
}
