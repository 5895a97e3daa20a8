import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import { ArticleService } from '../../functions/core/articles.ts';
import { encodeCursor } from '../../functions/core/cursor.ts';
import { DynamoArticleStore } from '../../functions/core/store/dynamo-store.ts';
import { createTestTable, localDocumentClient, TEST_CURSOR_SECRET } from '../support/dynamodb.ts';
import { apiEvent, EDITOR_ARN } from '../support/events.ts';
import { type Answer, answerViolations } from './checks.ts';
import { checkConsistency } from './invariants.ts';
import { call, type Handler, handlersFor, type RouteKey, WRITE_ROUTES } from './routes.ts';
import { describeDiff, diff, rawClient, restore, type Snapshot, snapshot } from './table.ts';

/** Cases per route: `FUZZ_RUNS` (default 1 000). `FUZZ_SEED` replays a run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1_000);
/** Compare the table after every case of a write route, not only those that reached DynamoDB. */
const SCAN_EVERY_CASE = process.env.FUZZ_SCAN_EVERY_CASE === '1';
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

// ---------------------------------------------------------------------------
// Requests

/** A request as data (what fast-check generates and prints when a property fails). */
export interface FuzzRequest {
  readonly route: RouteKey;
  /** Path parameter `slug`: undefined = the route has none / API Gateway sent none. */
  readonly slug?: string | undefined;
  /** Header name/value pairs, as sent; a name may repeat (API Gateway: last value + multi-value list). */
  readonly headers: readonly (readonly [string, string])[];
  /** Query pairs, as sent; a key may repeat. */
  readonly query: readonly (readonly [string, string])[];
  readonly body: string | null;
  /** Send the body base64-encoded (binary media), as raw bytes. */
  readonly base64?: Uint8Array | undefined;
  /** The IAM ARN API Gateway would report (null: unsigned). */
  readonly editor: string | null;
  /** API Gateway sends `headers: null` for a request without any. */
  readonly nullHeaders?: boolean;
}

const RESOURCES: Record<RouteKey, { method: string; resource: string }> = {
  'GET /articles': { method: 'GET', resource: '/articles' },
  'GET /articles/{slug}': { method: 'GET', resource: '/articles/{slug}' },
  'POST /editor/articles': { method: 'POST', resource: '/editor/articles' },
  'GET /editor/articles': { method: 'GET', resource: '/editor/articles' },
  'GET /editor/articles/{slug}': { method: 'GET', resource: '/editor/articles/{slug}' },
  'PUT /editor/articles/{slug}': { method: 'PUT', resource: '/editor/articles/{slug}' },
  'DELETE /editor/articles/{slug}': { method: 'DELETE', resource: '/editor/articles/{slug}' },
};

