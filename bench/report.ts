import type { ColdResult } from './cold.ts';
import type { SizeCost } from './rcu.ts';
import type { ThroughputResult } from './throughput.ts';
import type { WarmResult } from './warm.ts';

export type Access = 'read' | 'write';

export const TARGETS = {
  bundleKB: { read: 450, write: 650 },
  /** Cold init over the GetItem reference's. */
  coldRatio: { read: 1.2, write: 1.6 },
  /** Warm p50 minus the matching reference's: GetItem for reads, the bare transaction for writes. */
  warmOverReferenceMs: 0.5,
  /** A list page's read capacity at the larger table over the same page's at the smaller. */
  rcuGrowth: 1.2,
  /** Local server GET throughput over direct GetItem throughput. */
  throughputRatio: 0.7,
} as const;

/**
 * DynamoDB requests a route may make per invocation: a read or a create one; an update, a
 * take-down, a feed (its entries, then their content), a page of history, one version or a
 * preview two (the head, then the versions); a restore three (the head, the version, the
 * write). Other services' calls (the preview key, fetched once per process) do not count.
 */
const ROUND_TRIPS: Readonly<Record<string, number>> = {
  'PUT /editor/articles/{slug}': 2,
  'DELETE /editor/articles/{slug}': 2,
  'GET /feed.xml': 2,
  'GET /feed.atom': 2,
  'GET /feed.json': 2,
  'GET /editor/articles/{slug}/revisions': 2,
  'GET /editor/articles/{slug}/revisions/{version}': 2,
  'POST /editor/articles/{slug}/revisions/{version}/restore': 3,
  'GET /preview/{token}': 2,
};
export const maxRoundTrips = (route: string): number => ROUND_TRIPS[route] ?? 1;

/** The calls counted as DynamoDB round trips (the stub also answers Secrets Manager). */
export const isDynamoDbCall = (operation: string) => operation !== 'GetSecretValue';

/**
 * The routes held to the warm target: the article routes, whose DynamoDB work a reference
 * matches. Feeds and sitemaps render up to 50 (or 1 000) articles; history, restore and
 * previews read more than one item: their warm time is reported without a target.
 */
const WARM_TARGET_ROUTES = new Set([
  'GET /articles',
  'GET /articles/{slug}',
  'POST /editor/articles',
  'GET /editor/articles',
  'GET /editor/articles/{slug}',
  'PUT /editor/articles/{slug}',
  'DELETE /editor/articles/{slug}',
]);

export interface FunctionResult {
  readonly id: string;
  readonly access: Access | 'reference' | 'write reference';
  readonly route: string;
  readonly bytes: number;
  readonly cold?: ColdResult;
  readonly warm?: WarmResult & { readonly overReferenceMs?: number };
}

export interface Check {
  readonly target: string;
  readonly subject: string;
  readonly value: number;
  readonly comparison: '<=' | '>=';
  readonly limit: number;
  readonly unit: string;
  readonly met: boolean;
}

export function check(
  target: string,
  subject: string,
  value: number,
  comparison: '<=' | '>=',
  limit: number,
  unit: string,
): Check {
  const met = Number.isFinite(value) && (comparison === '<=' ? value <= limit : value >= limit);
  return { target, subject, value, comparison, limit, unit, met };
}

export interface Results {
  readonly functions: readonly FunctionResult[];
  readonly readCapacity?: readonly SizeCost[];
  readonly throughput?: ThroughputResult;
}

