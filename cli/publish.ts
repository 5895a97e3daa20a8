/**
 * `newsdesk publish`: validate article files, then create, replace or skip each one.
 *
 * Per file: read it, validate it with the API's schema (locally, nothing sent when it
 * fails), GET the current editor representation; 404 → POST; 200 → compare the
 * file's fields with it and skip when nothing differs, else PUT with `If-Match` set to
 * the ETag just read. Files are handled by a bounded pool of workers; one file failing
 * never stops the others.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CreateArticleInput } from '../functions/core/article.ts';
import { type ApiClient, type ApiResponse, NetworkError } from './client.ts';
import { explainNetworkError, explainResponse, readProblem } from './errors.ts';
import {
  type ArticleFileError,
  formatFileError,
  parseArticleMarkdown,
  validateArticle,
} from './front-matter.ts';

export type OutcomeKind = 'created' | 'updated' | 'unchanged' | 'failed';

export interface Outcome {
  readonly kind: OutcomeKind;
  readonly file: string;
  readonly slug?: string;
  /** For `updated`: the fields that differ. */
  readonly changed?: readonly string[];
  /** For `failed`: what went wrong, one line each. */
  readonly errors?: readonly string[];
  /** `created`/`updated` only happened in a dry run. */
  readonly dryRun?: boolean;
}

export interface PublishSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface PublishReporter {
  start(total: number): void;
  result(outcome: Outcome): void;
  finish(summary: PublishSummary, dryRun: boolean): void;
}

export interface PublishOptions {
  readonly files: readonly string[];
  readonly client: ApiClient;
  readonly reporter: PublishReporter;
  readonly dryRun?: boolean;
  readonly status?: 'draft' | 'published';
  readonly concurrency?: number;
}

interface Prepared {
  readonly file: string;
  readonly slug: string;
  readonly article: CreateArticleInput;
  readonly hasPublishedAt: boolean;
  readonly lineOf: (path: string) => number | undefined;
}

/** The fields of the file that differ from the current editor representation. */
export function changedFields(
  desired: CreateArticleInput,
  current: Readonly<Record<string, unknown>>,
): string[] {
  const changed: string[] = [];
  for (const field of ['title', 'summary', 'body', 'author'] as const) {
    if ((current[field] ?? null) !== desired[field]) changed.push(field);
  }
  const tags = Array.isArray(current.tags) ? current.tags : [];
  if (tags.length !== desired.tags.length || tags.some((tag, index) => tag !== desired.tags[index])) {
    changed.push('tags');
  }
  // The editor status says `scheduled` or `published` for a stored `published`.
  const currentStatus = current.status === 'draft' ? 'draft' : 'published';
  if (currentStatus !== desired.status) changed.push('status');
  // No publishedAt in the file: the API keeps the current one, so nothing to change.
  if (desired.publishedAt !== null) {
    const currentInstant =
      typeof current.publishedAt === 'string' ? Date.parse(current.publishedAt) : Number.NaN;
    if (currentInstant !== Date.parse(desired.publishedAt)) changed.push('publishedAt');
  }
  return changed;
}

/** The PUT body: every editable field (a replacement), `publishedAt` only when the file sets it. */
export function updateBody(article: CreateArticleInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: article.title,
    summary: article.summary,
    body: article.body,
    author: article.author,
    tags: article.tags,
    status: article.status,
  };
  if (article.publishedAt !== null) body.publishedAt = article.publishedAt;
  return body;
}

export function createBody(slug: string, article: CreateArticleInput): Record<string, unknown> {
  return { slug, ...updateBody(article) };
}

async function prepare(
  files: readonly string[],
  status: 'draft' | 'published' | undefined,
): Promise<(Prepared | Outcome)[]> {
  const results = await Promise.all(
    files.map(async (file): Promise<Prepared | Outcome> => {
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        return { kind: 'failed', file, errors: [`${file}: cannot read the file (${code})`] };
      }
      const parsed = parseArticleMarkdown(source, file);
      const checked = validateArticle(parsed, status === undefined ? {} : { status });
      if (!checked.ok) {
        return { kind: 'failed', file, errors: checked.errors.map((error) => formatFileError(error, file)) };
      }
      return {
        file,
        slug: checked.slug,
        article: checked.article,
        hasPublishedAt: checked.hasPublishedAt,
        lineOf: parsed.lineOf,
      };
    }),
  );
  // Two files with one slug would overwrite each other: fail both.
  const bySlug = new Map<string, string[]>();
  for (const result of results) {
    if ('slug' in result && !('kind' in result))
      bySlug.set(result.slug, [...(bySlug.get(result.slug) ?? []), result.file]);
  }
  return results.map((result) => {
    if ('kind' in result) return result;
    const sharing = (bySlug.get(result.slug) ?? []).filter((file) => file !== result.file);
    if (sharing.length === 0) return result;
    return {
      kind: 'failed',
      file: result.file,
      slug: result.slug,
      errors: [
        formatFileError(
          {
            path: 'slug',
            message: `"${result.slug}" is also the slug of ${sharing.join(', ')}; give each file its own slug`,
            ...lineOfSlug(result),
          },
          result.file,
        ),
      ],
    };
  });
}