const group = (pairs: readonly (readonly [string, string])[]) => {
  const multi: Record<string, string[]> = {};
  for (const [k, v] of pairs) {
    if (Object.hasOwn(multi, k)) (multi[k] as string[]).push(v);
    else
      Object.defineProperty(multi, k, { value: [v], enumerable: true, writable: true, configurable: true });
  }
  const single: Record<string, string> = {};
  for (const [k, v] of Object.entries(multi)) {
    Object.defineProperty(single, k, {
      value: v.at(-1) ?? '',
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { single, multi };
};

/** A path segment as a client would send it (a lone surrogate cannot be percent-encoded: sent as U+FFFD). */
const pathSegment = (slug: string) => encodeURIComponent(slug.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));

/** The API Gateway REST proxy event for a fuzz request (repeated names as API Gateway reports them). */
export function toEvent(request: FuzzRequest): APIGatewayProxyEvent {
  const { method, resource } = RESOURCES[request.route];
  const path = request.slug === undefined ? resource : resource.replace('{slug}', pathSegment(request.slug));
  const event = apiEvent({
    method,
    resource,
    path,
    ...(request.slug === undefined ? {} : { pathParameters: { slug: request.slug } }),
    body: request.base64 === undefined ? request.body : Buffer.from(request.base64).toString('base64'),
    isBase64Encoded: request.base64 !== undefined,
    ...(request.editor === null ? {} : { userArn: request.editor }),
  });
  const headers = group([['Host', 'api.example.com'], ...request.headers]);
  const query = group(request.query);
  const hasQuery = request.query.length > 0;
  return {
    ...event,
    headers: request.nullHeaders ? (null as unknown as APIGatewayProxyEvent['headers']) : headers.single,
    multiValueHeaders: request.nullHeaders
      ? (null as unknown as APIGatewayProxyEvent['multiValueHeaders'])
      : headers.multi,
    queryStringParameters: hasQuery ? query.single : null,
    multiValueQueryStringParameters: hasQuery ? query.multi : null,
  };
}

// ---------------------------------------------------------------------------
// The fixture: one table with an article in every state, its ETags and cursors.

export interface Fixture {
  readonly client: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  readonly tableName: string;
  readonly service: ArticleService;
  readonly handlers: Record<RouteKey, Handler>;
  /** DynamoDB commands sent since the last `takeCommands()`. */
  takeCommands(): string[];
  readonly baseline: Snapshot;
  /** Slugs by state. */
  readonly slugs: {
    readonly published: string[];
    readonly scheduled: string;
    readonly draft: string;
    readonly gone: string;
  };
  readonly allSlugs: string[];
  /** Current ETag of every live article. */
  readonly etags: Record<string, string>;
  /** ETags that are no longer (or never were) current. */
  readonly staleEtags: string[];
  /** Cursors the API returned, and forged or damaged ones. */
  readonly cursors: { readonly valid: string[]; readonly forged: string[] };
}

const WRITE_COMMANDS = new Set([
  'TransactWriteItemsCommand',
  'TransactWriteCommand',
  'PutItemCommand',
  'PutCommand',
  'UpdateItemCommand',
  'UpdateCommand',
  'DeleteItemCommand',
  'DeleteCommand',
  'BatchWriteItemCommand',
  'BatchWriteCommand',
]);
export const isWriteCommand = (name: string) => WRITE_COMMANDS.has(name);

const baseInput = (overrides: Partial<CreateArticleInput>): CreateArticleInput => ({
  slug: null,
  title: 'Fixture',
  summary: null,
  body: 'Fixture *body* with [a link](https://example.com).',
  author: null,
  tags: [],
  status: 'published',
  publishedAt: null,
  ...overrides,
});

export async function createFixture(endpoint: string): Promise<Fixture> {
  const client = localDocumentClient();
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'hardeningCommandRecorder' },
  );
  const tableName = await createTestTable(client);
  const service = new ArticleService({
    store: new DynamoArticleStore(client, tableName),
    cursorSecret: TEST_CURSOR_SECRET,
  });
  const published = ['pub-one', 'pub-two', 'pub-three'];
  for (const [i, slug] of published.entries()) {
    await service.create(
      baseInput({
        slug,
        title: `Published ${i}`,
        summary: 'A summary',
        author: 'Desk',
        tags: i === 0 ? ['news', 'world'] : ['news'],
        publishedAt: `2024-05-2${7 + i}T06:00:00Z`,
      }),
      EDITOR_ARN,
    );
  }
  // One updated article, so it has a revision and stale ETags (editor and public).
  const first = await service.getForEditor('pub-one');
  const firstPublic = (await service.getPublic('pub-one')).etag;
  await service.update(
    'pub-one',
    first.etag,
    {
      ...baseInput({}),
      title: 'Published 0, edited',
      tags: ['news', 'world'],
      publishedAt: '2024-05-27T06:00:00Z',
    },
    EDITOR_ARN,
  );
  await service.create(
    baseInput({ slug: 'sched', tags: ['news'], publishedAt: '2999-01-01T00:00:00Z' }),
    EDITOR_ARN,
  );
  await service.create(baseInput({ slug: 'draft', status: 'draft', tags: ['news'] }), EDITOR_ARN);
  const gone = await service.create(baseInput({ slug: 'gone', tags: ['news'] }), EDITOR_ARN);
  const gonePublic = (await service.getPublic('gone')).etag;
  await service.takeDown('gone', undefined, EDITOR_ARN);

  const live = [...published, 'sched', 'draft'];
  const etags: Record<string, string> = {};
  for (const slug of live) etags[slug] = (await service.getForEditor(slug)).etag;
  // Superseded, or of a taken-down article (each fits no other slug either).
  const staleEtags = [first.etag, firstPublic, gone.etag, gonePublic];

  const valid: string[] = [];
  const pages = [
    await service.listPublic({ limit: 1, cursor: undefined, tag: undefined }),
    await service.listPublic({ limit: 2, cursor: undefined, tag: 'news' }),
    await service.listForEditor({ limit: 1, cursor: undefined, status: undefined }),
    await service.listForEditor({ limit: 1, cursor: undefined, status: 'published' }),
  ];
  for (const page of pages) if (page.nextCursor !== null) valid.push(page.nextCursor);
  const key = { pk: 'ARTICLE#pub-one', sk: 'A', gsi1pk: 'PUB', gsi1sk: '2024-05-27T06:00:00.000Z#x~' };
  const forged = [
    // Right shape, wrong secret (another deployment).
    encodeCursor('another-deployment-secret-0123456789abcdef', 'public|tag=', key),
    // Right secret, hostile content (what a leaked secret would allow): other partition, extra keys, bad types.
    encodeCursor(TEST_CURSOR_SECRET, 'public|tag=', { ...key, gsi1pk: 'DRAFT' }),
    encodeCursor(TEST_CURSOR_SECRET, 'public|tag=', { pk: 'ARTICLE#pub-one', sk: 'A' }),
    encodeCursor(TEST_CURSOR_SECRET, 'public|tag=', { ...key, extra: 'x' }),
    encodeCursor(TEST_CURSOR_SECRET, 'public|tag=', { ...key, __proto__: 'x' } as Record<string, string>),
    encodeCursor(TEST_CURSOR_SECRET, 'public|tag=news', { pk: 'TAG#world', sk: 'x' }),
    encodeCursor(TEST_CURSOR_SECRET, 'editor|status=scheduled', { ...key, gsi1sk: '' }),
    encodeCursor(TEST_CURSOR_SECRET, 'editor|status=', {
      pk: 'x',
      sk: 'y',
      gsi2pk: 'ALL',
      gsi2sk: 'z'.repeat(1_500),
    }),
    `${Buffer.from('{"q":"public|tag=","k":{"pk":{"S":"x"}}}').toString('base64url')}.AAAA`,
    `${Buffer.from(JSON.stringify({ q: 'public|tag=', k: [1] })).toString('base64url')}.${'A'.repeat(43)}`,
  ];
  const baseline = await snapshot(rawClient(endpoint), tableName);
  commands.length = 0;
  return {
    client,
    raw: rawClient(endpoint),
    tableName,
    service,
    handlers: handlersFor(service),
    takeCommands: () => commands.splice(0, commands.length),
    baseline,
    slugs: { published, scheduled: 'sched', draft: 'draft', gone: 'gone' },
    allSlugs: [...live, 'gone'],
    etags,
    staleEtags,
    cursors: { valid, forged },
  };
}

