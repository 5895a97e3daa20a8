/**
 * `newsdesk list`: pages through `GET /editor/articles` (every status, or one with
 * `--status`). The editor list has no tag filter in the API contract, so `--tag` is
 * applied here, on the editor list (drafts and scheduled articles included), reading
 * pages until enough articles match.
 */
import { type ApiClient, NetworkError } from './client.ts';
import { explainNetworkError, explainResponse } from './errors.ts';

export interface ListOptions {
  /** At most this many articles (ignored with `all`). */
  readonly limit: number;
  /** Follow `nextCursor` to the end. */
  readonly all: boolean;
  readonly status?: 'draft' | 'scheduled' | 'published';
  readonly tag?: string;
  readonly cursor?: string;
}

export interface ListItem {
  readonly slug: string;
  readonly title: string;
  readonly status: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
  readonly tags: readonly string[];
  readonly version: number;
  readonly [field: string]: unknown;
}

export type ListResult =
  | {
      readonly ok: true;
      readonly items: ListItem[];
      /** Where to continue (`--cursor`), or null at the end (always null with `--tag`). */
      readonly nextCursor: string | null;
      /** With `--tag`: the limit was reached, more may match. */
      readonly truncated: boolean;
    }
  | { readonly ok: false; readonly errors: string[] };

const MAX_PAGE = 100;

export async function listArticles(client: ApiClient, options: ListOptions): Promise<ListResult> {
  const items: ListItem[] = [];
  let cursor = options.cursor;
  const wanted = options.all ? Number.POSITIVE_INFINITY : options.limit;
  for (;;) {
    // Without a tag filter, ask for exactly what is still wanted, so the cursor
    // returned is exactly where to continue; with one, read full pages.
    const pageSize = options.tag === undefined ? Math.min(MAX_PAGE, wanted - items.length) : MAX_PAGE;
    const query = { status: options.status, limit: String(pageSize), cursor };
    let response: Awaited<ReturnType<ApiClient['send']>>;
    try {
      response = await client.send('GET', '/editor/articles', { query });
    } catch (error) {
      if (error instanceof NetworkError)
        return { ok: false, errors: [explainNetworkError(error.error, error.context)] };
      throw error;
    }
    if (response.status !== 200) {
      return {
        ok: false,
        errors: explainResponse(
          response.status,
          response.json,
          client.context('GET /editor/articles'),
          response.headers,
        ),
      };
    }
    const page = response.json as { items?: unknown; nextCursor?: unknown } | undefined;
    const pageItems = Array.isArray(page?.items) ? (page.items as ListItem[]) : [];
    const next = typeof page?.nextCursor === 'string' ? page.nextCursor : null;
    for (const item of pageItems) {
      if (options.tag !== undefined && !(Array.isArray(item.tags) && item.tags.includes(options.tag)))
        continue;
      if (items.length >= wanted) {
        return { ok: true, items, nextCursor: null, truncated: true };
      }
      items.push(item);
    }
    if (next === null) return { ok: true, items, nextCursor: null, truncated: false };
    if (items.length >= wanted) {
      return options.tag === undefined
        ? { ok: true, items, nextCursor: next, truncated: false }
        : { ok: true, items, nextCursor: null, truncated: true };
    }
    cursor = next;
  }
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** A plain-text table: status, published at, slug, title, tags. */
export function renderTable(items: readonly ListItem[]): string {
  if (items.length === 0) return 'No articles.';
  const rows = items.map((item) => [
    String(item.status ?? ''),
    item.publishedAt ?? '-',
    String(item.slug ?? ''),
    truncate(String(item.title ?? ''), 60),
    Array.isArray(item.tags) ? item.tags.join(',') : '',
  ]);
  const header = ['STATUS', 'PUBLISHED AT', 'SLUG', 'TITLE', 'TAGS'];
  const widths = header.map((title, column) =>
    Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const count = `${items.length} article${items.length === 1 ? '' : 's'}`;
  return [line(header), ...rows.map(line), count].join('\n');
}
