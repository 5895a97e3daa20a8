import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import { ArticleService } from '../../functions/core/articles.ts';
import { parseConfig } from '../../functions/core/config.ts';
import { createDocumentClient } from '../../functions/core/dynamodb.ts';
import { TIMEOUT_MARGIN_MS } from '../../functions/core/http.ts';
import { DynamoArticleStore } from '../../functions/core/store/dynamo-store.ts';
import { createTestTable, localDocumentClient, TEST_CURSOR_SECRET } from '../support/dynamodb.ts';
import { apiEvent, createEvent, EDITOR_ARN, replaceEvent } from '../support/events.ts';
import { answerViolations } from './checks.ts';
import { checkConsistency } from './invariants.ts';
import { type Answer, call, type Handler, handlersFor, type RouteKey } from './routes.ts';
import { type Fault, failFirst, type StubDynamoDb, startStubDynamoDb } from './stub-dynamodb.ts';
import { describeDiff, diff, rawClient, scanAll, snapshot } from './table.ts';

/**
 * Faults between the functions and DynamoDB, injected by a stub endpoint on 127.0.0.1:
 * throttling, 5xx, connection resets, no answer at all; then the stub letting requests
 * through to DynamoDB Local after some failures, or losing the answer after the write.
 * Proves: the SDK makes a bounded number of attempts, each ended by its timeouts (counted
 * at the stub: no test here measures time), the function's own time budget answers before
 * the function would time out, the client gets 503 with Retry-After, and no write is ever
 * half-done.
 */

const MAX_ATTEMPTS = 3;
const REQUEST_TIMEOUT_MS = 300;
const CONNECT_TIMEOUT_MS = 200;
/** The functions' timeout (lib/newsdesk-function.ts; test/cdk/stack.test.ts checks the template). */
const FUNCTION_TIMEOUT_MS = 10_000;
/** The SDK's standard retry back-off caps, throttling or not: base × 2^retry (500 or 100 ms). */
const maxBackoffMs = (base: number, attempts: number) =>
  Array.from({ length: attempts - 1 }, (_, retry) => base * 2 ** retry).reduce((a, b) => a + b, 0);

const article = (overrides: Partial<CreateArticleInput> = {}): CreateArticleInput => ({
  slug: 'seeded',
  title: 'Seeded',
  summary: null,
  body: 'Seeded *body*',
  author: null,
  tags: ['news', 'world'],
  status: 'published',
  publishedAt: '2024-05-31T06:00:00Z',
  ...overrides,
});

const getEvent = (slug: string) =>
  apiEvent({
    method: 'GET',
    resource: '/articles/{slug}',
    path: `/articles/${slug}`,
    pathParameters: { slug },
  });

const deleteEvent = (slug: string) =>
  apiEvent({
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    path: `/editor/articles/${slug}`,
    pathParameters: { slug },
    userArn: EDITOR_ARN,
  });

interface Rig {
  stub: StubDynamoDb;
  tableName: string;
  raw: DynamoDBClient;
  /** Handlers whose DynamoDB client goes through the stub (the production client factory). */
  handlers: Record<RouteKey, Handler>;
  /** A service straight on DynamoDB Local (set-up, and "after the restart"). */
  direct: ArticleService;
  /** The ETag of the seeded article. */
  seeded: { etag: string };
}

