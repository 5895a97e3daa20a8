/** Pure statistics helpers of the benchmark (unit-tested in test/bench/stats.test.ts). */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no values');
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  }
  return [...values].sort((a, b) => a - b);
}

/** The median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  const upper = s[mid] as number;
  return s.length % 2 === 1 ? upper : ((s[mid - 1] as number) + upper) / 2;
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value with at least p % of
 * the values at or below it (p99 of 2 000 values is the 1 980th smallest).
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100]: ${p}`);
  const s = sorted(values);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1] as number;
}

/** `value / reference`; a reference of 0 or less has no meaningful ratio. */
export function ratio(value: number, reference: number): number {
  if (!(reference > 0) || !Number.isFinite(value)) {
    throw new RangeError(`no ratio of ${value} to ${reference}`);
  }
  return value / reference;
}

/** Rounds to `digits` decimals (for reports; never for comparisons against targets). */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * `items` rotated left by `by` positions: interleaving orders so that every function is
 * measured at every position of a round, the reference included.
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
