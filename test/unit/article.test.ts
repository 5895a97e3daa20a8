import { describe, expect, it } from 'vitest';
import {
  CreateArticleInput,
  deriveSlug,
  editorStatus,
  fieldErrors,
  isVisible,
  LIMITS,
  parseInput,
  UpdateArticleInput,
} from '../../functions/core/article.ts';
import { ValidationError } from '../../functions/core/errors.ts';

const valid = { title: 'Title', body: 'Body' };
const errorsOf = (body: unknown) => {
  const result = CreateArticleInput.safeParse(body);
  return result.success ? [] : fieldErrors(result.error, body);
};

describe('slug derivation', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['  Crème Brûlée à la carte  ', 'creme-brulee-a-la-carte'],
    ['Straße Æsir Œuvre Øre Łódź Đakovo Þór', 'strasse-aesir-oeuvre-ore-lodz-dakovo-thor'],
    ['ÆØÅ', 'aeoa'],
    ['İstanbul', 'istanbul'],
    ['ﬁve ①', 'five-1'],
    [
      'Biden partially lifts ban on Ukraine using US weapons to strike inside Russia',
      'biden-partially-lifts-ban-on-ukraine-using-us-weapons-to-strike-inside-russia',
    ],
    ['--a--b--', 'a-b'],
    ['C++ & Rust: 2024 edition', 'c-rust-2024-edition'],
  ])('%s → %s', (title, slug) => {
    expect(deriveSlug(title)).toBe(slug);
  });

  it('returns null when nothing usable is left', () => {
    expect(deriveSlug('!!! ??? —')).toBeNull();
    expect(deriveSlug('日本語のタイトル')).toBeNull();
  });

  it('cuts to 96 at the last hyphen at or before position 96', () => {
    const word = 'abcdefghij'; // 10 letters
    const title = Array.from({ length: 12 }, () => word).join(' '); // 131 chars
    const slug = deriveSlug(title) ?? '';
    expect(slug.length).toBeLessThanOrEqual(96);
    expect(slug).toBe(Array.from({ length: 8 }, () => word).join('-')); // 87 chars
    // A hyphen exactly at index 96 keeps all 96 characters before it.
    const exact = `${'a'.repeat(96)} b`;
    expect(deriveSlug(exact)).toBe('a'.repeat(96));
    const exact2 = `${'a'.repeat(47)} ${'b'.repeat(48)} c`; // hyphen at 47 and at 96
    expect(deriveSlug(exact2)).toBe(`${'a'.repeat(47)}-${'b'.repeat(48)}`);
  });

  it('cuts a single word longer than 96 at 96', () => {
    expect(deriveSlug('x'.repeat(150))).toBe('x'.repeat(96));
  });
});