async function rig(
  options: { maxAttempts?: number; requestTimeoutMs?: number; connectTimeoutMs?: number } = {},
): Promise<Rig> {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = await createTestTable(localDocumentClient());
  const stub = await startStubDynamoDb({ upstream: endpoint, plan: () => 'forward' });
  const config = parseConfig({
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: stub.url,
    DYNAMODB_MAX_ATTEMPTS: String(options.maxAttempts ?? MAX_ATTEMPTS),
    DYNAMODB_REQUEST_TIMEOUT_MS: String(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
    DYNAMODB_CONNECT_TIMEOUT_MS: String(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS),
  });
  const service = new ArticleService({
    store: new DynamoArticleStore(createDocumentClient(config), tableName),
    cursorSecret: TEST_CURSOR_SECRET,
  });
  const direct = new ArticleService({
    store: new DynamoArticleStore(localDocumentClient(), tableName),
    cursorSecret: TEST_CURSOR_SECRET,
  });
  const { etag } = await direct.create(article(), EDITOR_ARN);
  const seeded = { etag };
  return { stub, tableName, raw: rawClient(endpoint), handlers: handlersFor(service), direct, seeded };
}

/**
 * Invokes a handler as a function with a whole minute left: its own time budget cannot end
 * the request first, so whatever ends it is the SDK's bound (attempts and their timeouts).
 */
const timed = (handler: Handler, event: APIGatewayProxyEvent): Promise<Answer> =>
  call(handler, event, { getRemainingTimeInMillis: () => 60_000 });

function expect503(route: RouteKey, answer: Answer) {
  expect(answer.status, answer.body).toBe(503);
  expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(
    answerViolations(route, { ...answer, status: 503 }).filter(
      (v) => !v.startsWith('status') && !v.startsWith('5xx'),
    ),
  ).toEqual([]);
}

const FAULTS: Fault[] = ['throughput', 'throttling', 'internal', 'unavailable', 'reset', 'hang'];

let rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.map((r) => r.stub.close()));
  rigs = [];
});
const newRig = async (options?: Parameters<typeof rig>[0]) => {
  const r = await rig(options);
  rigs.push(r);
  return r;
};

describe('DynamoDB faults: bounded retries, time budget, 503 with Retry-After, nothing half-done', () => {
  it.each(FAULTS)(
    '%s on every attempt: POST → 503 after exactly 3 attempts, nothing written',
    async (fault) => {
      const r = await newRig();
      const before = await snapshot(r.raw, r.tableName);
      r.stub.setPlan(failFirst('TransactWriteItems', fault));
      const answer = await timed(
        r.handlers['POST /editor/articles'],
        createEvent({ title: 'Faulty', body: 'x', tags: ['news'] }),
      );
      expect503('POST /editor/articles', answer);
      expect(r.stub.count('TransactWriteItems')).toBe(MAX_ATTEMPTS);
      const after = await snapshot(r.raw, r.tableName);
      expect(after.bytes.equals(before.bytes), describeDiff(diff(before, after))).toBe(true);
    },
  );

  it.each(['throughput', 'internal', 'reset', 'hang'] as const)(
    '%s on every attempt: GET /articles/{slug} → 503 after exactly 3 attempts',
    async (fault) => {
      const r = await newRig();
      r.stub.setPlan(failFirst('GetItem', fault));
      const answer = await timed(r.handlers['GET /articles/{slug}'], getEvent('seeded'));
      expect503('GET /articles/{slug}', answer);
      expect(r.stub.count('GetItem')).toBe(MAX_ATTEMPTS);
    },
  );

  it.each(['throughput', 'reset', 'hang'] as const)(
    '%s on the write of a PUT (after its read went through) → 503, the article unchanged',
    async (fault) => {
      const r = await newRig();
      const before = await snapshot(r.raw, r.tableName);
      r.stub.setPlan(failFirst('TransactWriteItems', fault));
      const answer = await timed(
        r.handlers['PUT /editor/articles/{slug}'],
        // The PUT reads the current version (through) before it writes.
        replaceEvent('seeded', r.seeded.etag, {
          title: 'Edited',
          body: 'new',
          tags: ['tech'],
        }),
      );
      expect503('PUT /editor/articles/{slug}', answer);
      expect(r.stub.count('GetItem')).toBe(1);
      expect(r.stub.count('TransactWriteItems')).toBe(MAX_ATTEMPTS);
      const after = await snapshot(r.raw, r.tableName);
      expect(after.bytes.equals(before.bytes), describeDiff(diff(before, after))).toBe(true);
    },
  );

  it('an endpoint that refuses connections → 503 after exactly 3 connection attempts', async () => {
    const r = await newRig();
    // Close the stub: its port now refuses connections.
    await r.stub.close();
    const answer = await timed(r.handlers['GET /articles/{slug}'], getEvent('seeded'));
    expect503('GET /articles/{slug}', answer);
  });

  it.each(['throughput', 'internal', 'reset', 'hang'] as const)(
    '%s twice, then through: POST → 201 on the third attempt, written exactly once and complete',
    async (fault) => {
      const r = await newRig();
      r.stub.setPlan(failFirst('TransactWriteItems', fault, MAX_ATTEMPTS - 1));
      const answer = await timed(
        r.handlers['POST /editor/articles'],
        createEvent({ slug: 'retried', title: 'Retried', body: 'x', tags: ['news', 'tech'] }),
      );
      expect(answer.status, answer.body).toBe(201);
      expect(r.stub.count('TransactWriteItems')).toBe(MAX_ATTEMPTS);
      const consistency = checkConsistency(await scanAll(r.raw, r.tableName));
      expect(consistency.violations).toEqual([]);
      expect(consistency.articles.get('retried')).toMatchObject({ version: 1, live: true, body: 'x' });
    },
  );

  it.each(['throughput', 'reset'] as const)(
    '%s three times (one more than the SDK tries): POST → 503 and the table unchanged on DynamoDB Local',
    async (fault) => {
      const r = await newRig();
      const before = await snapshot(r.raw, r.tableName);
      r.stub.setPlan(failFirst('TransactWriteItems', fault, MAX_ATTEMPTS));
      const answer = await timed(
        r.handlers['POST /editor/articles'],
        createEvent({ title: 'Almost', body: 'x' }),
      );
      expect503('POST /editor/articles', answer);
      // The stub would have let the next attempt through; the SDK made no fourth.
      expect(r.stub.count('TransactWriteItems')).toBe(MAX_ATTEMPTS);
      const after = await snapshot(r.raw, r.tableName);
      expect(after.bytes.equals(before.bytes), describeDiff(diff(before, after))).toBe(true);
    },
  );
});

