import type { SizeCost } from './rcu.ts';
import type { TargetCheck } from './targets.ts';
import type { ThroughputResult } from './throughput.ts';

/** The results file (bench/results.json) and the tables printed from it. */

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memory: string;
  readonly node: string;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd?: readonly number[];
}

export interface ColdResult {
  readonly runs: number;
  /** Median wall-clock import time, milliseconds. */
  readonly medianMs: number;
  /** Median CPU time (user + system) of the import, milliseconds. */
  readonly cpuMedianMs: number;
  /** Median of the ratios of each sample to the reference's sample taken beside it (wall clock). */
  readonly ratio: number;
  /** The same on CPU time. */
  readonly cpuRatio: number;
  /** Wall-clock samples, milliseconds, in order. */
  readonly samplesMs: readonly number[];
  /** The reference's samples taken beside them. */
  readonly referenceSamplesMs: readonly number[];
}

export interface WarmResult {
  readonly invocations: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuP50Ms: number;
  /** p50Ms minus the reference's p50Ms. */
  readonly overheadP50Ms: number;
  /** Create and update: p50Ms minus the write reference's (a bare transaction; no target). */
  readonly overWriteReferenceP50Ms?: number;
  readonly cpuOverheadP50Ms: number;
  readonly ratioP50: number;
  readonly ratioP99: number;
  /** DynamoDB requests per invocation, by operation. */
  readonly dynamodbCalls: Record<string, number>;
  /** Items DynamoDB returned per invocation. */
  readonly itemsRead: number;
}

export interface FunctionResult {
  readonly id: string;
  readonly access: 'read' | 'write' | 'reference' | 'write-reference';
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sha256: string;
  readonly metaFile: string;
  readonly topInputs: readonly { readonly name: string; readonly bytes: number }[];
  /** Packages (or own files) this bundle holds more bytes of than the reference. */
  readonly overReference: readonly { readonly name: string; readonly bytes: number }[];
  readonly cold?: ColdResult;
  readonly warm?: WarmResult;
}

export interface RcuGrowth {
  readonly kind: string;
  readonly smallest: number;
  readonly largest: number;
  readonly ratio: number;
}

