import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.ts';
import { isTagged, pagesToSkip, taggedFor } from '../../bench/rcu.ts';
import { check, maxRoundTrips, TARGETS, targetChecks } from '../../bench/report.ts';
import { median, percentile, rotate } from '../../bench/stats.ts';

// Pure helpers of the benchmark (`npm run bench`). No timing is asserted here.

describe('statistics', () => {
  it('takes the middle value, or the mean of the two middle values, without reordering', () => {
    const values = [3, 1, 2];
    expect(median(values)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 2000 }, (_, i) => 2000 - i);
    expect(percentile(values, 50)).toBe(1000);
    expect(percentile(values, 99)).toBe(1980);
    expect(percentile([4], 99)).toBe(4);
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });

  it('rotates left, wrapping', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate([], 3)).toEqual([]);
  });
});

describe('targets', () => {
  it('holds values to their limit in the stated direction, and a missing value never meets it', () => {
    expect(check('cold', 'F', 1.2, '<=', TARGETS.coldRatio.read, '×').met).toBe(true);
    expect(check('cold', 'F', 1.21, '<=', TARGETS.coldRatio.read, '×').met).toBe(false);
    expect(check('throughput', 'F', 0.69, '>=', TARGETS.throughputRatio, '×').met).toBe(false);
    expect(check('rcu', 'F', Number.NaN, '<=', 1.2, '×').met).toBe(false);
  });

  it('allows a read and a create one DynamoDB round trip, an update, a take-down and a feed two, a restore three', () => {
    const routes = [
      'GET /articles/{slug}',
      'GET /articles',
      'POST /editor/articles',
      'PUT /editor/articles/{slug}',
      'DELETE /editor/articles/{slug}',
      'GET /feed.xml',
      'GET /news-sitemap.xml',
      'GET /editor/articles/{slug}/revisions',
      'POST /editor/articles/{slug}/revisions/{version}/restore',
      'POST /editor/articles/{slug}/preview',
    ];
    expect(routes.map(maxRoundTrips)).toEqual([1, 1, 1, 2, 2, 2, 1, 2, 3, 1]);
  });

  it('checks each function against the reference that matches its access', () => {
    const warm = { p50Ms: 1, p99Ms: 2, cpuP50Ms: 1 };
    const checks = targetChecks({
      functions: [
        {
          id: 'Reference',
          access: 'reference',
          route: 'GET /articles/{slug}',
          bytes: 340_000,
        },
        {
          id: 'UpdateArticle',
          access: 'write',
          route: 'PUT /editor/articles/{slug}',
          bytes: 651_000,
          cold: { medianMs: 100, ratio: 1.5 },
          warm: { ...warm, overReferenceMs: 0.6, roundTrips: { GetItem: 1, TransactWriteItems: 1 } },
        },
      ],
      readCapacity: [
        { articles: 100, tagged: 41, pages: [{ page: 'list first', number: 1, rcu: 1.5 }] },
        { articles: 10_000, tagged: 1000, pages: [{ page: 'list first', number: 1, rcu: 2 }] },
      ],
    });
    expect(checks.map((c) => [c.target, c.subject, c.met])).toEqual([
      ['bundle', 'UpdateArticle', false],
      ['cold init ÷ GetItem reference', 'UpdateArticle', true],
      ['warm p50 − reference', 'UpdateArticle', false],
      ['DynamoDB round trips', 'UpdateArticle', true],
      ['list page RCU at 10000 ÷ at 100', 'list first', false],
    ]);
  });
});

describe('seeding and paging', () => {
  it('tags the requested number of articles, evenly', () => {
    expect(Array.from({ length: 10_000 }, (_, i) => isTagged(i, 10_000, 1000)).filter(Boolean)).toHaveLength(
      1000,
    );
    expect(Array.from({ length: 4 }, (_, i) => isTagged(i, 4, 2))).toEqual([false, true, false, true]);
  });

  it('tags a tenth of a table, but at least two full pages', () => {
    expect(taggedFor(10_000)).toBe(1000);
    expect(taggedFor(100)).toBe(41);
    expect(taggedFor(30)).toBe(30);
  });

  it('goes 50 pages deep, or to the middle of a shorter list', () => {
    expect(pagesToSkip(10_000)).toBe(50);
    expect(pagesToSkip(100)).toBe(2);
    expect(pagesToSkip(20)).toBe(0);
  });
});

describe('options', () => {
  it('defaults to every phase, 10 000 articles and 2 000 warm invocations; --quick is shorter', () => {
    const options = parseOptions([]);
    expect([...options.phases]).toEqual(['build', 'cold', 'warm', 'rcu', 'throughput']);
    expect(options.sizes).toEqual([100, 10_000]);
    expect(options.warmInvocations).toBe(2000);
    const quick = parseOptions(['--quick']);
    expect(quick.sizes).toEqual([100, 2000]);
    expect(quick.coldRuns).toBeLessThan(options.coldRuns);
  });

  it('builds the bundles whenever a phase runs them', () => {
    expect([...parseOptions(['--phases', 'cold']).phases].sort()).toEqual(['build', 'cold']);
    expect([...parseOptions(['--phases', 'throughput']).phases]).toEqual(['throughput']);
  });

  it('refuses unknown phases and bad numbers', () => {
    expect(() => parseOptions(['--phases', 'colder'])).toThrow(/unknown phase/);
    expect(() => parseOptions(['--cold-runs', '0'])).toThrow(/positive integer/);
    expect(() => parseOptions(['--sizes', '100'])).toThrow(/two sizes/);
    expect(() => parseOptions(['--sizes', '500,100'])).toThrow(/two sizes/);
  });
});