describe('lost answers and crashes after the write', () => {
  it.each(['forward-then-reset', 'forward-then-hang'] as const)(
    'create committed but its answer lost (%s), then retried by the SDK: 201, one article, complete',
    async (fault) => {
      const r = await newRig();
      r.stub.setPlan(failFirst('TransactWriteItems', fault, 1));
      const answer = await timed(
        r.handlers['POST /editor/articles'],
        createEvent({ slug: 'lost', title: 'Lost answer', body: 'x', tags: ['news'] }),
      );
      // The SDK resends the same TransactWriteItems with the same ClientRequestToken, which
      // DynamoDB treats as the same transaction: the caller gets its 201, not a 409 for
      // its own article, and there is one copy.
      expect(answer.status, answer.body).toBe(201);
      expect(r.stub.count('TransactWriteItems')).toBe(2);
      const consistency = checkConsistency(await scanAll(r.raw, r.tableName));
      expect(consistency.violations).toEqual([]);
      expect(consistency.articles.get('lost')).toMatchObject({ version: 1, live: true });
    },
  );

  it('update committed but its answer lost on every attempt: 503, and the article is at exactly one new version', async () => {
    const r = await newRig();
    r.stub.setPlan(failFirst('TransactWriteItems', 'forward-then-hang'));
    const answer = await timed(
      r.handlers['PUT /editor/articles/{slug}'],
      replaceEvent('seeded', r.seeded.etag, {
        title: 'Edited',
        body: 'edited',
        tags: ['tech'],
      }),
    );
    expect503('PUT /editor/articles/{slug}', answer);
    const consistency = checkConsistency(await scanAll(r.raw, r.tableName));
    expect(consistency.violations).toEqual([]);
    // Three attempts carried the same conditional write; only one could apply.
    expect(consistency.articles.get('seeded')).toMatchObject({
      version: 2,
      body: 'edited',
      revisions: [1, 2],
    });
  });

  it('a crash right after an idempotent create committed leaves the article and its idempotency record, complete', async () => {
    const r = await newRig();
    // The function "dies" after its transaction: it never sees an answer, on any attempt.
    r.stub.setPlan(failFirst('TransactWriteItems', 'forward-then-hang'));
    const body = { slug: 'crashed', title: 'Crashed', body: 'x', tags: ['news', 'world'] };
    const lost = await timed(
      r.handlers['POST /editor/articles'],
      createEvent(body, { 'Idempotency-Key': 'crash-1' }),
    );
    expect503('POST /editor/articles', lost);
    const consistency = checkConsistency(await scanAll(r.raw, r.tableName));
    expect(consistency.violations).toEqual([]);
    expect(consistency.articles.get('crashed')).toMatchObject({ version: 1, live: true });
    // The idempotency record went in the same transaction as the article, so the client's
    // retry with the key is a replay (idempotency.test.ts), not a 409.
    expect(consistency.other).toEqual([expect.objectContaining({ requestHash: expect.any(String) })]);
  });

  it('every article write is one TransactWriteItems and nothing else', async () => {
    const r = await newRig();
    const writes = () =>
      r.stub.attempts.filter((a) => !['Query', 'GetItem'].includes(a.operation)).map((a) => a.operation);
    const created = await call(
      r.handlers['POST /editor/articles'],
      createEvent(
        { slug: 'one-tx', title: 'One', body: 'x', tags: ['a', 'b', 'c'] },
        { 'Idempotency-Key': 'k-1' },
      ),
    );
    expect(created.status).toBe(201);
    expect(writes()).toEqual(['TransactWriteItems']);
    const updated = await call(
      r.handlers['PUT /editor/articles/{slug}'],
      replaceEvent('one-tx', created.headers.etag ?? '', { title: 'Two', body: 'y', tags: ['c', 'd'] }),
    );
    expect(updated.status).toBe(200);
    expect(writes()).toEqual(['TransactWriteItems', 'TransactWriteItems']);
    const deleted = await call(r.handlers['DELETE /editor/articles/{slug}'], deleteEvent('one-tx'));
    expect(deleted.status).toBe(204);
    expect(writes()).toEqual(['TransactWriteItems', 'TransactWriteItems', 'TransactWriteItems']);
    expect(checkConsistency(await scanAll(r.raw, r.tableName)).violations).toEqual([]);
  });
});