/** A cursor the API returned, or one altered, truncated, extended or forged. */
export const cursorValue = (fixture: Fixture) => {
  const valid = fc.constantFrom(...fixture.cursors.valid);
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: fc.constantFrom(...fixture.cursors.forged), weight: 2 },
    {
      // One character changed.
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.constantFrom('A', 'z', '.', '-', '_', '=', '%', '\u0000'))
        .map(([c, i, ch]) => {
          const at = i % c.length;
          return `${c.slice(0, at)}${c[at] === ch ? 'B' : ch}${c.slice(at + 1)}`;
        }),
      weight: 2,
    },
    { arbitrary: fc.tuple(valid, fc.nat()).map(([c, i]) => c.slice(0, i % c.length)), weight: 1 },
    { arbitrary: fc.tuple(valid, fc.string({ maxLength: 4 })).map(([c, s]) => `${c}${s}`), weight: 1 },
    { arbitrary: valid.map((c) => c.split('.').reverse().join('.')), weight: 1 },
    { arbitrary: valid.map((c) => `${c}.${c}`), weight: 1 },
    { arbitrary: fc.base64String({ maxLength: 60 }), weight: 1 },
    { arbitrary: fc.constant('x'.repeat(2_049)), weight: 1 },
    { arbitrary: fc.constantFrom('', '.', '..', 'null', '{}', 'e30.e30'), weight: 1 },
  );
};

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join();

// ---------------------------------------------------------------------------
// The runner

export interface FuzzStats {
  cases: number;
  byStatus: Record<number, number>;
  reachedDatabase: number;
  scans: number;
  restores: number;
}

