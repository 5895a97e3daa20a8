import { parseArgs } from 'node:util';

/**
 * Settings of a bench run: command-line flags, else environment variables, else the
 * defaults (which follow the performance issue: ≥ 25 cold starts, 2 000 warm invocations,
 * 100 and 10 000 articles).
 */

export const PHASES = ['build', 'cold', 'warm', 'rcu', 'throughput'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  readonly phases: ReadonlySet<Phase>;
  readonly coldRuns: number;
  readonly warmInvocations: number;
  readonly warmWarmup: number;
  readonly warmRounds: number;
  readonly sizes: readonly number[];
  readonly taggedAtLargest: number;
  readonly pageSize: number;
  readonly deepPages: number;
  readonly seedConcurrency: number;
  readonly throughputSeconds: number;
  readonly throughputWarmupSeconds: number;
  readonly connections: number;
  readonly verifySynth: boolean;
  readonly out: string;
  readonly help: boolean;
}

export const USAGE = `npm run bench -- [options]

  --phases LIST          comma-separated: ${PHASES.join(',')} (default: all)   BENCH_PHASES
  --cold-runs N          fresh processes per function for cold init (default 25)  BENCH_COLD_RUNS
  --warm-invocations N   measured invocations per function (default 2000)   BENCH_WARM_INVOCATIONS
  --warm-warmup N        unmeasured invocations first (default 200)         BENCH_WARM_WARMUP
  --warm-rounds N        rounds the invocations are split into (default 8)  BENCH_WARM_ROUNDS
  --sizes LIST           table sizes in articles (default 100,10000)        BENCH_SIZES
  --tagged N             tagged articles at the largest size (default 1000) BENCH_TAGGED
  --deep-pages N         pages in for the deep page (default 50)            BENCH_DEEP_PAGES
  --seed-concurrency N   BatchWriteItem requests in flight (default 4)      BENCH_SEED_CONCURRENCY
  --throughput-seconds S measured seconds per side (default 10)             BENCH_THROUGHPUT_SECONDS
  --connections N        concurrent connections / loops (default 8)         BENCH_CONNECTIONS
  --quick                a short run to try things: 9 cold runs, 500 invocations,
                         sizes 100,2000, 4 s of throughput (targets still checked)
  --verify-synth         also run a real \`cdk synth\` (about a minute) and check that
                         its bundles are byte for byte the bench's
  --out FILE             results file (default bench/results.json)
  --help`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${name} must be a positive integer: ${value}`);
  return parsed;
}

function intList(name: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined || value === '') return [...fallback];
  return value.split(',').map((part) => positiveInt(name, part.trim(), 0));
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      phases: { type: 'string' },
      'cold-runs': { type: 'string' },
      'warm-invocations': { type: 'string' },
      'warm-warmup': { type: 'string' },
      'warm-rounds': { type: 'string' },
      sizes: { type: 'string' },
      tagged: { type: 'string' },
      'deep-pages': { type: 'string' },
      'seed-concurrency': { type: 'string' },
      'throughput-seconds': { type: 'string' },
      connections: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'verify-synth': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  const pick = (flag: string | undefined, variable: string) => flag ?? env[variable];
  const phaseList = pick(values.phases, 'BENCH_PHASES');
  const phases = new Set<Phase>();
  for (const name of phaseList === undefined || phaseList === '' ? PHASES : phaseList.split(',')) {
    const phase = PHASES.find((known) => known === name.trim());
    if (phase === undefined) throw new Error(`unknown phase ${name}; known: ${PHASES.join(', ')}`);
    phases.add(phase);
  }
  // Cold, warm and the targets need the bundles.
  if (phases.has('cold') || phases.has('warm')) phases.add('build');
  const sizes = intList('--sizes', pick(values.sizes, 'BENCH_SIZES'), quick ? [100, 2000] : [100, 10_000]);
  if (sizes.length < 2) throw new Error('--sizes needs at least two sizes to compare');
  return {
    phases,
    coldRuns: positiveInt('--cold-runs', pick(values['cold-runs'], 'BENCH_COLD_RUNS'), quick ? 9 : 25),
    warmInvocations: positiveInt(
      '--warm-invocations',
      pick(values['warm-invocations'], 'BENCH_WARM_INVOCATIONS'),
      quick ? 500 : 2000,
    ),
    warmWarmup: positiveInt('--warm-warmup', pick(values['warm-warmup'], 'BENCH_WARM_WARMUP'), 200),
    warmRounds: positiveInt('--warm-rounds', pick(values['warm-rounds'], 'BENCH_WARM_ROUNDS'), 8),
    sizes,
    taggedAtLargest: positiveInt(
      '--tagged',
      pick(values.tagged, 'BENCH_TAGGED'),
      Math.round(Math.max(...sizes) / 10),
    ),
    pageSize: 20,
    deepPages: positiveInt('--deep-pages', pick(values['deep-pages'], 'BENCH_DEEP_PAGES'), 50),
    seedConcurrency: positiveInt(
      '--seed-concurrency',
      pick(values['seed-concurrency'], 'BENCH_SEED_CONCURRENCY'),
      4,
    ),
    throughputSeconds: positiveInt(
      '--throughput-seconds',
      pick(values['throughput-seconds'], 'BENCH_THROUGHPUT_SECONDS'),
      quick ? 4 : 10,
    ),
    // Unmeasured load first, on each side: DynamoDB Local's JIT and the local server's (V8
    // still optimizes hundreds of functions in the first 20 s; the server's CPU per request
    // falls about threefold over that time) must settle, so that steady state is measured.
    throughputWarmupSeconds: quick ? 4 : 20,
    connections: positiveInt('--connections', pick(values.connections, 'BENCH_CONNECTIONS'), 8),
    verifySynth: values['verify-synth'] === true,
    out: values.out ?? 'bench/results.json',
    help: values.help === true,
  };
}
