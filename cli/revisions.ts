/**
 * `newsdesk history`, `newsdesk restore` and `newsdesk preview` (API.md "Revisions" and
 * "Preview links"): the requests and their output; cli/main.ts parses the command line and
 * hands in the client, the output streams and the confirmation prompt.
 */
import type { ApiClient, ApiResponse } from './client.ts';
import { UsageError } from './errors.ts';

/** What a command needs from main.ts. */
export interface CommandContext {
  readonly client: ApiClient;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Asks a yes/no question on the terminal. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Reports a failed request (problem+json details) and returns the exit code. */
  readonly fail: (request: string, slug: string, response: ApiResponse) => number;
}

export interface RevisionItem {
  readonly version: number;
  readonly status: string;
  readonly title: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** A version number as typed: a positive whole number. */
export function parseVersionArgument(value: string | undefined): number {
  if (value === undefined) throw new UsageError('restore: which version? newsdesk restore <slug> <version>');
  if (!/^[1-9][0-9]{0,9}$/.test(value)) {
    throw new UsageError(`restore: the version must be a positive whole number (got "${value}")`);
  }
  return Number(value);
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
export const PREVIEW_MIN_SECONDS = 60;
export const PREVIEW_MAX_SECONDS = 604_800;

/** `--expires`: seconds, or a number with s, m, h or d (`90m`, `2h`, `7d`), from 1 minute to 7 days. */
export function parseExpires(value: string): number {
  const match = /^([0-9]{1,7})([smhd]?)$/.exec(value.trim());
  const seconds = match === null ? Number.NaN : Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  if (!(seconds >= PREVIEW_MIN_SECONDS && seconds <= PREVIEW_MAX_SECONDS)) {
    throw new UsageError(
      `preview: --expires must be from 1 minute to 7 days, as seconds or with s, m, h or d, e.g. 2h (got "${value}")`,
    );
  }
  return seconds;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** A plain-text table of versions, newest first: version, status, updated at, by, title. */
export function renderHistory(items: readonly RevisionItem[]): string {
  if (items.length === 0) return 'No versions.';
  const rows = items.map((item) => [
    String(item.version),
    item.status,
    item.updatedAt,
    // The user part of an IAM ARN is what an editor recognises.
    item.updatedBy.replace(/^arn:[^:]*:(iam|sts)::[0-9]*:/, ''),
    truncate(item.title, 60),
  ]);
  const header = ['VERSION', 'STATUS', 'UPDATED AT', 'BY', 'TITLE'];
  const widths = header.map((title, column) =>
    Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), `${items.length} version${items.length === 1 ? '' : 's'}`].join(
    '\n',
  );
}

/** `newsdesk history <slug>`: every version, newest first (all pages), as a table or JSON. */
export async function history(context: CommandContext, slug: string, json: boolean): Promise<number> {
  const path = `/editor/articles/${slug}/revisions`;
  const items: RevisionItem[] = [];
  let cursor: string | undefined;
  do {
    const response = await context.client.send('GET', path, { slug, query: { limit: '100', cursor } });
    if (response.status !== 200) return context.fail(`GET ${path}`, slug, response);
    const page = response.json as { items?: RevisionItem[]; nextCursor?: string | null } | undefined;
    items.push(...(page?.items ?? []));
    cursor = page?.nextCursor ?? undefined;
  } while (cursor !== undefined);
  context.out(json ? JSON.stringify({ items }, null, 2) : renderHistory(items));
  return 0;
}

/**
 * `newsdesk restore <slug> <version>`: reads the current version (its ETag, for If-Match),
 * asks unless `yes`, then restores: a new version with that version's fields.
 */
export async function restore(
  context: CommandContext,
  slug: string,
  version: number,
  yes: boolean,
): Promise<number> {
  const articlePath = `/editor/articles/${slug}`;
  const current = await context.client.send('GET', articlePath, { slug });
  if (current.status !== 200) return context.fail(`GET ${articlePath}`, slug, current);
  const article = current.json as { title?: unknown; version?: unknown } | undefined;
  if (!yes) {
    const ok = await context.confirm(
      `Restore version ${version} of "${String(article?.title ?? slug)}" (${slug}, now at version ${String(article?.version ?? '?')})? It becomes a new version; history is kept. [y/N] `,
    );
    if (!ok) {
      context.err('Not restored.');
      return 1;
    }
  }
  const path = `${articlePath}/revisions/${version}/restore`;
  const etag = current.headers.etag;
  const response = await context.client.send('POST', path, {
    slug,
    ...(etag === undefined ? {} : { ifMatch: etag }),
  });
  if (response.status !== 200) return context.fail(`POST ${path}`, slug, response);
  const restored = response.json as { version?: unknown; status?: unknown } | undefined;
  context.out(
    `restored    ${slug}  version ${version} -> version ${String(restored?.version ?? '?')} (${String(restored?.status ?? '')})`,
  );
  return 0;
}

/** `newsdesk preview <slug> [--expires 2h]`: makes a preview link and prints it (the page to share first). */
export async function preview(
  context: CommandContext,
  slug: string,
  expiresInSeconds: number | undefined,
): Promise<number> {
  const path = `/editor/articles/${slug}/preview`;
  const response = await context.client.send('POST', path, {
    slug,
    ...(expiresInSeconds === undefined ? {} : { body: { expiresInSeconds } }),
  });
  if (response.status !== 201) return context.fail(`POST ${path}`, slug, response);
  const link = response.json as { url?: unknown; apiUrl?: unknown; expiresAt?: unknown } | undefined;
  context.out(String(link?.url ?? ''));
  context.err(`API: ${String(link?.apiUrl ?? '')}\nexpires ${String(link?.expiresAt ?? '')}`);
  return 0;
}
