/**
 * The sample article published on a local server's first start: a Markdown file with
 * YAML front matter (`fixtures/seed-article.md`) turned into the POST body of
 * `/editor/articles`.
 */
import { parse } from 'yaml';

const FIELDS = ['title', 'slug', 'summary', 'author', 'tags', 'status', 'publishedAt'] as const;

export type SeedBody = Partial<Record<(typeof FIELDS)[number], unknown>> & { body: string };

/** Splits `---\n<yaml>\n---\n<markdown>` and maps the front matter onto the API's fields. */
export function parseSeedArticle(source: string): SeedBody {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (match === null) throw new Error('the seed article has no YAML front matter (--- ... ---)');
  const frontMatter: unknown = parse(match[1] ?? '');
  if (typeof frontMatter !== 'object' || frontMatter === null || Array.isArray(frontMatter)) {
    throw new Error('the seed article front matter is not a mapping');
  }
  // Like the editor CLI: no blank lines before the body, no white space at its end.
  const result: SeedBody = { body: (match[2] ?? '').replace(/^\n+/, '').replace(/\s+$/, '') };
  for (const field of FIELDS) {
    if (!(field in frontMatter)) continue;
    const value: unknown = (frontMatter as Record<string, unknown>)[field];
    if (value === undefined) continue;
    // An unquoted timestamp may come back as a Date (YAML 1.1 schemas): keep a string.
    result[field] = value instanceof Date ? value.toISOString() : value;
  }
  return result;
}
