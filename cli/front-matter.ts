/**
 * Article files: YAML front matter between `---` lines, then the Markdown body
 * (the format of `fixtures/seed-article.md`).
 *
 * `parseArticleMarkdown` splits a file and reads its front matter (syntax only);
 * `validateArticle` then applies the API's own zod schema (`CreateArticleInput`),
 * so a file that passes here is a body the API accepts. Every error carries the
 * field path and, where it can be known, the 1-based line in the file.
 */
import { isMap, isNode, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import {
  CreateArticleInput,
  type CreateArticleInput as CreateArticleOutput,
  deriveSlug,
  fieldErrors,
} from '../functions/core/article.ts';

export interface ArticleFileError {
  /** Field path (`title`, `tags.2`, `body`), or `''` for an error about the file as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** The file, when the caller named one. */
  readonly file?: string;
}

export interface ParsedArticleMarkdown {
  /** Raw fields from the front matter, plus `body` (the Markdown after the front matter). */
  readonly input: Record<string, unknown>;
  /** Structural errors: no front matter, unclosed front matter, YAML syntax, not a mapping. */
  readonly errors: ArticleFileError[];
  /** The file name given to the parser, if any. */
  readonly file?: string;
  /** The line of a field path (`title`, `tags.1`, `body`) in the file, when known. */
  readonly lineOf: (path: string) => number | undefined;
}

/** Keys the front matter may hold (the API's fields, except `body`, which is the Markdown). */
export const FRONT_MATTER_KEYS = [
  'title',
  'slug',
  'summary',
  'author',
  'tags',
  'status',
  'publishedAt',
] as const;

const DELIMITER = /^---[ \t]*$/;

/** Line endings normalised to `\n`. */
function normaliseNewlines(source: string): string {
  return source.replace(/\r\n?/g, '\n');
}

/**
 * Reads an article file. Never throws: problems come back in `errors`.
 *
 * The body is everything after the closing `---` line, without the blank lines that
 * separate it from the front matter and without trailing white space, line endings
 * normalised to `\n` (so the same file gives the same body on every OS).
 */
export function parseArticleMarkdown(source: string, file?: string): ParsedArticleMarkdown {
  const text = normaliseNewlines(source.startsWith('\uFEFF') ? source.slice(1) : source);
  const lines = text.split('\n');
  const errors: ArticleFileError[] = [];
  const at = (path: string, message: string, line?: number): ArticleFileError => ({
    path,
    message,
    ...(line === undefined ? {} : { line }),
    ...(file === undefined ? {} : { file }),
  });
  const result = (
    input: Record<string, unknown>,
    lineOf: (path: string) => number | undefined,
  ): ParsedArticleMarkdown => ({ input, errors, lineOf, ...(file === undefined ? {} : { file }) });

  if (!DELIMITER.test(lines[0] ?? '')) {
    errors.push(
      at(
        '',
        'missing front matter: the file must start with a "---" line, then YAML fields (title, slug, summary, author, tags, status, publishedAt), then a closing "---" line, then the Markdown body',
        1,
      ),
    );
    return result({}, () => undefined);
  }
  const closing = lines.findIndex((line, index) => index > 0 && DELIMITER.test(line));
  if (closing === -1) {
    errors.push(at('', 'front matter is not closed: add a "---" line between the fields and the body', 1));
    return result({}, () => undefined);
  }

  // Line numbers: the YAML starts on file line 2.
  const yamlText = lines.slice(1, closing).join('\n');
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fileLine = (offset: number): number => lineCounter.linePos(offset).line + 1;

  // Body: after the closing delimiter, leading blank lines dropped.
  let bodyStart = closing + 1;
  while (bodyStart < lines.length && (lines[bodyStart] ?? '').trim() === '') bodyStart++;
  // No trailing white space (the local server seeds the sample article the same way,
  // so republishing it is "unchanged").
  const body = lines.slice(bodyStart).join('\n').replace(/\s+$/, '');
  const bodyLine = bodyStart < lines.length ? bodyStart + 1 : closing + 2;

  for (const error of doc.errors) {
    errors.push(at('', `YAML: ${firstLine(error.message)}`, fileLine(error.pos[0])));
  }
  if (doc.errors.length > 0) return result({ body }, (path) => (path === 'body' ? bodyLine : undefined));

  const keyLines = new Map<string, number>();
  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) {
    errors.push(
      at(
        '',
        'front matter must be YAML "key: value" fields (title, slug, summary, ...)',
        isNode(contents) && contents.range ? fileLine(contents.range[0]) : 2,
      ),
    );
    return result({ body }, (path) => (path === 'body' ? bodyLine : undefined));
  }

  let fields: Record<string, unknown> = {};
  if (contents !== null) {
    for (const pair of contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as Node | null;
      if (isNode(keyNode) && keyNode.range) keyLines.set(key, fileLine(keyNode.range[0]));
    }
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      errors.push(at('', `YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`, 2));
      return result({ body }, (path) => (path === 'body' ? bodyLine : undefined));
    }
    fields =
      js !== null && typeof js === 'object' && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
  }

  if (Object.hasOwn(fields, 'body')) {
    errors.push(
      at(
        'body',
        'is the Markdown after the front matter; remove the "body" key from the front matter',
        keyLines.get('body'),
      ),
    );
  }

  const lineOf = (path: string): number | undefined => {
    if (path === 'body') return bodyLine;
    const segments = path.split('.');
    const [head] = segments;
    if (head === undefined || head === '') return undefined;
    if (segments.length > 1) {
      const node = doc.getIn(
        segments.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)),
        true,
      );
      if (isNode(node) && node.range) return fileLine(node.range[0]);
    }
    return keyLines.get(head);
  };

  return result({ ...fields, body }, lineOf);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

