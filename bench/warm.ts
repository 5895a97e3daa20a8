import { signPreviewToken } from '../functions/core/preview.ts';
import type { RouteDefinition } from '../functions/core/routes.ts';
import type { DynamoStub } from './dynamodb.ts';
import { BENCH_PREVIEW_KEY } from './dynamodb.ts';
import { type LambdaBundle, type LambdaProcess, routeEvent, startLambda } from './lambda.ts';
import { type ArticleInput, benchArticle, sampleArticle, seedThroughStub } from './seed.ts';
import { median, percentile, rotate } from './stats.ts';

export interface WarmRequest {
  readonly event: unknown;
  readonly expected: number;
}

export interface WarmSubject extends WarmRequest, LambdaBundle {
  readonly id: string;
}

export interface WarmResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuP50Ms: number;
  /** DynamoDB requests per invocation, by operation. */
  readonly roundTrips: Record<string, number>;
}

const PAGE = 20;
const ROUNDS = 8;

/** A frozen stub holding the sample article and a page and more of others; the sample's ETag. */
export async function seedWarmData(create: LambdaBundle) {
  const sample = sampleArticle();
  const others = Array.from({ length: PAGE + 1 }, (_, i) => benchArticle(i, 'A short body.', ['news']));
  const { stub, responses } = await seedThroughStub(create, [sample, ...others]);
  stub.freeze();
  const etag = responses[0]?.headers?.ETag;
  if (etag === undefined) throw new Error('the create function answered no ETag');
  return { stub, sample, etag };
}

/** The request each route is measured with; a route the bench does not know is an error. */
export function warmRequest(
  route: Pick<RouteDefinition, 'id' | 'method' | 'resource' | 'auth'>,
  { sample, etag }: { sample: ArticleInput; etag: string },
): WarmRequest {
  const { slug = '', ...fields } = sample;
  // A changed body, so that the update renders Markdown as a real edit does.
  const update = { ...fields, body: `${fields.body}\n\nUpdate: this story has been updated.` };
  switch (`${route.method} ${route.resource}`) {
    case 'GET /articles':
    case 'GET /editor/articles':
      return { event: routeEvent(route, { query: `limit=${PAGE}` }), expected: 200 };
    case 'GET /articles/{slug}':
    case 'GET /editor/articles/{slug}':
      return { event: routeEvent(route, { params: { slug: String(slug) } }), expected: 200 };
    case 'POST /editor/articles':
      return { event: routeEvent(route, { body: sample }), expected: 201 };
    case 'PUT /editor/articles/{slug}':
      return {
        event: routeEvent(route, {
          params: { slug: String(slug) },
          headers: { 'If-Match': etag },
          body: update,
        }),
        expected: 200,
      };
    case 'DELETE /editor/articles/{slug}':
      return {
        event: routeEvent(route, { params: { slug: String(slug) }, headers: { 'If-Match': etag } }),
        expected: 204,
      };
    case 'GET /feed.xml':
    case 'GET /feed.atom':
    case 'GET /feed.json':
    case 'GET /sitemap.xml':
    case 'GET /news-sitemap.xml':
      return { event: routeEvent(route, {}), expected: 200 };
    case 'GET /sitemaps/{month}':
      return {
        event: routeEvent(route, { params: { month: `${String(sample.publishedAt).slice(0, 7)}.xml` } }),
        expected: 200,
      };
    case 'GET /editor/articles/{slug}/revisions':
      return { event: routeEvent(route, { params: { slug: String(slug) } }), expected: 200 };
    case 'GET /editor/articles/{slug}/revisions/{version}':
      return { event: routeEvent(route, { params: { slug: String(slug), version: '1' } }), expected: 200 };
    case 'POST /editor/articles/{slug}/revisions/{version}/restore':
      return {
        event: routeEvent(route, {
          params: { slug: String(slug), version: '1' },
          headers: { 'If-Match': etag },
        }),
        expected: 200,
      };
    case 'POST /editor/articles/{slug}/preview':
      return { event: routeEvent(route, { params: { slug: String(slug) } }), expected: 201 };
    case 'GET /preview/{token}': {
      // A link to the sample's first version, signed with the key the stub answers for.
      const token = signPreviewToken(BENCH_PREVIEW_KEY, {
        slug: String(slug),
        version: 1,
        expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      });
      return { event: routeEvent(route, { params: { token } }), expected: 200 };
    }
    default:
      throw new Error(`no warm request for ${route.id}; add one in bench/warm.ts`);
  }
}

/**
 * Each subject loaded once in a process of its own, all on the frozen stub; unmeasured
 * invocations first (their DynamoDB requests counted), then the measured ones in rounds
 * that alternate between the subjects, so that they share the machine's noise.
 */
export async function measureWarm(
  subjects: readonly WarmSubject[],
  stub: DynamoStub,
  options: { invocations: number; warmup: number; onRound: (round: number, rounds: number) => void },
): Promise<Map<string, WarmResult>> {
  type Run = {
    lambda: LambdaProcess;
    durations: number[];
    cpu: number[];
    roundTrips: Record<string, number>;
  };
  const runs = new Map<string, Run>();
  try {
    for (const { id, file, env, event, expected } of subjects) {
      const run: Run = {
        lambda: await startLambda(id, file, {
          ...env,
          DYNAMODB_ENDPOINT: stub.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.endpoint,
        }),
        durations: [],
        cpu: [],
        roundTrips: {},
      };
      runs.set(id, run);
      const before = new Map(stub.counts);
      await run.lambda.invoke([event], expected, options.warmup);
      for (const [operation, count] of stub.counts) {
        const requests = count - (before.get(operation) ?? 0);
        if (requests > 0) run.roundTrips[operation] = requests / options.warmup;
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const { id, event, expected } of rotate(subjects, round)) {
        const run = runs.get(id);
        const reply = await run?.lambda.invoke([event], expected, Math.ceil(options.invocations / ROUNDS));
        run?.durations.push(...(reply?.durations ?? []));
        run?.cpu.push(...(reply?.cpu ?? []));
      }
      options.onRound(round + 1, ROUNDS);
    }
  } finally {
    await Promise.all([...runs.values()].map((run) => run.lambda.stop()));
  }
  return new Map(
    [...runs].map(([id, { durations, cpu, roundTrips }]) => [
      id,
      { p50Ms: median(durations), p99Ms: percentile(durations, 99), cpuP50Ms: median(cpu), roundTrips },
    ]),
  );
}