export interface BenchResults {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly command: string;
  readonly machine: Machine;
  readonly settings: Record<string, unknown>;
  readonly bundling: Record<string, unknown> & { readonly verifiedAgainstSynth: boolean | null };
  readonly functions: readonly FunctionResult[];
  readonly readCapacity?: { readonly sizes: readonly SizeCost[]; readonly growth: readonly RcuGrowth[] };
  readonly throughput?: ThroughputResult & { readonly ratio: number };
  readonly targets: readonly TargetCheck[];
  readonly notMeasured: readonly string[];
  readonly passed: boolean;
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const ms = (value: number, digits = 2) => value.toFixed(digits);
const times = (value: number) => `${value.toFixed(2)}×`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
const thousands = (value: number) => value.toLocaleString('en-US').replace(/,/g, ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[], right: Set<number>): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (right.has(i) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function calls(dynamodbCalls: Record<string, number>): string {
  const parts = Object.entries(dynamodbCalls).map(([operation, count]) =>
    count === 1 ? operation : `${count.toFixed(1)}× ${operation}`,
  );
  return parts.length === 0 ? '—' : parts.join(' + ');
}

export function functionsTable(results: BenchResults): string {
  const rows = results.functions.map((fn) => [
    fn.access === 'reference'
      ? `${fn.id} (bare GetItem)`
      : fn.access === 'write-reference'
        ? `${fn.id} (bare transaction)`
        : fn.id,
    fn.access,
    kb(fn.bytes),
    kb(fn.gzipBytes),
    fn.cold === undefined ? '—' : ms(fn.cold.medianMs, 1),
    fn.cold === undefined ? '—' : times(fn.cold.ratio),
    fn.cold === undefined ? '—' : times(fn.cold.cpuRatio),
    fn.warm === undefined ? '—' : ms(fn.warm.p50Ms),
    fn.warm === undefined ? '—' : ms(fn.warm.p99Ms),
    fn.warm === undefined || fn.access === 'reference' ? '—' : signed(fn.warm.overheadP50Ms),
    fn.warm?.overWriteReferenceP50Ms === undefined ? '—' : signed(fn.warm.overWriteReferenceP50Ms),
    fn.warm === undefined ? '—' : calls(fn.warm.dynamodbCalls),
  ]);
  return table(
    [
      'function',
      'access',
      'bundle KB',
      'gzip KB',
      'cold init ms',
      'cold ×ref',
      '(CPU ×ref)',
      'warm p50 ms',
      'warm p99 ms',
      'p50 − ref ms',
      'p50 − write ref ms',
      'DynamoDB calls',
    ],
    rows,
    new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
}

export function rcuTable(results: BenchResults): string | undefined {
  const capacity = results.readCapacity;
  if (capacity === undefined) return undefined;
  const sizes = capacity.sizes;
  const kinds = sizes[0]?.pages.map((page) => page.kind) ?? [];
  const rows = kinds.map((kind) => {
    const cells = sizes.map((size) => {
      const page = size.pages.find((p) => p.kind === kind);
      return page === undefined ? '—' : `${page.rcu} (p${page.page}, ${page.scanned} read)`;
    });
    const growth = capacity.growth.find((g) => g.kind === kind);
    return [kind, ...cells, growth === undefined ? '—' : times(growth.ratio)];
  });
  return table(
    [
      'list page (20 items)',
      ...sizes.map((size) => `RCU at ${thousands(size.articles)} articles`),
      'largest ÷ smallest',
    ],
    rows,
    new Set(sizes.map((_, i) => i + 1).concat([sizes.length + 1])),
  );
}

export function throughputTable(results: BenchResults): string | undefined {
  const t = results.throughput;
  if (t === undefined) return undefined;
  const cpu = (r: ThroughputResult['server']) =>
    r.cpuMsPerRequest === undefined
      ? '—'
      : `${ms(r.cpuMsPerRequest.client)} + ${ms(r.cpuMsPerRequest.server)} + ${ms(r.cpuMsPerRequest.dynamodbLocal)}`;
  const row = (name: string, r: ThroughputResult['server']) => [
    name,
    r.perSecond.toFixed(0),
    ms(r.p50Ms, 1),
    ms(r.p99Ms, 1),
    String(r.failures),
    cpu(r),
  ];
  return table(
    [
      `GET ${t.path.replace(/\/articles\/.*/, '/articles/{slug}')}, ${t.connections} conn., ${t.seconds} s`,
      'req/s',
      'p50 ms',
      'p99 ms',
      'failed',
      'CPU ms/request: client + server + DynamoDB Local',
    ],
    [
      row('local server (autocannon)', t.server),
      row('direct GetItem (SDK loops)', t.direct),
      ['server ÷ direct', times(t.ratio), '', '', '', ''],
    ],
    new Set([1, 2, 3, 4]),
  );
}

export function formatCheck(c: TargetCheck): string {
  const value = c.unit === '×' ? times(c.value) : `${c.value.toFixed(c.unit === 'ms' ? 2 : 1)} ${c.unit}`;
  const limit = c.unit === '×' ? times(c.limit) : `${c.limit} ${c.unit}`;
  return `${c.met ? '✓' : '✗'} ${c.target}, ${c.subject}: ${value} (target ${c.comparison} ${limit})${c.met || c.why === undefined ? '' : ` — ${c.why}`}`;
}

export function machineLine(m: Machine): string {
  return `${m.cpus} vCPU (${m.cpuModel}), ${m.memory} RAM, Node ${m.node}, ${m.os}; load average ${m.loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')} at start`;
}

/** Everything printed at the end of a run (Markdown, readable in a terminal). */
export function renderReport(results: BenchResults): string {
  const parts = [
    `### Functions against the reference (${machineLine(results.machine)})`,
    '',
    functionsTable(results),
  ];
  const rcu = rcuTable(results);
  if (rcu !== undefined) parts.push('', '### Read capacity of list pages against table size', '', rcu);
  const throughput = throughputTable(results);
  if (throughput !== undefined) parts.push('', '### Local server throughput', '', throughput);
  parts.push('', '### Targets', '', ...results.targets.map((c) => `- ${formatCheck(c)}`));
  if (results.notMeasured.length > 0)
    parts.push(`- not measured in this run: ${results.notMeasured.join(', ')}`);
  const missed = results.targets.filter((c) => !c.met).length;
  parts.push(
    '',
    missed === 0
      ? `All ${results.targets.length} targets met.`
      : `${missed} of ${results.targets.length} targets missed.`,
  );
  return parts.join('\n');
}
