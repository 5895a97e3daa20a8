function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no values');
  if (!values.every(Number.isFinite)) throw new RangeError('not every value is a finite number');
  return [...values].sort((a, b) => a - b);
}

export function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  const upper = s[mid] as number;
  return s.length % 2 === 1 ? upper : ((s[mid - 1] as number) + upper) / 2;
}

/** Nearest rank: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100]: ${p}`);
  const s = sorted(values);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1] as number;
}

/** `items` rotated left by `by`, so that across rounds every subject runs at every position. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
