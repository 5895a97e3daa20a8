import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { StoredArticle } from '../../functions/core/article-model.ts';
import { makeStreamHandler } from '../../functions/core/events/consumer.ts';
import type { HeadItem } from '../../functions/core/events/derive.ts';
import { makeGoLiveHandler } from '../../functions/core/events/go-live.ts';
import type {
  ArticleEvent,
  EventPublisher,
  GoLive,
  GoLiveScheduler,
} from '../../functions/core/events/types.ts';
import type { SiteSettings } from '../../functions/core/site.ts';

const SITE: SiteSettings = {
  name: 'Newsdesk',
  url: 'https://news.example.com',
  articleUrl: 'https://news.example.com/articles/{slug}',
  language: 'en',
  previewUrl: 'https://news.example.com/preview/{token}',
};
const ALICE = 'arn:aws:iam::000000000000:user/alice';

/** DynamoDB JSON of a plain value (what a stream image holds). */
function attr(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(attr) };
  return { M: image(value as Record<string, unknown>) };
}
const image = (item: Record<string, unknown>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attr(v)]));

function head(slug: string, overrides: Partial<HeadItem> = {}): HeadItem {
  return {
    pk: `ARTICLE#${slug}`,
    sk: 'A',
    slug,
    title: 'T',
    summary: null,
    author: null,
    tags: ['a'],
    status: 'published',
    publishedAt: '2026-01-01T10:00:00Z',
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-01T10:00:00Z',
    version: 1,
    createdBy: ALICE,
    updatedBy: ALICE,
    etag: 'e',
    body: 'b',
    bodyHtml: '<p>b</p>',
    ...overrides,
  };
}

let sequence = 100;
function record(
  before: HeadItem | undefined,
  after: HeadItem | undefined,
  keys?: Record<string, string>,
): DynamoDBRecord {
  const item = after ?? before ?? {};
  const key = keys ?? { pk: String(item.pk), sk: String(item.sk) };
  sequence += 1;
  return {
    eventID: `id-${sequence}`,
    eventName: before === undefined ? 'INSERT' : after === undefined ? 'REMOVE' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
    dynamodb: {
      Keys: image(key),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(before === undefined ? {} : { OldImage: image(before) }),
      ...(after === undefined ? {} : { NewImage: image(after) }),
    },
  };
}

class FakePublisher implements EventPublisher {
  readonly published: ArticleEvent[] = [];
  failFor = new Set<string>();
  async publish(events: readonly ArticleEvent[]): Promise<void> {
    for (const event of events) {
      if (this.failFor.has(event.detail.slug)) throw new Error(`PutEvents refused ${event.detail.slug}`);
    }
    this.published.push(...events);
  }
}

class FakeScheduler implements GoLiveScheduler {
  readonly calls: (['schedule', GoLive] | ['cancel', string])[] = [];
  async schedule(goLive: GoLive): Promise<void> {
    this.calls.push(['schedule', goLive]);
  }
  async cancel(slug: string): Promise<void> {
    this.calls.push(['cancel', slug]);
  }
}

function setup() {
  const publisher = new FakePublisher();
  const scheduler = new FakeScheduler();
  return { publisher, scheduler, handler: makeStreamHandler({ publisher, scheduler, site: SITE }) };
}

const batch = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

