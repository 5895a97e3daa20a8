/**
 * What the local server keeps in its data directory ($NEWSDESK_DATA_DIR, default
 * `.newsdesk/` in the working copy):
 *
 *   dynamodb/                  DynamoDB Local's database files (-dbPath, -sharedDb)
 *   editor-credentials.json    the generated editor key pair (mode 0600)
 *   cursor-secret              the list-cursor key (mode 0600), kept so cursors survive restarts
 *   seeded.json                marker: the sample article has been published once
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EditorCredential } from './sigv4.ts';

/** The working copy's root (this file lives in `local/`). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const EDITOR_USER_NAME = 'newsdesk-editor';
export const SEED_USER_NAME = 'newsdesk-seed';

export function resolveDataDir(explicit?: string): string {
  const chosen = explicit ?? process.env.NEWSDESK_DATA_DIR;
  return chosen !== undefined && chosen !== '' ? resolve(chosen) : join(REPO_ROOT, '.newsdesk');
}

export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

export const dynamodbDir = (dataDir: string) => join(dataDir, 'dynamodb');
export const credentialsFile = (dataDir: string) => join(dataDir, 'editor-credentials.json');
export const cursorSecretFile = (dataDir: string) => join(dataDir, 'cursor-secret');
export const previewKeyFile = (dataDir: string) => join(dataDir, 'preview-key');
export const seedMarkerFile = (dataDir: string) => join(dataDir, 'seeded.json');

/** Writes a private file (0600) atomically enough for a single local server. */
function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export interface ResolvedCredential extends EditorCredential {
  /** Where the secret comes from. */
  readonly source: 'environment' | 'generated' | 'file' | 'options';
  /** The file holding it (generated or file). */
  readonly file: string | undefined;
}

/** An access key id shaped like AWS's (AKIA + 16 upper-case letters/digits). */
function generateAccessKeyId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(16);
  return `AKIA${[...bytes].map((byte) => alphabet[byte % 32]).join('')}`;
}

function generateSecret(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

function isCredentialRecord(value: unknown): value is { accessKeyId: string; secretAccessKey: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accessKeyId' in value &&
    'secretAccessKey' in value &&
    typeof value.accessKeyId === 'string' &&
    typeof value.secretAccessKey === 'string' &&
    value.accessKeyId.length > 0 &&
    value.secretAccessKey.length > 0
  );
}

/**
 * The editor credential: from NEWSDESK_EDITOR_ACCESS_KEY_ID / NEWSDESK_EDITOR_SECRET_ACCESS_KEY
 * when set, otherwise the pair kept in the data dir, generated (mode 0600) on first start.
 */
export function resolveEditorCredential(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): ResolvedCredential {
  const id = env.NEWSDESK_EDITOR_ACCESS_KEY_ID;
  const secret = env.NEWSDESK_EDITOR_SECRET_ACCESS_KEY;
  if ((id ?? '') !== '' || (secret ?? '') !== '') {
    if (id === undefined || id === '' || secret === undefined || secret === '') {
      throw new Error(
        'Set both NEWSDESK_EDITOR_ACCESS_KEY_ID and NEWSDESK_EDITOR_SECRET_ACCESS_KEY, or neither (a pair is then generated).',
      );
    }
    return {
      accessKeyId: id,
      secretAccessKey: secret,
      userName: EDITOR_USER_NAME,
      source: 'environment',
      file: undefined,
    };
  }
  const file = credentialsFile(dataDir);
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isCredentialRecord(parsed))
      throw new Error(`${file} does not hold an accessKeyId and a secretAccessKey`);
    chmodSync(file, 0o600);
    return {
      accessKeyId: parsed.accessKeyId,
      secretAccessKey: parsed.secretAccessKey,
      userName: EDITOR_USER_NAME,
      source: 'file',
      file,
    };
  }
  const generated = { accessKeyId: generateAccessKeyId(), secretAccessKey: generateSecret() };
  writePrivate(file, `${JSON.stringify({ ...generated, userName: EDITOR_USER_NAME }, null, 2)}\n`);
  return { ...generated, userName: EDITOR_USER_NAME, source: 'generated', file };
}

/** The list-cursor key, generated once and kept in the data dir. */
export function resolveCursorSecret(dataDir: string): string {
  const file = cursorSecretFile(dataDir);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(48).toString('base64url');
  writePrivate(file, `${secret}\n`);
  return secret;
}

/** The preview-link signing key, generated once and kept in the data dir (mode 0600). */
export function resolvePreviewKey(dataDir: string): string {
  const file = previewKeyFile(dataDir);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
  }
  const key = randomBytes(48).toString('base64url');
  writePrivate(file, `${key}\n`);
  return key;
}
