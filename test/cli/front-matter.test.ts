import { readFileSync } from 'node:fs';
import { assert, describe, expect, it } from 'vitest';
import { formatFileError, parseArticleMarkdown, validateArticle } from '../../cli/front-matter.ts';
import { parseSeedArticle } from '../../local/seed.ts';

const SEED = readFileSync(new URL('../../fixtures/seed-article.md', import.meta.url), 'utf8');

const errorsOf = (source: string, file = 'a.md') => {
  const result = validateArticle(parseArticleMarkdown(source, file));
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((error) => formatFileError(error));
};

describe('parseArticleMarkdown', () => {
  it('reads the sample file: every front matter field, and the body after the blank line', () => {
    const parsed = parseArticleMarkdown(SEED, 'seed-article.md');
    expect(parsed.errors).toEqual([]);
    expect(parsed.input).toMatchObject({
      title: 'Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
      slug: 'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia',
      summary: 'The change in US policy is understood to apply only to the defence of the Kharkiv region.',
      author: 'Sky News',
      tags: ['ukraine', 'russia', 'us-politics'],
      status: 'published',
      publishedAt: '2024-05-31T06:00:00Z',
    });
    const body = parsed.input.body as string;
    expect(body.startsWith('President Joe Biden has partially lifted')).toBe(true);
    expect(body.endsWith('Source Agencies')).toBe(true);
    expect(parsed.lineOf('title')).toBe(2);
    expect(parsed.lineOf('tags')).toBe(6);
    expect(parsed.lineOf('body')).toBe(11);
  });

  it('validates the sample file with the API schema', () => {
    const result = validateArticle(parseArticleMarkdown(SEED));
    assert(result.ok, 'the article is valid');
    expect(result.slug).toBe('biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia');
    expect(result.article.status).toBe('published');
    expect(result.hasPublishedAt).toBe(true);
  });

  it('reads the sample exactly as the local server seeds it, so republishing it is "unchanged"', () => {
    expect(parseArticleMarkdown(SEED).input).toEqual(parseSeedArticle(SEED));
  });

  it('normalises CRLF and a byte order mark, keeping the same body', () => {
    const crlf = `\uFEFF${SEED.replace(/\n/g, '\r\n')}`;
    expect(parseArticleMarkdown(crlf).input).toEqual(parseArticleMarkdown(SEED).input);
  });

  it('reports missing front matter on line 1', () => {
    expect(errorsOf('# Just Markdown\n\nNo fields.\n')).toEqual([
      expect.stringMatching(/^a\.md:1: missing front matter: the file must start with a "---" line/),
    ]);
  });

  it('reports front matter that is never closed', () => {
    expect(errorsOf('---\ntitle: Hello\n\nBody\n')).toEqual([
      'a.md:1: front matter is not closed: add a "---" line between the fields and the body',
    ]);
  });

  it('reports bad YAML with the line in the file', () => {
    const errors = errorsOf('---\ntitle: Fine\ntags: [a, b\nauthor: Me\n---\nBody\n');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^a\.md:[3-5]: YAML: /);
  });

  it('reports duplicate keys with their line', () => {
    expect(errorsOf('---\ntitle: One\nsummary: s\ntitle: Two\n---\nBody\n')).toEqual([
      expect.stringMatching(/^a\.md:4: YAML: Map keys must be unique/),
    ]);
  });

  it('reports front matter that is not a mapping', () => {
    expect(errorsOf('---\n- title\n- body\n---\nBody\n')).toEqual([
      'a.md:2: front matter must be YAML "key: value" fields (title, slug, summary, ...)',
    ]);
  });

  it('reports unknown keys, bad values and missing fields with the file, line and field', () => {
    const source = [
      '---', // 1
      'title: "   "', // 2
      'subtitle: nope', // 3
      'tags:', // 4
      '  - good', // 5
      '  - Not-A-Tag', // 6
      'status: live', // 7
      'publishedAt: tomorrow', // 8
      '---', // 9
      '', // 10
      'Body text.', // 11
    ].join('\n');
    expect(errorsOf(source, 'articles/x.md')).toEqual([
      'articles/x.md:2: title: must not be empty',
      'articles/x.md:3: subtitle: is not a known field',
      'articles/x.md:6: tags.1: must be lower-case letters and digits separated by single hyphens',
      'articles/x.md:7: status: must be "published" or "draft"',
      expect.stringMatching(/^articles\/x\.md:8: publishedAt: must be an ISO 8601 date-time/),
    ]);
  });

  it('reports a missing title and an empty body', () => {
    expect(errorsOf('---\nsummary: only this\n---\n\n')).toEqual([
      'a.md:4: body: must not be empty',
      'a.md: title: is required',
    ]);
  });

  it('rejects a body key in the front matter', () => {
    expect(errorsOf('---\ntitle: T\nbody: inline\n---\nBody\n')).toEqual([
      'a.md:3: body: is the Markdown after the front matter; remove the "body" key from the front matter',
    ]);
  });

  it('derives the slug from the title like the API, or asks for one', () => {
    const derived = validateArticle(
      parseArticleMarkdown('---\ntitle: Crème Brûlée à la Ørsted\n---\nBody\n'),
    );
    expect(derived.ok && derived.slug).toBe('creme-brulee-a-la-orsted');
    expect(errorsOf('---\ntitle: "!!!"\n---\nBody\n')).toEqual([
      'a.md:2: slug: cannot be derived from this title (no letters or digits left): set "slug" in the front matter',
    ]);
  });

  it('applies a status override and treats empty optional fields as unset', () => {
    const result = validateArticle(parseArticleMarkdown('---\ntitle: T\nsummary:\nauthor: ~\n---\nB\n'), {
      status: 'draft',
    });
    assert(result.ok, 'the article is valid');
    expect(result.article).toMatchObject({ status: 'draft', summary: null, author: null, tags: [] });
    expect(result.hasPublishedAt).toBe(false);
  });

  it('keeps timestamps as the strings written (YAML 1.2: no Date conversion)', () => {
    const parsed = parseArticleMarkdown('---\ntitle: T\npublishedAt: 2024-05-31T06:00:00Z\n---\nB\n');
    expect(parsed.input.publishedAt).toBe('2024-05-31T06:00:00Z');
  });
});