export function targetChecks({ functions, readCapacity, throughput }: Results): Check[] {
  const checks: Check[] = [];
  const atMost = (target: string, subject: string, value: number, limit: number, unit: string) =>
    checks.push(check(target, subject, value, '<=', limit, unit));
  for (const fn of functions) {
    if (fn.access !== 'read' && fn.access !== 'write') continue;
    atMost('bundle', fn.id, fn.bytes / 1000, TARGETS.bundleKB[fn.access], 'KB');
    if (fn.cold)
      atMost('cold init ÷ GetItem reference', fn.id, fn.cold.ratio, TARGETS.coldRatio[fn.access], '×');
    if (fn.warm?.overReferenceMs !== undefined && WARM_TARGET_ROUTES.has(fn.route)) {
      atMost('warm p50 − reference', fn.id, fn.warm.overReferenceMs, TARGETS.warmOverReferenceMs, 'ms');
    }
    if (fn.warm) {
      const trips = Object.entries(fn.warm.roundTrips)
        .filter(([operation]) => isDynamoDbCall(operation))
        .reduce((sum, [, count]) => sum + count, 0);
      atMost('DynamoDB round trips', fn.id, trips, maxRoundTrips(fn.route), '');
    }
  }
  const [small, large] = readCapacity ?? [];
  for (const page of large?.pages ?? []) {
    const base = small?.pages.find((p) => p.page === page.page)?.rcu ?? Number.NaN;
    atMost(
      `list page RCU at ${large?.articles} ÷ at ${small?.articles}`,
      page.page,
      page.rcu / base,
      TARGETS.rcuGrowth,
      '×',
    );
  }
  if (throughput) {
    const target = 'local GET throughput ÷ direct GetItem';
    checks.push(check(target, 'GET /articles/{slug}', throughput.ratio, '>=', TARGETS.throughputRatio, '×'));
  }
  return checks;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const fixed = (value: number | undefined, digits = 2) => (value === undefined ? '—' : value.toFixed(digits));

function show(value: number, unit: string): string {
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit === 'ms') return `${value.toFixed(2)} ms`;
  if (unit === 'KB') return `${value.toFixed(1)} KB`;
  return String(Number(value.toFixed(2)));
}

export function formatCheck(c: Check): string {
  return `${c.met ? '✓' : '✗'} ${c.target}, ${c.subject}: ${show(c.value, c.unit)} (target ${c.comparison} ${show(c.limit, c.unit)})`;
}

/** The tables printed at the end of a run, in Markdown. */
export function renderReport(
  { functions, readCapacity, throughput }: Results,
  checks: readonly Check[],
): string {
  const header = [
    'function',
    'access',
    'bundle KB',
    'cold init ms',
    'cold ÷ ref',
    'warm p50 ms',
    'p99 ms',
    'p50 − ref ms',
  ];
  const parts = [
    table(
      header,
      functions.map(({ id, access, bytes, cold, warm }) => [
        ...[id, access, fixed(bytes / 1000, 1), fixed(cold?.medianMs, 1), fixed(cold?.ratio)],
        ...[fixed(warm?.p50Ms), fixed(warm?.p99Ms), fixed(warm?.overReferenceMs)],
      ]),
    ),
  ];
  const routes = functions.filter((fn) => fn.warm && (fn.access === 'read' || fn.access === 'write'));
  if (routes.length > 0) {
    const calls = (trips: Record<string, number>) =>
      Object.entries(trips)
        .sort()
        .map(([operation, count]) => `${count === 1 ? '' : `${count}× `}${operation}`);
    const rows = routes.map((fn) => [
      fn.route,
      calls(fn.warm?.roundTrips ?? {}).join(' + '),
      `${maxRoundTrips(fn.route)}`,
    ]);
    parts.push(table(['route', 'DynamoDB requests per invocation', 'at most'], rows));
  }
  const [small, large] = readCapacity ?? [];
  if (small && large) {
    const rows = large.pages.map(({ page, number, rcu }) => {
      const base = small.pages.find((p) => p.page === page);
      return [
        page,
        `${base?.rcu} (page ${base?.number})`,
        `${rcu} (page ${number})`,
        fixed(rcu / (base?.rcu ?? Number.NaN)),
      ];
    });
    parts.push(
      table(
        ['list page (20 items)', `RCU at ${small.articles} articles`, `at ${large.articles}`, 'ratio'],
        rows,
      ),
    );
  }
  if (throughput) {
    const { connections, server, direct } = throughput;
    parts.push(
      `GET /articles/{slug}, ${connections} connections: local server ${server.perSecond.toFixed(0)}/s, direct GetItem ${direct.perSecond.toFixed(0)}/s (${server.failures + direct.failures} failures).`,
    );
  }
  const missed = checks.filter((c) => !c.met).length;
  const verdict =
    missed === 0 ? `All ${checks.length} targets met.` : `${missed} of ${checks.length} targets missed.`;
  return [...parts, [...checks.map((c) => `- ${formatCheck(c)}`), '', verdict].join('\n')].join('\n\n');
}
