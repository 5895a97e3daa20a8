import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from './errors.ts';

/**
 * Opaque, tamper-evident list cursors: base64url(JSON {query, key}) + "." + HMAC-SHA256.
 * The cursor is bound to the query that produced it (route, tag, status), so it cannot be
 * replayed against another query, and it only ever carries a key the store returned.
 */

export type CursorKey = Record<string, string>;

const MAX_CURSOR_LENGTH = 2048;

const mac = (secret: string, payload: string): Buffer =>
  createHmac('sha256', secret).update(payload).digest();

export function encodeCursor(secret: string, query: string, key: CursorKey): string {
  const payload = Buffer.from(JSON.stringify({ q: query, k: key }), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

const invalid = () => new BadRequestError('The cursor is not one this API returned for this query.');

export function decodeCursor(secret: string, query: string, cursor: string): CursorKey {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) throw invalid();
  const [payload, signature, ...rest] = cursor.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) throw invalid();
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { q, k } = parsed as { q?: unknown; k?: unknown };
  if (q !== query) {
    throw new BadRequestError(
      'The cursor belongs to another query (a different tag or status); start again without it.',
    );
  }
  if (typeof k !== 'object' || k === null || Array.isArray(k)) throw invalid();
  const entries = Object.entries(k);
  if (entries.length === 0 || entries.some(([, value]) => typeof value !== 'string')) throw invalid();
  return Object.fromEntries(entries) as CursorKey;
}
