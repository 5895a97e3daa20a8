import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../functions/core/article-model.ts';
import {
  headItem,
  headSliceKeys,
  slices,
  toArticle,
  versionItems,
} from '../../functions/core/store/layout.ts';

const article = (body: string, bodyHtml: string): StoredArticle => ({
  slug: 'story',
  title: 'Story',
  summary: null,
  body,
  bodyHtml,
  author: null,
  tags: ['news'],
  status: 'published',
  publishedAt: '2026-01-01T00:00:00Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 2,
  createdBy: 'arn:aws:iam::000000000000:user/alice',
  updatedBy: 'arn:aws:iam::000000000000:user/alice',
  etag: 'AAAAAAAAAAAAAAAAAAAAAA',
});

describe('content slices', () => {
  it('cut text into pieces of at most the byte limit, never inside a character, losing nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 4, max: 40 }),
        (text, max) => {
          const parts = slices(text, max);
          expect(parts.join('')).toBe(text);
          for (const part of parts) {
            expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(max);
            expect(part.isWellFormed()).toBe(true);
          }
        },
      ),
    );
  });

  it('keep a small version in its item as plain strings', () => {
    const small = article('Hi *there*', '<p>Hi <em>there</em></p>\n');
    const head = headItem(small);
    expect(head).toMatchObject({ pk: 'ARTICLE#story', sk: 'A', body: small.body, bodyHtml: small.bodyHtml });
    expect(headSliceKeys(small)).toEqual([]);
    expect(toArticle(head)).toEqual(small);
  });

  it('move a version that would pass the item limit into slice items, read back whole', () => {
    const large = article('漢'.repeat(100_000), `<p>${'漢'.repeat(100_000)}</p>\n`);
    const head = headItem(large);
    expect(head.body).toBeUndefined();
    const rest = versionItems(large);
    const headSlices = rest.filter((item) => String(item.sk).startsWith('C#'));
    expect(headSlices.map((item) => item.sk)).toEqual(['C#body#000', 'C#bodyHtml#000']);
    expect(headSliceKeys(large).map((key) => key.sk)).toEqual(['C#body#000', 'C#bodyHtml#000']);
    expect(toArticle(head, headSlices)).toEqual(large);
    // The revision keeps its own slices.
    const revision = rest.find((item) => item.sk === 'R#0000000002');
    if (revision === undefined) throw new Error('no revision item');
    const revisionSlices = rest.filter((item) => String(item.sk).startsWith('R#0000000002#C#'));
    expect(toArticle(revision, revisionSlices)).toEqual(large);
  });

  it('say a read is incomplete when it caught slices of another version', () => {
    const large = article('漢'.repeat(100_000), '<p>x</p>'.repeat(40_000));
    const slicesOfOlder = versionItems({ ...large, version: 1 }).filter((item) =>
      String(item.sk).startsWith('C#'),
    );
    expect(toArticle(headItem(large), slicesOfOlder)).toBeUndefined();
  });
});
