import { describe, expect, it } from 'vitest';
import { packageOf } from '../../bench/build.ts';
import { parseOptions } from '../../bench/options.ts';
import { pagesToSkip, taggedFor } from '../../bench/rcu.ts';
import { isTagged } from '../../bench/seed.ts';
import { median, percentile, ratio, rotate } from '../../bench/stats.ts';
import { toWireItem, toWireValue } from '../../bench/stub.ts';
import { BUDGET, check } from '../../bench/targets.ts';

// Pure helpers of the benchmark (`npm run bench`). No timing is asserted here.

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses nothing and non-numbers', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1

  it('p50 and p99 of 1…100 are 50 and 99', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('p99 of 2 000 values is the 1 980th smallest', () => {
    const values = Array.from({ length: 2000 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(1980);
  });

  it('of one value is that value', () => {
    expect(percentile([4], 1)).toBe(4);
    expect(percentile([4], 99)).toBe(4);
  });

  it('refuses percentiles outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('ratio', () => {
  it('divides by the reference', () => {
    expect(ratio(150, 100)).toBe(1.5);
  });

  it('refuses a reference of zero or less', () => {
    expect(() => ratio(1, 0)).toThrow(RangeError);
    expect(() => ratio(1, -2)).toThrow(RangeError);
  });
});

describe('rotate', () => {
  it('rotates left, wrapping and accepting negative amounts', () => {
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], -1)).toEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toEqual([]);
  });
});

describe('targets', () => {
  it('holds values to their limit in the stated direction', () => {
    expect(check('cold init', 'F', 1.2, '<=', BUDGET.coldRatio.read, '×').met).toBe(true);
    expect(check('cold init', 'F', 1.21, '<=', BUDGET.coldRatio.read, '×').met).toBe(false);
    expect(check('throughput', 'F', 0.7, '>=', BUDGET.throughputRatio, '×').met).toBe(true);
    expect(check('throughput', 'F', 0.69, '>=', BUDGET.throughputRatio, '×').met).toBe(false);
  });

  it('never counts a missing measurement as met', () => {
    expect(check('rcu', 'F', Number.NaN, '<=', 1.2, '×').met).toBe(false);
  });
});

describe('seeding and paging plans', () => {
  it('tags exactly the requested number of articles, evenly', () => {
    const tagged = Array.from({ length: 10_000 }, (_, i) => isTagged(i, 10_000, 1000)).filter(Boolean);
    expect(tagged).toHaveLength(1000);
    const few = Array.from({ length: 10 }, (_, i) => isTagged(i, 10, 5));
    expect(few).toEqual([false, true, false, true, false, true, false, true, false, true]);
  });

  it('gives small tables at least two full tag pages', () => {
    expect(taggedFor(10_000, 10_000, 1000, 20)).toBe(1000);
    expect(taggedFor(100, 10_000, 1000, 20)).toBe(41);
    expect(taggedFor(30, 10_000, 1000, 20)).toBe(30);
  });

  it('goes the given number of pages deep, or to the middle of a shorter list', () => {
    expect(pagesToSkip(10_000, 20, 50)).toBe(50);
    expect(pagesToSkip(100, 20, 50)).toBe(2);
    expect(pagesToSkip(20, 20, 50)).toBe(0);
  });
});

describe('DynamoDB stub wire format', () => {
  it('marshals plain values as DynamoDB JSON, binary as base64', () => {
    expect(
      toWireItem({
        s: 'x',
        n: 3,
        b: true,
        z: null,
        l: ['a', 1],
        m: { k: 'v' },
        bin: new Uint8Array([1, 2, 3]),
        gone: undefined,
      }),
    ).toEqual({
      s: { S: 'x' },
      n: { N: '3' },
      b: { BOOL: true },
      z: { NULL: true },
      l: { L: [{ S: 'a' }, { N: '1' }] },
      m: { M: { k: { S: 'v' } } },
      bin: { B: 'AQID' },
    });
  });

  it('refuses what DynamoDB cannot hold', () => {
    expect(() => toWireValue(() => 1)).toThrow(TypeError);
  });
});

describe('bundle inputs', () => {
  it('names the package of a node_modules path, scoped or not', () => {
    expect(packageOf('node_modules/zod/v4/classic/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOf('node_modules/a/node_modules/@x/y/index.js')).toBe('@x/y');
    expect(packageOf('functions/core/http.ts')).toBe('functions/core/http.ts');
  });
});

describe('options', () => {
  it('defaults to the issue’s figures', () => {
    const options = parseOptions([], {});
    expect(options.coldRuns).toBe(25);
    expect(options.warmInvocations).toBe(2000);
    expect(options.sizes).toEqual([100, 10_000]);
    expect(options.taggedAtLargest).toBe(1000);
    expect([...options.phases]).toEqual(['build', 'cold', 'warm', 'rcu', 'throughput']);
  });

  it('takes flags before environment variables', () => {
    const options = parseOptions(['--cold-runs', '30'], { BENCH_COLD_RUNS: '40', BENCH_SIZES: '50,500' });
    expect(options.coldRuns).toBe(30);
    expect(options.sizes).toEqual([50, 500]);
  });

  it('builds whenever cold or warm runs', () => {
    expect([...parseOptions(['--phases', 'cold'], {}).phases].sort()).toEqual(['build', 'cold']);
  });

  it('refuses unknown phases and bad numbers', () => {
    expect(() => parseOptions(['--phases', 'colder'], {})).toThrow(/unknown phase/);
    expect(() => parseOptions(['--cold-runs', '0'], {})).toThrow(/positive integer/);
    expect(() => parseOptions(['--sizes', '100'], {})).toThrow(/two sizes/);
  });
});