/**
 * Runs `FUZZ_RUNS` generated requests for one route against the fixture and asserts,
 * per request: the answer keeps the contract (never 5xx, problem+json errors, safe
 * bodyHtml, no internals); no prototype was polluted; and, on a write route, a rejected
 * request left the table byte-for-byte as it was (Scan before and after). A successful
 * write is undone (the table is put back to the baseline) so every case starts alike.
 * Read routes must never send a write command; their table is compared every 50 cases
 * and at the end.
 */
export async function fuzzRoute(
  fixture: Fixture,
  route: RouteKey,
  requests: fc.Arbitrary<FuzzRequest>,
  /** Route-specific promises that depend on the request (e.g. what may be visible). */
  extra: (request: FuzzRequest, answer: Answer) => string[] = () => [],
  runs = FUZZ_RUNS,
): Promise<FuzzStats> {
  const stats: FuzzStats = { cases: 0, byStatus: {}, reachedDatabase: 0, scans: 0, restores: 0 };
  const handler = fixture.handlers[route];
  const isWrite = WRITE_ROUTES.has(route);
  const baseline = fixture.baseline;
  const property = fc.asyncProperty(requests, async (request) => {
    stats.cases++;
    fixture.takeCommands();
    const answer = await call(handler, toEvent(request));
    const commands = fixture.takeCommands();
    stats.byStatus[answer.status] = (stats.byStatus[answer.status] ?? 0) + 1;
    if (commands.length > 0) stats.reachedDatabase++;
    const problems = [...answerViolations(route, answer), ...extra(request, answer)];
    if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== PROTOTYPE_KEYS) {
      problems.push('Object.prototype was polluted');
    }
    if (!isWrite && commands.some(isWriteCommand)) problems.push(`read route wrote: ${commands.join(', ')}`);
    // Every case starts from the baseline (checked below), so "before" is the baseline.
    // A write route's case is compared whenever it sent anything to DynamoDB (or
    // FUZZ_SCAN_EVERY_CASE is set); a case that sent nothing cannot have written, which the
    // command recorder proves, and the periodic scan confirms.
    const scanNow = (isWrite && (commands.length > 0 || SCAN_EVERY_CASE)) || stats.cases % 25 === 0;
    if (scanNow) {
      const after = await snapshot(fixture.raw, fixture.tableName);
      stats.scans++;
      const ok = answer.status >= 200 && answer.status < 300;
      if (!ok && !after.bytes.equals(baseline.bytes)) {
        problems.push(
          `rejected (${answer.status}) but the table changed: ${describeDiff(diff(baseline, after))}`,
        );
      }
      if (ok && isWrite) {
        const consistency = checkConsistency([...after.raw.values()]);
        problems.push(...consistency.violations.map((x) => `after a ${answer.status}: ${x}`));
      }
      if (!after.bytes.equals(baseline.bytes)) {
        await restore(fixture.raw, fixture.tableName, baseline, after);
        stats.restores++;
        const restored = await snapshot(fixture.raw, fixture.tableName);
        if (!restored.bytes.equals(baseline.bytes)) problems.push('could not restore the baseline');
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `${route} → ${answer.status}\n  ${problems.join('\n  ')}\n  body: ${answer.body.slice(0, 500)}`,
      );
    }
  });
  await fc.assert(property, {
    numRuns: runs,
    ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }),
    // A case that fails is replayed while shrinking; keep the report readable.
    endOnFailure: false,
  });
  const final = await snapshot(fixture.raw, fixture.tableName);
  if (!final.bytes.equals(fixture.baseline.bytes)) {
    throw new Error(
      `${route}: the table differs from the baseline after the run: ${describeDiff(diff(fixture.baseline, final))}`,
    );
  }
  return stats;
}

export const editorArn = fc.oneof(
  { arbitrary: fc.constant<string | null>(EDITOR_ARN), weight: 8 },
  {
    arbitrary: fc.constantFrom<string | null>(
      null,
      '',
      'arn:aws:iam::000000000000:user/bob',
      'arn:aws:sts::000000000000:assumed-role/Editor/session',
    ),
    weight: 2,
  },
);

export const formatStats = (route: RouteKey, stats: FuzzStats) =>
  `${route}: ${stats.cases} cases, statuses ${JSON.stringify(stats.byStatus)}, ${stats.reachedDatabase} reached DynamoDB, ${stats.scans} table scans, ${stats.restores} restores`;
