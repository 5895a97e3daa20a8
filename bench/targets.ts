/** The performance budget of the performance issue, and how a measurement is held against it. */

export type Access = 'read' | 'write';

export const BUDGET = {
  /** Cold init, as a multiple of the reference's. */
  coldRatio: { read: 1.2, write: 1.6 } satisfies Record<Access, number>,
  /** Minified bundle, before gzip, in bytes (1 KB = 1 000 bytes). */
  bundleBytes: { read: 450_000, write: 650_000 } satisfies Record<Access, number>,
  /** Warm handler time at p50 over the reference's, milliseconds. */
  warmOverheadP50Ms: 0.3,
  /** Read capacity of a list page at the largest table over the same page at the smallest. */
  rcuGrowth: 1.2,
  /** Local server GET throughput over direct GetItem throughput. */
  throughputRatio: 0.7,
} as const;

export interface TargetCheck {
  /** What is held to a limit, e.g. "cold init". */
  readonly target: string;
  /** Which function or page. */
  readonly subject: string;
  readonly value: number;
  readonly limit: number;
  readonly comparison: '<=' | '>=';
  readonly unit: string;
  readonly met: boolean;
  /** Why it is missed, when known. */
  readonly why?: string;
}

export function check(
  target: string,
  subject: string,
  value: number,
  comparison: '<=' | '>=',
  limit: number,
  unit: string,
): TargetCheck {
  const met = Number.isFinite(value) && (comparison === '<=' ? value <= limit : value >= limit);
  return { target, subject, value, limit, comparison, unit, met };
}
