import { ArticleService } from '../functions/core/articles.ts';
import { decodeContent } from '../functions/core/content.ts';
import type { RouteDefinition } from '../functions/core/routes.ts';
import { DynamoArticleStore } from '../functions/core/store.ts';
import { KEY_ATTRIBUTES, LIST_ATTRIBUTES, TABLE } from '../functions/core/table.ts';
import { forkChild, type IpcChild } from './children.ts';
import { BENCH_CURSOR_SECRET, BENCH_TABLE_NAME } from './env.ts';
import { articleInput, BENCH_SLUG, BENCH_TAG, EDITOR_ARN, proxyEvent, sampleBody } from './fixtures.ts';
import { capturingClient, type PlainItem } from './sdk-hooks.ts';
import { rotate } from './stats.ts';
import { ITEMS_RETURNED, type StubCounts, type StubData, toWireItem } from './stub.ts';
import type { WarmReply, WarmRequest } from './warm-protocol.ts';

/**
 * Warm handler time: each function (and the reference) loaded once in its own process,
 * invoked one request at a time with DynamoDB answered by the stub (bench/stub.ts), in
 * rounds that alternate between the functions so that they share the machine's noise.
 */

export interface WarmRequestCase {
  readonly event: unknown;
  readonly expectedStatus: number;
}

export interface WarmSubject {
  readonly id: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
  readonly request: WarmRequestCase;
}

export interface WarmSamples {
  /** Items DynamoDB (the stub) returned per invocation. */
  readonly itemsRead: number;
  /** Wall-clock milliseconds per invocation. */
  readonly durations: number[];
  /** CPU milliseconds per invocation (the process's, user + system). */
  readonly cpu: number[];
  /** DynamoDB requests per invocation, by operation (from the stub's counts). */
  readonly dynamodbCalls: Record<string, number>;
}

const PUBLISHED_AT = '2025-01-01T06:00:00Z';
const LIST_PAGE = 20;

function createdAt(index: number): Date {
  return new Date(Date.parse('2025-01-01T00:00:00Z') - index * 60_000);
}

function project(item: PlainItem, names: readonly string[]): PlainItem {
  return Object.fromEntries(names.filter((name) => name in item).map((name) => [name, item[name]]));
}

/**
 * The stub's items, written by the application's own service and store (captured, not
 * sent): the bench article (head, content, tag entries) and a page of other articles.
 * Also returns the article's ETag (for If-Match) and its Markdown body.
 */
export async function benchStubData(): Promise<{ data: StubData; etag: string; body: string }> {
  const capture = capturingClient();
  let clock = createdAt(0);
  const service = new ArticleService({
    store: new DynamoArticleStore(capture.client, BENCH_TABLE_NAME),
    cursorSecret: BENCH_CURSOR_SECRET,
    clock: () => clock,
  });
  const body = sampleBody();
  const { etag } = await service.create(
    articleInput({ slug: BENCH_SLUG, body, publishedAt: PUBLISHED_AT, tags: [BENCH_TAG, 'news'] }),
    EDITOR_ARN,
  );
  const pkName = TABLE.partitionKey.name;
  const items = capture.take();
  const head = items[0];
  if (head === undefined) throw new Error('the store wrote nothing');
  const articleItems = items.filter((item) => item[pkName] === head[pkName]);

  const indexNames = [...new Set([...KEY_ATTRIBUTES.map((key) => key.name), ...LIST_ATTRIBUTES])];
  const indexItems: PlainItem[] = [];
  const tagItems: PlainItem[] = [];
  for (let i = 1; i <= LIST_PAGE + 1; i++) {
    clock = createdAt(i);
    await service.create(
      articleInput({
        slug: `${BENCH_SLUG}-${i}`,
        body: 'A short body.',
        publishedAt: createdAt(i).toISOString(),
        tags: [BENCH_TAG],
      }),
      EDITOR_ARN,
    );
    const written = capture.take();
    const listed = written[0];
    if (listed === undefined) throw new Error('the store wrote nothing');
    indexItems.push(project(listed, indexNames));
    tagItems.push(...written.filter((item) => item[pkName] !== listed[pkName]));
  }
  // The reference fetches "the article" as one item: give that item the article's whole
  // content (the head's attributes plus body and HTML as strings, as a one-item design would
  // store them), so that both sides move the same payload and the difference is the
  // handlers', not the data's. (Binary content would make the reference's JSON.stringify
  // spell out every byte as an object key: work no real handler does.)
  if (!(head.content instanceof Uint8Array)) throw new Error('the bench article should fit in its head');
  const { content, ...attributes } = head;
  const { body: storedBody, bodyHtml } = decodeContent(content);
  const wholeArticle = { ...attributes, body: storedBody, bodyHtml };
  return {
    data: {
      referenceItem: toWireItem(wholeArticle),
      articleItems: articleItems.map(toWireItem),
      indexItems: indexItems.map(toWireItem),
      tagItems: tagItems.map(toWireItem),
    },
    etag,
    body,
  };
}

