import { createHmac, timingSafeEqual } from 'node:crypto';
import { type PublicArticle, publicArticle } from './article-model.ts';
import { notFound } from './article-reader.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import type { ArticleStore } from './store/port.ts';

/**
 * Preview links (API.md "Preview links"). A token names one version of one article and an
 * expiry, signed with a key only the two preview functions can read:
 *
 *   base64url(JSON {"s": slug, "v": version, "e": expiry in epoch seconds})
 *   "." base64url(HMAC-SHA256(key, "newsdesk-preview." + first part))
 *
 * It is URL-safe, holds no secret (anyone may decode the first part), and any change to
 * it (slug, version, expiry or signature) makes the signature check fail. The signature is
 * compared as text, so that a character whose unused low bits differ is refused too.
 */

export const PREVIEW_TTL = { min: 60, max: 604_800, default: 86_400 } as const;

export interface PreviewClaims {
  readonly slug: string;
  readonly version: number;
  /** Epoch seconds after which the link no longer shows anything. */
  readonly expiresAt: number;
}

const SIGNATURE_CONTEXT = 'newsdesk-preview.';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,800}\.[A-Za-z0-9_-]{43}$/;

const sign = (key: string, payload: string) =>
  createHmac('sha256', key).update(`${SIGNATURE_CONTEXT}${payload}`).digest('base64url');

export function signPreviewToken(key: string, claims: PreviewClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ s: claims.slug, v: claims.version, e: claims.expiresAt }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${sign(key, payload)}`;
}

/** The claims of a token signed with `key` and not expired at `now`, or undefined. */
export function verifyPreviewToken(key: string, token: string, now: Date): PreviewClaims | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const [payload = '', signature = ''] = token.split('.');
  const expected = Buffer.from(sign(key, payload), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { s, v, e } = claims as Record<string, unknown>;
  if (typeof s !== 'string' || !Number.isSafeInteger(v) || !Number.isSafeInteger(e)) return undefined;
  if ((e as number) * 1000 <= now.getTime()) return undefined;
  return { slug: s, version: v as number, expiresAt: e as number };
}

/** Parses the optional body of POST …/preview: `{ expiresInSeconds }` (60–604 800), default one day. */
export function parsePreviewRequest(body: unknown): number {
  if (body === undefined) return PREVIEW_TTL.default;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The request body must be a JSON object.', [
      { path: '', message: 'must be a JSON object' },
    ]);
  }
  const unknown = Object.keys(body).filter((key) => key !== 'expiresInSeconds');
  if (unknown.length > 0) {
    throw new ValidationError(
      'The request body holds fields this route does not take.',
      unknown.map((path) => ({ path, message: 'is not a field of this request' })),
    );
  }
  const value = (body as { expiresInSeconds?: unknown }).expiresInSeconds;
  if (value === undefined || value === null) return PREVIEW_TTL.default;
  if (
    !Number.isSafeInteger(value) ||
    (value as number) < PREVIEW_TTL.min ||
    (value as number) > PREVIEW_TTL.max
  ) {
    throw new ValidationError('expiresInSeconds must be a whole number from 60 to 604800.', [
      { path: 'expiresInSeconds', message: 'must be a whole number from 60 to 604800' },
    ]);
  }
  return value as number;
}

export interface PreviewServiceOptions {
  readonly store: ArticleStore;
  /** The signing key (fetched once per process, see preview-deps.ts). */
  readonly key: () => Promise<string>;
  readonly clock?: () => Date;
}

export interface PreviewLink {
  readonly token: string;
  /** The expiry as an ISO 8601 instant. */
  readonly expiresAt: string;
}

const invalidLink = () => new NotFoundError('This preview link is invalid or has expired.');

/** Making and reading preview links. */
export class PreviewService {
  private readonly store: ArticleStore;
  private readonly key: () => Promise<string>;
  private readonly clock: () => Date;

  constructor(options: PreviewServiceOptions) {
    this.store = options.store;
    this.key = options.key;
    this.clock = options.clock ?? (() => new Date());
  }

  /** A link to the current version of a live article, valid for `ttlSeconds`. */
  async create(slug: string, ttlSeconds: number): Promise<PreviewLink> {
    // The head alone names the current version (read consistently: the one just written).
    const [key, version] = await Promise.all([this.key(), this.store.liveVersion(slug)]);
    if (version === undefined) throw notFound();
    const expiresAt = Math.floor(this.clock().getTime() / 1000) + ttlSeconds;
    return {
      token: signPreviewToken(key, { slug, version, expiresAt }),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  /** The version a valid, unexpired link names, in the public representation, while the article is live. */
  async read(token: string): Promise<PublicArticle> {
    const claims = verifyPreviewToken(await this.key(), token, this.clock());
    if (claims === undefined) throw invalidLink();
    const [current, version] = await Promise.all([
      this.store.liveVersion(claims.slug),
      this.store.getVersion(claims.slug, claims.version),
    ]);
    // Taken down since the link was made (or a version that does not exist): nothing to show.
    if (current === undefined || version === undefined) throw invalidLink();
    return publicArticle(version);
  }
}
