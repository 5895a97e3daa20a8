// `npm run bench`: builds every function as `cdk synth` does and measures, against a bare GetItem
// and a bare transaction as references, their bundle size, cold init, warm handler time and
// DynamoDB round trips, the read capacity of list pages as the table grows, and the local
// server's throughput. Prints the tables, writes bench/results.json, exits 1 on a missed target.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ROUTES, type RouteDefinition } from '../functions/core/routes.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type Bundle, buildBundle, lambdaEnvironments } from './build.ts';
import { type ColdResult, measureCold } from './cold.ts';
import { parseOptions, USAGE } from './options.ts';
import { measureReadCapacity, type SizeCost } from './rcu.ts';
import { type FunctionResult, renderReport, targetChecks } from './report.ts';
import { measureThroughput, type ThroughputResult } from './throughput.ts';
import { measureWarm, seedWarmData, type WarmResult, warmRequest } from './warm.ts';

const log = (line: string) => console.error(`[bench] ${line}`);
// Lambda runs Node 24; the SDK's warning for older versions would only add noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Subject extends Bundle {
  readonly id: string;
  readonly access: FunctionResult['access'];
  readonly route: RouteDefinition;
  readonly env: Record<string, string>;
}

async function buildSubjects(): Promise<Subject[]> {
  log('synthesizing the stack for the functions’ environment, then bundling');
  const environments = lambdaEnvironments();
  const subject = async (id: string, access: Subject['access'], entry: string, route: string) => {
    const of = ROUTES.find((r) => `${r.method} ${r.resource}` === route);
    const env = environments.get(of?.id ?? '');
    if (of === undefined || env === undefined) throw new Error(`no function for ${route} in the stack`);
    return {
      id,
      access,
      route: of,
      env: { ...env, AWS_LAMBDA_FUNCTION_NAME: id },
      ...(await buildBundle(id, entry)),
    };
  };
  return Promise.all([
    subject('Reference', 'reference', 'bench/reference/get-item.ts', 'GET /articles/{slug}'),
    subject(
      'WriteReference',
      'write reference',
      'bench/reference/transact-write.ts',
      'POST /editor/articles',
    ),
    // The same reference asked to replace an article: it reads the head first.
    subject(
      'ReadWriteReference',
      'write reference',
      'bench/reference/transact-write.ts',
      'PUT /editor/articles/{slug}',
    ),
    ...ROUTES.map((r) =>
      subject(r.id, r.method === 'GET' ? 'read' : 'write', r.entry, `${r.method} ${r.resource}`),
    ),
  ]);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const loadAtStart = loadavg();
  log(`${availableParallelism()} vCPU, load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`);
  const subjects = options.phases.has('build') ? await buildSubjects() : [];
  const [reference, writeReference, readWriteReference] = subjects;
  const functions = subjects.filter((s) => s.access === 'read' || s.access === 'write');
  const fn = (route: string) => {
    const found = functions.find((s) => `${s.route.method} ${s.route.resource}` === route);
    if (found === undefined) throw new Error(`no function for ${route}`);
    return found;
  };

  let cold = new Map<string, ColdResult>();
  if (options.phases.has('cold') && reference) {
    log(`cold init: ${options.coldRuns} rounds of ${functions.length} functions, each beside the reference`);
    cold = await measureCold(reference, functions, options.coldRuns);
  }

  let warm = new Map<string, WarmResult>();
  if (options.phases.has('warm')) {
    log(
      `warm: ${options.warmWarmup} + ${options.warmInvocations} invocations of each function, DynamoDB stubbed`,
    );
    const data = await seedWarmData(fn('POST /editor/articles'));
    try {
      const cases = subjects.map((s) => ({ ...s, ...warmRequest(s.route, data) }));
      warm = await measureWarm(cases, data.stub, {
        invocations: options.warmInvocations,
        warmup: options.warmWarmup,
        onRound: (round, rounds) => log(`warm: round ${round}/${rounds}`),
      });
    } finally {
      await data.stub.close();
    }
  }

  let readCapacity: SizeCost[] | undefined;
  let throughput: ThroughputResult | undefined;
  if (options.phases.has('rcu') || options.phases.has('throughput')) {
    log('starting DynamoDB Local');
    const ddb = await startDynamoDbLocal({});
    try {
      if (options.phases.has('rcu')) {
        const lists = {
          create: fn('POST /editor/articles'),
          list: fn('GET /articles'),
          editorList: fn('GET /editor/articles'),
          feed: fn('GET /feed.xml'),
        };
        readCapacity = await measureReadCapacity(ddb.endpoint, options.sizes, lists, log);
      }
      if (options.phases.has('throughput')) {
        log(
          `throughput: ${options.connections} connections, ${options.throughputSeconds} s a side after a warm-up`,
        );
        throughput = await measureThroughput(ddb.endpoint, options);
      }
    } finally {
      await ddb.stop();
    }
  }

  const functionResults = subjects.map((s): FunctionResult => {
    const result = warm.get(s.id);
    // Reads over the GetItem reference; writes over the bare transaction, read first for
    // the writes that read the current version first (update, take-down).
    const matchingReference =
      s.access !== 'write' ? reference : s.route.store.includes('get') ? readWriteReference : writeReference;
    const matching = warm.get(matchingReference?.id ?? '');
    const overReferenceMs =
      result && matching && functions.includes(s) ? result.p50Ms - matching.p50Ms : undefined;
    return {
      id: s.id,
      access: s.access,
      route: `${s.route.method} ${s.route.resource}`,
      bytes: s.bytes,
      cold: cold.get(s.id),
      warm: result && { ...result, overReferenceMs },
    };
  });
  const results = { functions: functionResults, readCapacity, throughput };
  const targets = targetChecks(results);
  const file = resolve(PROJECT_ROOT, options.out);
  writeFileSync(
    file,
    JSON.stringify({
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
        ' ',
      ),
      machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, node: process.version },
      loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
      settings: { ...options, phases: [...options.phases] },
      ...results,
      targets,
      passed: targets.every((c) => c.met),
    }),
  );
  // In the repository's format, so that `npm run lint` stays green.
  spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
    stdio: 'ignore',
  });
  console.log(renderReport(results, targets));
  log(`results written to ${options.out} in ${Math.round((Date.now() - started) / 1000)} s`);
  return targets.every((c) => c.met) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error);
  process.exitCode = 2;
}