function lineOfSlug(prepared: Prepared): { line?: number } {
  const line = prepared.lineOf('slug') ?? prepared.lineOf('title');
  return line === undefined ? {} : { line };
}

/** Explains a failed response, mapping the API's field errors to lines of the file. */
function failure(prepared: Prepared, response: ApiResponse, request: string, client: ApiClient): Outcome {
  const context = client.context(request, prepared.slug);
  const lines = explainResponse(response.status, response.json, context, response.headers);
  const problem = readProblem(response.json);
  if (problem.errors.length > 0) {
    // Keep the summary and detail, then the field errors with their line in the file.
    const head = lines.slice(0, lines.length - problem.errors.length);
    const fields = problem.errors.map((error): string => {
      const located: ArticleFileError = { path: error.path, message: error.message };
      const line = prepared.lineOf(error.path);
      return `  ${formatFileError(line === undefined ? located : { ...located, line }, prepared.file)}`;
    });
    return { kind: 'failed', file: prepared.file, slug: prepared.slug, errors: [...head, ...fields] };
  }
  return { kind: 'failed', file: prepared.file, slug: prepared.slug, errors: lines };
}

/** Network errors that mean every other file would fail the same way. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface RunState {
  /** Set once the endpoint proved unreachable: later files are not attempted. */
  unreachable?: string;
}

async function publishOne(prepared: Prepared, options: PublishOptions, state: RunState): Promise<Outcome> {
  const { client } = options;
  const { file, slug, article } = prepared;
  if (state.unreachable !== undefined) {
    return {
      kind: 'failed',
      file,
      slug,
      errors: [`not attempted: ${state.unreachable} could not be reached (see the first failure)`],
    };
  }
  const path = `/editor/articles/${encodeURIComponent(slug)}`;
  try {
    const current = await client.send('GET', path, { slug });
    if (current.status === 404) {
      if (options.dryRun) return { kind: 'created', file, slug, dryRun: true };
      // One Idempotency-Key for this create and its retries: a retry after a lost
      // response gets the first outcome instead of a 409.
      const created = await client.send('POST', '/editor/articles', {
        body: createBody(slug, article),
        idempotencyKey: randomUUID(),
        slug,
      });
      if (created.status === 201) return { kind: 'created', file, slug };
      if (created.status === 409 && created.maybeAppliedBefore) {
        // An earlier attempt may have created it before its response was lost (an API
        // without Idempotency-Key support answers the retry 409).
        const check = await client.send('GET', path, { slug });
        if (check.status === 200 && changedFields(article, asRecord(check.json)).length === 0) {
          return { kind: 'created', file, slug };
        }
      }
      return failure(prepared, created, `POST /editor/articles (${slug})`, client);
    }
    if (current.status !== 200) return failure(prepared, current, `GET ${path}`, client);

    const changed = changedFields(article, asRecord(current.json));
    if (changed.length === 0) return { kind: 'unchanged', file, slug };
    if (options.dryRun) return { kind: 'updated', file, slug, changed, dryRun: true };
    const etag = current.headers.etag;
    if (etag === undefined) {
      return {
        kind: 'failed',
        file,
        slug,
        errors: [`GET ${path}: the response carried no ETag, so the article cannot be replaced safely`],
      };
    }
    const updated = await client.send('PUT', path, { body: updateBody(article), ifMatch: etag, slug });
    if (updated.status === 200) return { kind: 'updated', file, slug, changed };
    if (updated.status === 412 && updated.maybeAppliedBefore) {
      const check = await client.send('GET', path, { slug });
      if (check.status === 200 && changedFields(article, asRecord(check.json)).length === 0) {
        return { kind: 'updated', file, slug, changed };
      }
    }
    return failure(prepared, updated, `PUT ${path}`, client);
  } catch (error) {
    if (error instanceof NetworkError) {
      const code = (error.error as NodeJS.ErrnoException | undefined)?.code;
      if (code !== undefined && UNREACHABLE.has(code)) state.unreachable ??= error.context.endpoint;
      return { kind: 'failed', file, slug, errors: [explainNetworkError(error.error, error.context)] };
    }
    return { kind: 'failed', file, slug, errors: [error instanceof Error ? error.message : String(error)] };
  }
}

function asRecord(json: unknown): Record<string, unknown> {
  return json !== null && typeof json === 'object' && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : {};
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export async function publishFiles(options: PublishOptions): Promise<PublishSummary> {
  const summary: PublishSummary = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  const record = (outcome: Outcome) => {
    summary[outcome.kind]++;
    options.reporter.result(outcome);
  };
  options.reporter.start(options.files.length);
  const prepared = await prepare(options.files, options.status);
  const ready: Prepared[] = [];
  for (const item of prepared) {
    if ('kind' in item) record(item);
    else ready.push(item);
  }
  const state: RunState = {};
  await runPool(ready, options.concurrency ?? 4, async (item) => {
    record(await publishOne(item, options, state));
  });
  options.reporter.finish(summary, options.dryRun ?? false);
  return summary;
}
