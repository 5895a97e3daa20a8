/**
 * `npm run bench`: Newsdesk's functions against the leanest possible handler
 * (bench/reference/get-item.ts), and the budget they are held to. See README.md, Performance.
 *
 * Phases: build (bundles exactly as `cdk synth` builds them) → cold (init time over fresh
 * processes) → warm (handler time, DynamoDB stubbed) → rcu (read capacity of list pages at
 * two table sizes, DynamoDB Local) → throughput (local server against direct GetItem).
 * Prints the tables, writes bench/results.json, exits 1 when a target is missed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem, type } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ROUTES } from '../functions/core/routes.ts';
import { BUNDLING } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type BuiltBundle, buildFunction, buildHelper, packageOf } from './build.ts';
import { type ColdPair, type ColdSample, measureColdStarts } from './cold.ts';
import { BENCH_REFERENCE_TABLE_NAME, childEnvironment, resolveEnvironment } from './env.ts';
import { type BenchOptions, parseOptions, USAGE } from './options.ts';
import { measureReadCapacity, type SizeCost } from './rcu.ts';
import {
  type BenchResults,
  type ColdResult,
  type FunctionResult,
  type Machine,
  type RcuGrowth,
  renderReport,
  type WarmResult,
} from './report.ts';
import { median, percentile, ratio, round } from './stats.ts';
import { synthesizeFunctions } from './synth.ts';
import { type Access, BUDGET, check, type TargetCheck } from './targets.ts';
import { measureThroughput, type ThroughputResult } from './throughput.ts';
import { benchStubData, measureWarm, type WarmSamples, warmRequestFor } from './warm.ts';

const REFERENCE = { id: 'Reference', entry: 'bench/reference/get-item.ts' } as const;
/** The route whose request the reference answers (it fetches one article). */
const REFERENCE_ROUTE = 'GetArticle';
/**
 * The write reference (bench/reference/transact-write.ts): a bare transaction writing an
 * article's items, measured warm only and held to no target. The writes' time beside it is
 * what Newsdesk's own code adds to the transaction.
 */
const WRITE_REFERENCE = { id: 'WriteReference', entry: 'bench/reference/transact-write.ts' } as const;
/** The route whose request the write reference answers (it writes a new article). */
const WRITE_REFERENCE_ROUTE = 'CreateArticle';

// Lambda runs Node 24; the SDK's notice about older Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (line: string) => console.error(`[bench] ${line}`);

function machine(): Machine {
  let cpuModel = 'unknown CPU';
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (model?.[1] !== undefined) cpuModel = model[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverageAtStart: loadavg(),
  };
}

interface Subject {
  readonly id: string;
  readonly access: Access | 'reference' | 'write-reference';
  readonly entry: string;
  readonly bundle: BuiltBundle;
  readonly env: Record<string, string>;
}

