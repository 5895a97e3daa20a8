import { parseArgs } from 'node:util';

export const PHASES = ['build', 'cold', 'warm', 'rcu', 'throughput'] as const;
export type Phase = (typeof PHASES)[number];

export const USAGE = `npm run bench -- [options]

  --phases LIST           comma-separated subset of ${PHASES.join(',')} (default: all)
  --quick                 a short run: fewer samples, 2 000 articles instead of 10 000
  --cold-runs N           fresh processes per function (default 20; quick 5)
  --warm-invocations N    measured invocations per function (default 2000; quick 300)
  --sizes SMALL,LARGE     table sizes in articles (default 100,10000; quick 100,2000)
  --throughput-seconds S  measured seconds per side (default 8; quick 2)
  --connections N         concurrent connections (default 8)
  --out FILE              results file (default bench/results.json)
  --help`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${name} must be a positive integer: ${value}`);
  return parsed;
}

export function parseOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      phases: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'cold-runs': { type: 'string' },
      'warm-invocations': { type: 'string' },
      sizes: { type: 'string' },
      'throughput-seconds': { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string', default: 'bench/results.json' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick;
  const phases = new Set<Phase>();
  for (const name of values.phases?.split(',') ?? PHASES) {
    const phase = PHASES.find((known) => known === name.trim());
    if (phase === undefined) throw new Error(`unknown phase ${name}; known: ${PHASES.join(', ')}`);
    phases.add(phase);
  }
  // Cold, warm and rcu run the bundles.
  if (phases.has('cold') || phases.has('warm') || phases.has('rcu')) phases.add('build');
  const sizes = values.sizes?.split(',').map((size) => positiveInt('--sizes', size.trim(), 0)) ?? [
    100,
    quick ? 2000 : 10_000,
  ];
  const [small, large] = sizes;
  if (sizes.length !== 2 || small === undefined || large === undefined || small >= large) {
    throw new Error('--sizes takes two sizes, the smaller first');
  }
  const warmInvocations = positiveInt('--warm-invocations', values['warm-invocations'], quick ? 300 : 2000);
  return {
    phases,
    coldRuns: positiveInt('--cold-runs', values['cold-runs'], quick ? 5 : 20),
    warmInvocations,
    warmWarmup: Math.max(20, Math.round(warmInvocations / 10)),
    sizes: [small, large],
    throughputSeconds: positiveInt('--throughput-seconds', values['throughput-seconds'], quick ? 2 : 8),
    // V8 keeps optimizing the server and DynamoDB Local's JIT keeps compiling for seconds.
    throughputWarmupSeconds: quick ? 3 : 10,
    connections: positiveInt('--connections', values.connections, 8),
    out: values.out,
    help: values.help,
  };
}