export type ArticleValidation =
  | {
      readonly ok: true;
      /** The slug: from the front matter, else derived from the title as the API derives it. */
      readonly slug: string;
      /** The article as the API will store it (title trimmed, defaults filled). */
      readonly article: CreateArticleOutput;
      /** Whether the front matter set `publishedAt` (absent: the API keeps or sets it). */
      readonly hasPublishedAt: boolean;
    }
  | { readonly ok: false; readonly errors: ArticleFileError[] };

export interface ValidateOptions {
  /** Overrides the file's `status` (e.g. `--status draft`). */
  readonly status?: 'draft' | 'published';
}

/**
 * Validates a parsed file with the API's schema. Structural errors from the parser
 * come first; schema errors carry the line of the field they concern.
 */
export function validateArticle(
  parsed: ParsedArticleMarkdown,
  options: ValidateOptions = {},
): ArticleValidation {
  const file = parsed.file;
  const withLine = (path: string, message: string, line = parsed.lineOf(path)): ArticleFileError => ({
    path,
    message,
    ...(line === undefined ? {} : { line }),
    ...(file === undefined ? {} : { file }),
  });
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };

  const input: Record<string, unknown> = { ...parsed.input };
  if (options.status !== undefined) input.status = options.status;

  const checked = CreateArticleInput.safeParse(input);
  if (!checked.success) {
    return {
      ok: false,
      errors: sortByLine(
        fieldErrors(checked.error, input).map((error) => withLine(error.path, error.message)),
      ),
    };
  }
  const article = checked.data;
  const slug = article.slug ?? deriveSlug(article.title);
  if (slug === null) {
    return {
      ok: false,
      errors: [
        withLine(
          'slug',
          'cannot be derived from this title (no letters or digits left): set "slug" in the front matter',
          parsed.lineOf('title'),
        ),
      ],
    };
  }
  return {
    ok: true,
    slug,
    article: { ...article, slug },
    hasPublishedAt: article.publishedAt !== null,
  };
}

function sortByLine(errors: ArticleFileError[]): ArticleFileError[] {
  return [...errors].sort(
    (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
}

/** `file:line: field: message` (the parts that are known). */
export function formatFileError(error: ArticleFileError, file = error.file): string {
  const where = [file, error.line].filter((part) => part !== undefined).join(':');
  const what = error.path === '' ? error.message : `${error.path}: ${error.message}`;
  return where === '' ? what : `${where}: ${what}`;
}