/** The request each route is measured with; a route the bench does not know is an error. */
export function warmRequestFor(
  route: Pick<RouteDefinition, 'id' | 'method' | 'resource' | 'auth'>,
  { etag, body }: { etag: string; body: string },
): WarmRequestCase {
  const key = `${route.method} ${route.resource}`;
  const update = {
    title: 'Benchmark article, updated',
    summary: 'A summary of about one line, as list pages show it under the title.',
    // A changed body, so the update renders Markdown as a real edit does.
    body: `${body}\n\nUpdate: this story has been updated.`,
    author: 'Newsdesk Bench',
    tags: [BENCH_TAG, 'news'],
    status: 'published',
  };
  switch (key) {
    case 'GET /articles':
    case 'GET /editor/articles':
      return { event: proxyEvent({ route, query: { limit: String(LIST_PAGE) } }), expectedStatus: 200 };
    case 'GET /articles/{slug}':
    case 'GET /editor/articles/{slug}':
      return { event: proxyEvent({ route }), expectedStatus: 200 };
    case 'POST /editor/articles':
      return {
        event: proxyEvent({ route, body: { slug: BENCH_SLUG, ...update, body } }),
        expectedStatus: 201,
      };
    case 'PUT /editor/articles/{slug}':
      return {
        event: proxyEvent({ route, headers: { 'If-Match': etag }, body: update }),
        expectedStatus: 200,
      };
    case 'DELETE /editor/articles/{slug}':
      return { event: proxyEvent({ route, headers: { 'If-Match': etag } }), expectedStatus: 204 };
    default:
      throw new Error(`the bench has no request for route ${route.id} (${key}); add one in bench/warm.ts`);
  }
}

type Stub = IpcChild<
  { type: 'init'; data: StubData } | { type: 'counts' },
  { type: 'ready'; port: number } | { type: 'counts'; counts: StubCounts }
>;

async function stubCounts(stub: Stub): Promise<StubCounts> {
  const reply = await stub.request({ type: 'counts' });
  if (reply.type !== 'counts') throw new Error('unexpected reply from the stub');
  return reply.counts;
}

function perInvocation(before: StubCounts, after: StubCounts, invocations: number): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const delta = count - (before[operation] ?? 0);
    if (delta > 0) calls[operation] = delta / invocations;
  }
  return calls;
}

function checkStatuses(
  id: string,
  reply: WarmReply,
  expected: number,
): { durations: number[]; cpu: number[] } {
  if (reply.type === 'error') throw new Error(`${id}: ${reply.message}`);
  if (reply.type !== 'done') throw new Error(`${id}: unexpected reply ${reply.type}`);
  const unexpected = Object.entries(reply.statuses).filter(([status]) => status !== String(expected));
  if (unexpected.length > 0) {
    throw new Error(
      `${id}: expected every response to be ${expected}, got ${JSON.stringify(reply.statuses)}; first body: ${reply.firstBody}`,
    );
  }
  return { durations: reply.durations, cpu: reply.cpu };
}

export interface WarmOptions {
  readonly invocations: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly warmChild: string;
  readonly stubChild: string;
  readonly stubData: StubData;
  readonly onProgress?: (line: string) => void;
}

export async function measureWarm(
  subjects: readonly WarmSubject[],
  options: WarmOptions,
): Promise<Map<string, WarmSamples>> {
  const stub: Stub = forkChild(options.stubChild, { PATH: process.env.PATH ?? '' }, { quiet: false });
  const children = new Map<string, IpcChild<WarmRequest, WarmReply>>();
  try {
    const ready = await stub.request({ type: 'init', data: options.stubData });
    if (ready.type !== 'ready') throw new Error('the stub did not start');
    const endpoint = `http://127.0.0.1:${ready.port}`;
    for (const subject of subjects) {
      const child = forkChild<WarmRequest, WarmReply>(
        options.warmChild,
        { ...subject.env, DYNAMODB_ENDPOINT: endpoint },
        { quiet: true },
      );
      children.set(subject.id, child);
      const loaded = await child.request({ type: 'load', file: subject.file });
      if (loaded.type === 'error') throw new Error(`${subject.id}: ${loaded.message}`);
    }

    const results = new Map<string, WarmSamples>();
    for (const subject of subjects) {
      const child = children.get(subject.id);
      if (child === undefined) continue;
      const before = await stubCounts(stub);
      const reply = await child.request({ type: 'run', count: options.warmup, event: subject.request.event });
      checkStatuses(subject.id, reply, subject.request.expectedStatus);
      const after = await stubCounts(stub);
      const { [ITEMS_RETURNED]: itemsRead = 0, ...dynamodbCalls } = perInvocation(
        before,
        after,
        options.warmup,
      );
      results.set(subject.id, { durations: [], cpu: [], dynamodbCalls, itemsRead });
    }

    const batch = Math.ceil(options.invocations / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      for (const subject of rotate(subjects, round)) {
        const child = children.get(subject.id);
        const samples = results.get(subject.id);
        if (child === undefined || samples === undefined) continue;
        const count = Math.min(batch, options.invocations - samples.durations.length);
        if (count <= 0) continue;
        const reply = await child.request({ type: 'run', count, event: subject.request.event });
        const measured = checkStatuses(subject.id, reply, subject.request.expectedStatus);
        samples.durations.push(...measured.durations);
        samples.cpu.push(...measured.cpu);
      }
      options.onProgress?.(`warm round ${round + 1}/${options.rounds}`);
    }
    return results;
  } finally {
    await Promise.all([...children.values()].map((child) => child.stop()));
    await stub.stop();
  }
}
