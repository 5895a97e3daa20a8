/**
 * The request-body schemas of openapi.json accept exactly what the handlers' zod schemas
 * accept: z.toJSONSchema cannot see the rules inside `.superRefine()`, so openapi/input.ts
 * adds them as JSON Schema keywords, and this checks the two agree — on a boundary corpus
 * per field and on random strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreateArticleInput, LIMITS, UpdateArticleInput } from '../../functions/core/article.ts';
import { readOpenApiFile } from '../../openapi/file.ts';
import type { JsonObject } from '../../openapi/json.ts';
import { compileSchema, createAjv } from '../../openapi/validate.ts';

const doc = JSON.parse(readOpenApiFile()) as JsonObject;
const ajv = createAjv(doc);
const validateCreate = compileSchema(ajv, { $ref: '#/components/schemas/ArticleCreate' });
const validateUpdate = compileSchema(ajv, { $ref: '#/components/schemas/ArticleUpdate' });

const base = { slug: 'an-article', title: 'A title', body: 'Some *Markdown*.' };
const ASTRAL = '\u{1F600}'; // one code point, two UTF-16 units
const repeat = (text: string, n: number) => text.repeat(n);

function agree(input: Record<string, unknown>): { zod: boolean; schema: boolean } {
  return { zod: CreateArticleInput.safeParse(input).success, schema: validateCreate(input) };
}

function expectAgreement(field: string, values: readonly unknown[]): void {
  for (const value of values) {
    const input = { ...base, [field]: value };
    const { zod, schema } = agree(input);
    expect(schema, `${field} = ${JSON.stringify(value)?.slice(0, 80)} (zod says ${zod})`).toBe(zod);
  }
}

const textCorpus = (max: number): unknown[] => [
  '',
  'a',
  ' ',
  '  padded  ',
  '\ttabbed',
  'line\nbreak',
  'crlf\r\n',
  'nul\u0000',
  'bell\u0007',
  'del\u007f',
  'vt\u000b',
  'c1\u0085 ok',
  'nbsp\u00a0inside',
  'ls\u2028inside',
  `lone ${'\ud800'} surrogate`,
  `lone ${'\udc00'}`,
  `pair ${ASTRAL}`,
  repeat('x', max),
  repeat('x', max + 1),
  repeat(ASTRAL, max),
  repeat(ASTRAL, max + 1),
  ` ${repeat('x', max)} `,
  null,
  42,
  ['x'],
  {},
];

describe('request body schemas agree with the zod schemas', () => {
  it('title', () => {
    expectAgreement('title', [
      ...textCorpus(LIMITS.title),
      '   ',
      '\u00a0\u3000',
      '\n title on its own line \n',
      '\u2028x\u2029',
      `${repeat('x', LIMITS.title - 1)}\u00a0`,
      `\ufeff${repeat('x', LIMITS.title)}\ufeff`,
      `${repeat('x', 100)} ${repeat('y', 99)}`,
      'a\tb',
      'x\u0000',
    ]);
    expectAgreement('title', [undefined]);
  });

  it('summary, body, author', () => {
    expectAgreement('summary', [...textCorpus(LIMITS.summary), undefined]);
    expectAgreement('author', [...textCorpus(LIMITS.author), undefined]);
    expectAgreement('body', [...textCorpus(LIMITS.body), undefined, 'x\r\ny\tz']);
  });

  it('slug and tags', () => {
    expectAgreement('slug', [
      'a',
      'a-b',
      'a--b',
      '-a',
      'a-',
      'A',
      'é',
      repeat('a', LIMITS.slug),
      repeat('a', LIMITS.slug + 1),
      '',
      null,
      undefined,
      1,
    ]);
    expectAgreement('tags', [
      [],
      ['a'],
      ['a', 'a'],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'],
      [repeat('t', LIMITS.tag)],
      [repeat('t', LIMITS.tag + 1)],
      ['Bad'],
      [''],
      [1],
      'a',
      null,
      undefined,
    ]);
  });

  it('status and publishedAt', () => {
    expectAgreement('status', ['published', 'draft', 'scheduled', 'PUBLISHED', '', null, undefined, 1]);
    expectAgreement('publishedAt', [
      '2024-05-31T06:00:00Z',
      '2024-05-31T06:00:00.123Z',
      '2024-05-31T06:00:00.123456789+02:00',
      '2024-05-31T06:00:00-05:30',
      '2024-05-31T06:00Z',
      '2024-05-31T06:00:00',
      '2024-05-31T06:00:00+0200',
      '2024-05-31t06:00:00z',
      '2024-05-31 06:00:00Z',
      '2024-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-06-30T23:59:60Z',
      '2024-05-31T24:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      `2024-05-31T06:00:00.${repeat('1', 60)}Z`,
      '2024-05-31',
      '',
      null,
      undefined,
      1717135200,
    ]);
  });

  it('unknown fields and non-objects', () => {
    for (const input of [{ ...base, extra: 1 }, { ...base, pk: 'x' }, { title: 'x' }, { body: 'x' }]) {
      const { zod, schema } = agree(input);
      expect(schema, JSON.stringify(input)).toBe(zod);
    }
    for (const input of [null, [], 'x', 1]) {
      expect(validateCreate(input)).toBe(CreateArticleInput.safeParse(input).success);
    }
    const update = { title: 'x', body: 'y' };
    expect(validateUpdate(update)).toBe(true);
    expect(validateUpdate({ ...update, slug: 'x' })).toBe(
      UpdateArticleInput.safeParse({ ...update, slug: 'x' }).success,
    );
  });

  it('random strings in every text field', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({
        unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', 'a', '\u0001', '\ud800', ASTRAL),
        maxLength: 8,
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('title', 'summary', 'body', 'author'), text, (field, value) => {
        const input = { ...base, [field]: value };
        return validateCreate(input) === CreateArticleInput.safeParse(input).success;
      }),
      { numRuns: 2000 },
    );
  });

  it('known, documented differences: the year range of publishedAt is checked in UTC', () => {
    // The schema cannot express "between 0000-01-01 and 9999-12-31 in UTC"; its description says it.
    const input = { ...base, publishedAt: '0000-01-01T00:00:00+01:00' };
    expect(CreateArticleInput.safeParse(input).success).toBe(false);
    expect(validateCreate(input)).toBe(true);
  });
});
