import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { BadRequestError } from './errors.ts';

/**
 * Opaque, tamper-evident list cursors. A cursor is the store's last key plus the query it
 * belongs to (route, tag, status), sealed with AES-256-GCM under a key derived from the
 * configured secret: clients can neither read the storage keys inside nor alter them, and a
 * cursor replayed against another query, or minted by another deployment, is refused.
 */

export type CursorKey = Record<string, string>;

const MAX_CURSOR_LENGTH = 2048;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keys = new Map<string, KeyObject>();
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    key = createSecretKey(createHash('sha256').update(`newsdesk-cursor\n${secret}`).digest());
    keys.set(secret, key);
  }
  return key;
}

export function encodeCursor(secret: string, query: string, key: CursorKey): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify({ q: query, k: key }), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

const invalid = () => new BadRequestError('The cursor is not one this API returned for this query.');

export function decodeCursor(secret: string, query: string, cursor: string): CursorKey {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw invalid();
  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    parsed = JSON.parse(plain.toString('utf8'));
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