/** Bytes by package that `bundle` holds beyond the reference's, heaviest first. */
function overReference(meta: string, referenceMeta: string): { name: string; bytes: number }[] {
  const totals = (file: string) => {
    const metafile = JSON.parse(readFileSync(join(PROJECT_ROOT, file), 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const byName = new Map<string, number>();
    for (const output of Object.values(metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const name = packageOf(input);
        byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
      }
    }
    return byName;
  };
  const mine = totals(meta);
  const theirs = totals(referenceMeta);
  return [...mine.entries()]
    .map(([name, bytes]) => ({ name, bytes: bytes - (theirs.get(name) ?? 0) }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
}

async function buildAll(options: BenchOptions): Promise<{ subjects: Subject[]; verified: boolean | null }> {
  log(
    options.verifySynth
      ? 'synthesizing the stack with bundling (cdk synth), about a minute'
      : 'synthesizing the stack (no bundling) for the functions’ environment',
  );
  const synthesized = synthesizeFunctions({ bundle: options.verifySynth });
  const byId = new Map(synthesized.map((fn) => [fn.id, fn]));
  const environmentOf = (id: string) => {
    const fn = byId.get(id);
    if (fn === undefined) throw new Error(`the synthesized stack has no function ${id}`);
    return childEnvironment(
      { functionName: `Newsdesk-${id}Function-BENCH`, memorySize: fn.memorySize, runtime: fn.runtime },
      resolveEnvironment(fn.environment),
    );
  };
  const subjects: Subject[] = [];
  log('building the reference and every route’s bundle (lib/bundling.ts settings)');
  subjects.push({
    id: REFERENCE.id,
    access: 'reference',
    entry: REFERENCE.entry,
    bundle: await buildFunction(REFERENCE.id, REFERENCE.entry),
    env: {
      ...environmentOf(REFERENCE_ROUTE),
      AWS_LAMBDA_FUNCTION_NAME: 'Reference-GetItem-BENCH',
      TABLE_NAME: BENCH_REFERENCE_TABLE_NAME,
    },
  });
  subjects.push({
    id: WRITE_REFERENCE.id,
    access: 'write-reference',
    entry: WRITE_REFERENCE.entry,
    bundle: await buildFunction(WRITE_REFERENCE.id, WRITE_REFERENCE.entry),
    env: {
      ...environmentOf(WRITE_REFERENCE_ROUTE),
      AWS_LAMBDA_FUNCTION_NAME: 'Reference-TransactWrite-BENCH',
    },
  });
  let verified: boolean | null = options.verifySynth ? true : null;
  for (const route of ROUTES) {
    const bundle = await buildFunction(route.id, route.entry);
    const cdkBundle = byId.get(route.id)?.bundle;
    if (options.verifySynth) {
      const same = cdkBundle?.equals(readFileSync(bundle.file)) === true;
      if (!same) {
        verified = false;
        log(`✗ ${route.id}: the bench's bundle differs from cdk synth's`);
      }
    }
    subjects.push({
      id: route.id,
      access: route.access,
      entry: route.entry,
      bundle,
      env: environmentOf(route.id),
    });
  }
  if (verified === true) log('✓ every bundle is byte for byte the one cdk synth builds');
  return { subjects, verified };
}

function coldResults(pairs: Map<string, ColdPair[]>, runs: number): Map<string, ColdResult> {
  const results = new Map<string, ColdResult>();
  const allReference: ColdSample[] = [];
  for (const [id, list] of pairs) {
    allReference.push(...list.map((pair) => pair.reference));
    results.set(id, {
      runs,
      medianMs: median(list.map((pair) => pair.subject.wallMs)),
      cpuMedianMs: median(list.map((pair) => pair.subject.cpuMs)),
      ratio: median(list.map((pair) => ratio(pair.subject.wallMs, pair.reference.wallMs))),
      cpuRatio: median(list.map((pair) => ratio(pair.subject.cpuMs, pair.reference.cpuMs))),
      samplesMs: list.map((pair) => round(pair.subject.wallMs, 2)),
      referenceSamplesMs: list.map((pair) => round(pair.reference.wallMs, 2)),
    });
  }
  if (allReference.length > 0) {
    results.set(REFERENCE.id, {
      runs: allReference.length,
      medianMs: median(allReference.map((sample) => sample.wallMs)),
      cpuMedianMs: median(allReference.map((sample) => sample.cpuMs)),
      ratio: 1,
      cpuRatio: 1,
      samplesMs: allReference.map((sample) => round(sample.wallMs, 2)),
      referenceSamplesMs: [],
    });
  }
  return results;
}

function warmResults(samples: Map<string, WarmSamples>): Map<string, WarmResult> {
  const reference = samples.get(REFERENCE.id);
  if (reference === undefined) throw new Error('no warm samples of the reference');
  const refP50 = median(reference.durations);
  const refP99 = percentile(reference.durations, 99);
  const refCpu = median(reference.cpu);
  const writeReference = samples.get(WRITE_REFERENCE.id);
  const writeRefP50 = writeReference === undefined ? undefined : median(writeReference.durations);
  // The routes that write a whole article, as the write reference does (not a take-down).
  const articleWrites = new Set(
    ROUTES.filter((route) => route.method === 'POST' || route.method === 'PUT').map((route) => route.id),
  );
  const results = new Map<string, WarmResult>();
  for (const [id, s] of samples) {
    const p50 = median(s.durations);
    const p99 = percentile(s.durations, 99);
    const cpu = median(s.cpu);
    results.set(id, {
      invocations: s.durations.length,
      p50Ms: p50,
      p99Ms: p99,
      cpuP50Ms: cpu,
      overheadP50Ms: p50 - refP50,
      cpuOverheadP50Ms: cpu - refCpu,
      ratioP50: ratio(p50, refP50),
      ratioP99: ratio(p99, refP99),
      ...(writeRefP50 !== undefined && articleWrites.has(id)
        ? { overWriteReferenceP50Ms: p50 - writeRefP50 }
        : {}),
      dynamodbCalls: s.dynamodbCalls,
      itemsRead: s.itemsRead,
    });
  }
  return results;
}

function rcuGrowth(sizes: readonly SizeCost[]): RcuGrowth[] {
  const smallest = sizes.reduce((a, b) => (b.articles < a.articles ? b : a));
  const largest = sizes.reduce((a, b) => (b.articles > a.articles ? b : a));
  return smallest.pages.map((page) => {
    const big = largest.pages.find((p) => p.kind === page.kind);
    const value = big?.rcu ?? Number.NaN;
    return { kind: page.kind, smallest: page.rcu, largest: value, ratio: value / page.rcu };
  });
}

function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}

function targetChecks(
  functions: readonly FunctionResult[],
  growth: readonly RcuGrowth[] | undefined,
  throughput: (ThroughputResult & { ratio: number }) | undefined,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const reference = functions.find((fn) => fn.access === 'reference');
  const heaviest = (fn: FunctionResult) =>
    `heaviest beyond the reference: ${fn.overReference
      .slice(0, 5)
      .map((entry) => `${entry.name} ${(entry.bytes / 1000).toFixed(1)} KB`)
      .join(', ')} (bench/meta/${fn.id}.json)`;
  for (const fn of functions) {
    if (fn.access === 'reference' || fn.access === 'write-reference') continue;
    const bundle = check('bundle', fn.id, fn.bytes / 1000, '<=', BUDGET.bundleBytes[fn.access] / 1000, 'KB');
    checks.push(bundle.met ? bundle : { ...bundle, why: heaviest(fn) });
    if (fn.cold !== undefined) {
      const cold = check('cold init', fn.id, fn.cold.ratio, '<=', BUDGET.coldRatio[fn.access], '×');
      checks.push(
        cold.met
          ? cold
          : {
              ...cold,
              why: `${fn.cold.medianMs.toFixed(1)} ms against ${reference?.cold?.medianMs.toFixed(1)} ms (CPU ${fn.cold.cpuRatio.toFixed(2)}×); ${heaviest(fn)}`,
            },
      );
    }
    if (fn.warm !== undefined) {
      const warm = check(
        'warm p50 over reference',
        fn.id,
        fn.warm.overheadP50Ms,
        '<=',
        BUDGET.warmOverheadP50Ms,
        'ms',
      );
      const refCalls = totalCalls(reference?.warm?.dynamodbCalls ?? {});
      const myCalls = totalCalls(fn.warm.dynamodbCalls);
      const refItems = reference?.warm?.itemsRead ?? 1;
      checks.push(
        warm.met
          ? warm
          : {
              ...warm,
              why: [
                `CPU p50 ${fn.warm.cpuOverheadP50Ms >= 0 ? '+' : ''}${fn.warm.cpuOverheadP50Ms.toFixed(2)} ms over the reference`,
                ...(myCalls > refCalls
                  ? [`${myCalls} DynamoDB round trips per request against the reference's ${refCalls}`]
                  : []),
                ...(fn.warm.itemsRead > refItems
                  ? [`${fn.warm.itemsRead} items read per request against the reference's ${refItems}`]
                  : []),
              ].join('; '),
            },
      );
    }
  }
  for (const g of growth ?? []) {
    checks.push(
      check('list page RCU, largest ÷ smallest table', g.kind, g.ratio, '<=', BUDGET.rcuGrowth, '×'),
    );
  }
  if (throughput !== undefined) {
    checks.push(
      check(
        'local GET throughput ÷ direct GetItem',
        'GET /articles/{slug}',
        throughput.ratio,
        '>=',
        BUDGET.throughputRatio,
        '×',
      ),
    );
  }
  return checks;
}

/** Formats a file written here with the repository's formatter, so `npm run lint` stays green. */
function formatLikeTheRepository(file: string): void {
  const biome = join(PROJECT_ROOT, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return;
  const result = spawnSync(biome, ['format', '--write', file], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  if (result.status !== 0) log(`could not format ${relative(PROJECT_ROOT, file)} with biome`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const info = machine();
  log(
    `on ${info.cpus} vCPU ${info.cpuModel}, Node ${info.node}, load average ${info.loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const notMeasured: string[] = [];

  let subjects: Subject[] = [];
  let verified: boolean | null = null;
  if (options.phases.has('build')) ({ subjects, verified } = await buildAll(options));

  let cold = new Map<string, ColdResult>();
  if (options.phases.has('cold')) {
    const [reference, ...functions] = subjects
      .filter((s) => s.access !== 'write-reference')
      .map((s) => ({ id: s.id, file: s.bundle.file, env: s.env }));
    if (reference === undefined) throw new Error('nothing was built');
    log(`cold init: ${options.coldRuns} rounds of ${functions.length} functions, each beside the reference`);
    const samples = await measureColdStarts(reference, functions, options.coldRuns, (round) => {
      if (round % 5 === 0 || round === options.coldRuns) log(`cold init: round ${round}/${options.coldRuns}`);
    });
    cold = coldResults(samples, options.coldRuns);
  } else notMeasured.push('cold init');

  let warm = new Map<string, WarmResult>();
  if (options.phases.has('warm')) {
    log(
      `warm: ${options.warmWarmup} + ${options.warmInvocations} invocations per function, stubbed DynamoDB`,
    );
    const [warmChild, stubChild, stub] = await Promise.all([
      buildHelper('bench/warm-child.ts', 'warm-child'),
      buildHelper('bench/stub-child.ts', 'stub-child'),
      benchStubData(),
    ]);
    const routes = new Map(ROUTES.map((route) => [route.id, route]));
    const samples = await measureWarm(
      subjects.map((s) => {
        const route = routes.get(
          s.access === 'reference'
            ? REFERENCE_ROUTE
            : s.access === 'write-reference'
              ? WRITE_REFERENCE_ROUTE
              : s.id,
        );
        if (route === undefined) throw new Error(`no route ${s.id}`);
        return { id: s.id, file: s.bundle.file, env: s.env, request: warmRequestFor(route, stub) };
      }),
      {
        invocations: options.warmInvocations,
        warmup: options.warmWarmup,
        rounds: options.warmRounds,
        warmChild,
        stubChild,
        stubData: stub.data,
        onProgress: log,
      },
    );
    warm = warmResults(samples);
  } else notMeasured.push('warm handler time');

  let readCapacity: BenchResults['readCapacity'];
  let throughput: BenchResults['throughput'];
  if (options.phases.has('rcu') || options.phases.has('throughput')) {
    log('starting DynamoDB Local (in memory)');
    const ddb = await startDynamoDbLocal({});
    try {
      if (options.phases.has('rcu')) {
        const sizes = await measureReadCapacity(ddb.endpoint, {
          sizes: options.sizes,
          pageSize: options.pageSize,
          deepPages: options.deepPages,
          taggedAtLargest: options.taggedAtLargest,
          concurrency: options.seedConcurrency,
          onProgress: log,
        });
        readCapacity = { sizes, growth: rcuGrowth(sizes) };
      }
      if (options.phases.has('throughput')) {
        log(`throughput: ${options.connections} connections, ${options.throughputSeconds} s per side`);
        const result = await measureThroughput({
          endpoint: ddb.endpoint,
          dynamodbPid: ddb.pid,
          connections: options.connections,
          seconds: options.throughputSeconds,
          warmupSeconds: options.throughputWarmupSeconds,
          onProgress: log,
        });
        throughput = { ...result, ratio: result.server.perSecond / result.direct.perSecond };
      }
    } finally {
      await ddb.stop();
    }
  }
  if (!options.phases.has('rcu')) notMeasured.push('list page read capacity');
  if (!options.phases.has('throughput')) notMeasured.push('local server throughput');

  const referenceMeta = subjects.find((s) => s.access === 'reference')?.bundle.metaFile;
  const functions: FunctionResult[] = subjects.map((s) => ({
    id: s.id,
    access: s.access,
    entry: s.entry,
    bytes: s.bundle.bytes,
    gzipBytes: s.bundle.gzipBytes,
    sha256: s.bundle.sha256,
    metaFile: s.bundle.metaFile,
    topInputs: s.bundle.topInputs,
    overReference:
      referenceMeta === undefined || (s.access !== 'read' && s.access !== 'write')
        ? []
        : overReference(s.bundle.metaFile, referenceMeta),
    ...(cold.has(s.id) ? { cold: cold.get(s.id) } : {}),
    ...(warm.has(s.id) ? { warm: warm.get(s.id) } : {}),
  }));
  const targets = targetChecks(functions, readCapacity?.growth, throughput);
  const finishedAt = new Date();
  const { phases, out, help, ...settings } = options;
  const results: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine: { ...info, loadAverageAtEnd: loadavg() },
    settings: { phases: [...phases], ...settings },
    bundling: { ...BUNDLING, format: String(BUNDLING.format), verifiedAgainstSynth: verified },
    functions,
    ...(readCapacity === undefined ? {} : { readCapacity }),
    ...(throughput === undefined ? {} : { throughput }),
    targets,
    notMeasured,
    passed: targets.every((c) => c.met),
  };
  const outFile = resolve(PROJECT_ROOT, out);
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  formatLikeTheRepository(outFile);
  console.log(renderReport(results));
  log(`results written to ${relative(PROJECT_ROOT, outFile)} in ${results.durationSeconds} s`);
  return results.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 2;
  },
);