describe('time budget with the production defaults', () => {
  // The defaults of functions/core/config.ts: 3 attempts, 2 000 ms request and 1 000 ms connect timeouts.
  const defaults = parseConfig({ TABLE_NAME: 'x', CURSOR_SECRET: TEST_CURSOR_SECRET });

  it('the SDK bound for a silent database (attempts × request timeout + back-off) fits in the function timeout less the margin', () => {
    const silent =
      defaults.DYNAMODB_MAX_ATTEMPTS * defaults.DYNAMODB_REQUEST_TIMEOUT_MS +
      maxBackoffMs(100, defaults.DYNAMODB_MAX_ATTEMPTS);
    expect(silent).toBeLessThan(FUNCTION_TIMEOUT_MS - TIMEOUT_MARGIN_MS);
  });

  it('a database that never answers: the SDK itself gives up after exactly 3 attempts, each ended by its request timeout, and the answer is 503', async () => {
    const r = await newRig({
      maxAttempts: defaults.DYNAMODB_MAX_ATTEMPTS,
      requestTimeoutMs: defaults.DYNAMODB_REQUEST_TIMEOUT_MS,
      connectTimeoutMs: defaults.DYNAMODB_CONNECT_TIMEOUT_MS,
    });
    r.stub.setPlan(failFirst('GetItem', 'hang'));
    // A minute left: only the SDK's own bound can end the request.
    const answer = await timed(r.handlers['GET /articles/{slug}'], getEvent('seeded'));
    expect503('GET /articles/{slug}', answer);
    // A hung attempt that no timeout ended would never have let a second one start.
    expect(r.stub.count('GetItem')).toBe(defaults.DYNAMODB_MAX_ATTEMPTS);
  }, 20_000);

  it('a route whose calls together would outlast the function answers 503 before the function times out', async () => {
    const r = await newRig({ maxAttempts: 3, requestTimeoutMs: 5_000, connectTimeoutMs: 1_000 });
    // The PUT reads the current version first: that read hangs.
    r.stub.setPlan(failFirst('GetItem', 'hang'));
    // Lambda says 1.5 s remain: the handler must answer (503) before they run out.
    const answer = await call(
      r.handlers['PUT /editor/articles/{slug}'],
      replaceEvent('seeded', r.seeded.etag, { title: 'Late', body: 'late' }),
      { getRemainingTimeInMillis: () => 1_500 },
    );
    expect503('PUT /editor/articles/{slug}', answer);
    // It answered while the first read was still waiting for DynamoDB (each attempt may
    // take 5 s): the function's own time budget ended the request, and nothing was written.
    expect(r.stub.count('GetItem')).toBe(1);
    expect(r.stub.count('TransactWriteItems')).toBe(0);
  }, 20_000);
});

afterAll(async () => {
  await Promise.all(rigs.map((r) => r.stub.close()));
});