describe('article input rules', () => {
  const cp = (n: number, char = 'a') => char.repeat(n);

  it.each([
    ['title', LIMITS.title],
    ['summary', LIMITS.summary],
    ['author', LIMITS.author],
    ['body', LIMITS.body],
  ] as const)('%s: %i code points pass, one more fails', (field, limit) => {
    expect(errorsOf({ ...valid, [field]: cp(limit) })).toEqual([]);
    // Astral characters count as one code point each.
    expect(errorsOf({ ...valid, [field]: cp(limit, '😀') })).toEqual([]);
    expect(errorsOf({ ...valid, [field]: cp(limit + 1) })).toEqual([
      { path: field, message: expect.stringContaining(`at most ${limit}`) },
    ]);
  });

  it('trims the title and measures it trimmed', () => {
    const parsed = parseInput(CreateArticleInput, { ...valid, title: `  ${cp(200)}  ` });
    expect(parsed.title).toBe(cp(200));
    expect(errorsOf({ ...valid, title: ' \t ' })).toEqual([{ path: 'title', message: 'must not be empty' }]);
  });

  it('keeps other text exactly as sent', () => {
    const parsed = parseInput(CreateArticleInput, { ...valid, summary: '  spaced  ', body: '  e\u0301 ' });
    expect(parsed.summary).toBe('  spaced  ');
    expect(parsed.body).toBe('  e\u0301 ');
  });

  it('slug: 96 characters pass, 97 fail, pattern enforced', () => {
    expect(errorsOf({ ...valid, slug: cp(96) })).toEqual([]);
    expect(errorsOf({ ...valid, slug: cp(97) })).toHaveLength(1);
    for (const bad of ['-a', 'a-', 'a--b', 'A', 'a b', 'é', '']) {
      expect(errorsOf({ ...valid, slug: bad })).toHaveLength(1);
    }
  });

  it('tags: 10 pass, 11 fail; 40 characters pass, 41 fail; no duplicates', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect(errorsOf({ ...valid, tags: tags(10) })).toEqual([]);
    expect(errorsOf({ ...valid, tags: tags(11) })).toHaveLength(1);
    expect(errorsOf({ ...valid, tags: [cp(40)] })).toEqual([]);
    expect(errorsOf({ ...valid, tags: [cp(41)] })).toEqual([{ path: 'tags.0', message: expect.any(String) }]);
    expect(errorsOf({ ...valid, tags: ['a', 'a'] })).toEqual([
      { path: 'tags', message: 'must not contain duplicates' },
    ]);
  });

  it('treats null optional fields as not set', () => {
    const parsed = parseInput(CreateArticleInput, {
      ...valid,
      slug: null,
      summary: null,
      author: null,
      tags: null,
      status: null,
      publishedAt: null,
    });
    expect(parsed).toEqual({
      ...valid,
      slug: null,
      summary: null,
      author: null,
      tags: [],
      status: 'published',
      publishedAt: null,
    });
  });

  it('rejects unknown fields, including prototype and storage keys', () => {
    const body = JSON.parse('{"title":"T","body":"B","__proto__":{"x":1},"pk":"ARTICLE#x","constructor":1}');
    expect(
      errorsOf(body)
        .map((e) => e.path)
        .sort(),
    ).toEqual(['__proto__', 'constructor', 'pk']);
  });

  it('rejects lone surrogates and control characters', () => {
    expect(errorsOf({ ...valid, body: 'a\uD800b' })).toHaveLength(1);
    expect(errorsOf({ ...valid, title: 'a\u0000b' })).toHaveLength(1);
    expect(errorsOf({ ...valid, title: 'a\nb' })).toHaveLength(1);
    expect(errorsOf({ ...valid, body: 'line\r\nline\ttab' })).toEqual([]);
    expect(errorsOf({ ...valid, body: 'nul\u0000' })).toHaveLength(1);
  });

  it('publishedAt: ISO 8601 date-time with an offset', () => {
    for (const ok of ['2024-05-31T06:00:00Z', '2024-05-31T06:00:00.123+02:00', '2024-05-31T06:00:00-05:30']) {
      expect(errorsOf({ ...valid, publishedAt: ok })).toEqual([]);
    }
    for (const bad of ['2024-05-31', '2024-05-31T06:00:00', '2024-13-01T00:00:00Z', 'yesterday', 17]) {
      expect(errorsOf({ ...valid, publishedAt: bad })).toHaveLength(1);
    }
  });

  it('PUT input has no slug', () => {
    const result = UpdateArticleInput.safeParse({ ...valid, slug: 'x' });
    expect(result.success).toBe(false);
  });

  it('parseInput throws a ValidationError carrying the field errors', () => {
    expect(() => parseInput(CreateArticleInput, { title: 'x' })).toThrow(ValidationError);
    try {
      parseInput(CreateArticleInput, { title: 'x' });
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ path: 'body', message: 'is required' }]);
    }
  });
});

describe('visibility', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('is visible when published and publishedAt ≤ now', () => {
    expect(isVisible({ status: 'published', publishedAt: '2026-01-01T00:00:00Z' }, now)).toBe(true);
    expect(isVisible({ status: 'published', publishedAt: '2026-01-01T00:00:00.001Z' }, now)).toBe(false);
    expect(isVisible({ status: 'draft', publishedAt: '2020-01-01T00:00:00Z' }, now)).toBe(false);
    expect(editorStatus({ status: 'published', publishedAt: '2026-01-01T01:00:00+02:00' }, now)).toBe(
      'published',
    );
    expect(editorStatus({ status: 'published', publishedAt: '2026-01-01T01:00:00Z' }, now)).toBe('scheduled');
  });
});