describe('the stream consumer', () => {
  it('announces the event of a head change, with the site URL', async () => {
    const { handler, publisher } = setup();
    const response = await handler(batch(record(undefined, head('one'))));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]).toMatchObject({
      detailType: 'Article Published',
      detail: { slug: 'one', version: 1, url: 'https://news.example.com/articles/one', status: 'published' },
    });
  });

  it('ignores every item but the head: revisions, slices, tags, idempotency records', async () => {
    const { handler, publisher, scheduler } = setup();
    const h = head('one');
    const response = await handler(
      batch(
        record(undefined, { ...h, sk: 'R#0000000001' }),
        record(undefined, { pk: 'ARTICLE#one', sk: 'C#body#000', version: 1, text: 'x' }),
        record(undefined, { ...h, pk: 'TAG#a', sk: '2026-01-01T10:00:00.000Z#x' }),
        record(undefined, { pk: 'IDEMPOTENCY#k', sk: 'I', response: '{}' }),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.published).toEqual([]);
    expect(scheduler.calls).toEqual([]);
  });

  it('reports a record whose event PutEvents refused, and every later record, as batch item failures', async () => {
    const { handler, publisher } = setup();
    publisher.failFor.add('two');
    const records = [
      record(undefined, head('one')),
      record(undefined, head('two')),
      record(undefined, head('three')),
    ];
    const response = await handler(batch(...records));
    // Lambda resumes at the first failure: nothing after it may overtake it.
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: records[1]?.dynamodb?.SequenceNumber },
      { itemIdentifier: records[2]?.dynamodb?.SequenceNumber },
    ]);
    expect(publisher.published.map((e) => e.detail.slug)).toEqual(['one']);
  });

  it('returns every record as failed (no throw) when all fail', async () => {
    const { handler, publisher } = setup();
    publisher.failFor.add('one');
    const r = record(undefined, head('one'));
    await expect(handler(batch(r))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: r.dynamodb?.SequenceNumber }],
    });
  });

  it('processes the records of one article in order', async () => {
    const { handler, publisher } = setup();
    const v1 = head('one');
    const v2 = { ...v1, version: 2, updatedAt: '2026-01-02T00:00:00Z', title: 'v2' };
    const v3 = { ...v2, version: 3, updatedAt: '2026-01-03T00:00:00Z', status: 'draft' };
    await handler(batch(record(undefined, v1), record(v1, v2), record(v2, v3)));
    expect(publisher.published.map((e) => [e.detailType, e.detail.version])).toEqual([
      ['Article Published', 1],
      ['Article Updated', 2],
      ['Article Unpublished', 3],
    ]);
  });

  it('creates, replaces and deletes the go-live schedule', async () => {
    const { handler, scheduler, publisher } = setup();
    const v1 = head('one', { publishedAt: '2026-06-01T00:00:00Z' });
    const v2 = { ...v1, version: 2, updatedAt: '2026-01-02T00:00:00Z', publishedAt: '2026-07-01T00:00:00Z' };
    const v3 = { ...v2, version: 3, updatedAt: '2026-01-03T00:00:00Z', status: 'draft' };
    await handler(batch(record(undefined, v1), record(v1, v2), record(v2, v3)));
    expect(scheduler.calls).toEqual([
      ['schedule', { slug: 'one', version: 1, publishedAt: '2026-06-01T00:00:00Z' }],
      ['schedule', { slug: 'one', version: 2, publishedAt: '2026-07-01T00:00:00Z' }],
      ['cancel', 'one'],
    ]);
    expect(publisher.published.map((e) => e.detailType)).toEqual([
      'Article Scheduled',
      'Article Scheduled',
      'Article Unpublished',
    ]);
  });

  it('a failed schedule fails the record before its event is announced', async () => {
    const publisher = new FakePublisher();
    const scheduler: GoLiveScheduler = {
      schedule: async () => {
        throw new Error('Scheduler throttled');
      },
      cancel: async () => {},
    };
    const handler = makeStreamHandler({ publisher, scheduler, site: SITE });
    const r = record(undefined, head('one', { publishedAt: '2026-06-01T00:00:00Z' }));
    const response = await handler(batch(r));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: r.dynamodb?.SequenceNumber }]);
    expect(publisher.published).toEqual([]);
  });
});

function stored(overrides: Partial<StoredArticle> = {}): StoredArticle {
  return {
    slug: 'one',
    title: 'T',
    summary: null,
    body: 'b',
    bodyHtml: '<p>b</p>',
    author: null,
    tags: [],
    status: 'published',
    publishedAt: '2026-06-01T02:00:00+02:00',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-02T00:00:00Z',
    version: 2,
    createdBy: ALICE,
    updatedBy: 'arn:aws:iam::000000000000:user/bob',
    etag: 'e',
    ...overrides,
  };
}

describe('the go-live handler', () => {
  const goLive: GoLive = { slug: 'one', version: 2, publishedAt: '2026-06-01T00:00:00Z' };
  const at = () => new Date('2026-06-01T00:00:20Z');

  function goLiveSetup(article: StoredArticle | undefined, now = at) {
    const publisher = new FakePublisher();
    const reads: unknown[] = [];
    const store = {
      get: async (slug: string, options?: { readonly consistent?: boolean }) => {
        reads.push([slug, options]);
        return article;
      },
    };
    return { publisher, reads, run: makeGoLiveHandler({ store, publisher, site: SITE, now }) };
  }

  it('announces Article Published when the article is still that version at that instant (read consistently)', async () => {
    const { publisher, reads, run } = goLiveSetup(stored());
    await run(goLive);
    expect(reads).toEqual([['one', { consistent: true }]]);
    expect(publisher.published).toEqual([
      {
        detailType: 'Article Published',
        time: '2026-06-01T00:00:00.000Z',
        detail: expect.objectContaining({
          slug: 'one',
          version: 2,
          status: 'published',
          publishedAt: '2026-06-01T02:00:00+02:00',
          by: 'arn:aws:iam::000000000000:user/bob',
          url: 'https://news.example.com/articles/one',
        }),
      },
    ]);
  });

  it.each([
    ['taken down (not found)', undefined],
    ['a newer version', stored({ version: 3 })],
    ['set to draft', stored({ status: 'draft' })],
    ['rescheduled', stored({ publishedAt: '2026-06-02T00:00:00Z' })],
  ])('does nothing when the article was %s', async (_name, article) => {
    const { publisher, run } = goLiveSetup(article);
    await run(goLive);
    expect(publisher.published).toEqual([]);
  });

  it('fails (to be retried) when fired before publishedAt', async () => {
    const { publisher, run } = goLiveSetup(stored(), () => new Date('2026-05-31T23:59:00Z'));
    await expect(run(goLive)).rejects.toThrow(/fired before/);
    expect(publisher.published).toEqual([]);
  });
});
