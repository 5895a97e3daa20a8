/**
 * The local stream reader (local/events/stream-reader.ts) on DynamoDB Local's real change
 * stream, feeding the same consumer Lambda runs (makeStreamHandler): every write through
 * the article service produces exactly its event, in version order per article, with the
 * contract's fields (API.md "Events"); failed records are re-fed, in order.
 */
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import type { ArticleService } from '../../functions/core/articles.ts';
import { makeStreamHandler } from '../../functions/core/events/consumer.ts';
import type {
  ArticleEvent,
  EventPublisher,
  GoLive,
  GoLiveScheduler,
} from '../../functions/core/events/types.ts';
import type { SiteSettings } from '../../functions/core/site.ts';
import { StreamReader } from '../../local/events/stream-reader.ts';
import { localService } from '../support/dynamodb.ts';
import '../setup/provided.ts';

const EDITOR = 'arn:aws:iam::000000000000:user/alice';
const SITE: SiteSettings = {
  name: 'Test',
  url: 'https://news.example/',
  articleUrl: 'https://news.example/a/{slug}',
  language: 'en',
  previewUrl: 'https://news.example/preview/{token}',
};

const input = (overrides: Partial<CreateArticleInput> = {}): CreateArticleInput => ({
  slug: null,
  title: 'A title',
  summary: null,
  body: 'Some *Markdown*.',
  author: null,
  tags: ['news'],
  status: 'published',
  publishedAt: null,
  ...overrides,
});

class RecordingPublisher implements EventPublisher {
  readonly events: ArticleEvent[] = [];
  /** Fail this many publish calls first (the consumer reports the record failed). */
  failures = 0;
  calls = 0;
  async publish(events: readonly ArticleEvent[]): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('bus unavailable');
    }
    this.events.push(...events);
  }
}

class RecordingScheduler implements GoLiveScheduler {
  readonly calls: (GoLive | { cancel: string })[] = [];
  async schedule(goLive: GoLive): Promise<void> {
    this.calls.push(goLive);
  }
  async cancel(slug: string): Promise<void> {
    this.calls.push({ cancel: slug });
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let service: ArticleService;
let tableName: string;
let reader: StreamReader | undefined;
let publisher: RecordingPublisher;
let scheduler: RecordingScheduler;
const logLines: string[] = [];

beforeAll(async () => {
  ({ service, tableName } = await localService());
});

async function startReader(): Promise<void> {
  publisher = new RecordingPublisher();
  scheduler = new RecordingScheduler();
  reader = new StreamReader({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    tableName,
    handler: makeStreamHandler({ publisher, scheduler, site: SITE }),
    log: (line) => logLines.push(line),
    pollMs: 50,
    retryBaseMs: 50,
  });
  await reader.start();
}

afterEach(async () => {
  await reader?.close();
  reader = undefined;
});

const ofSlug = (slug: string) => publisher.events.filter((event) => event.detail.slug === slug);

describe('local stream reader on DynamoDB Local', () => {
  it('create, update and take-down each announce exactly their event, in version order', async () => {
    await startReader();
    const slug = `stream-${Date.now()}`;
    const created = await service.create(input({ slug }), EDITOR);
    const updated = await service.update(slug, created.etag, input({ title: 'Changed' }), EDITOR);
    await service.takeDown(slug, updated.etag, EDITOR);
    await until(() => ofSlug(slug).length >= 3);
    // Nothing more comes (e.g. for the revision and tag items the writes also touch).
    await new Promise((resolve) => setTimeout(resolve, 500));

    const events = ofSlug(slug);
    expect(events.map((event) => event.detailType)).toEqual([
      'Article Published',
      'Article Updated',
      'Article Unpublished',
    ]);
    const versions = events.map((event) => event.detail.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions.slice(0, 2)).toEqual([1, 2]);
    expect(events[2]?.detail.reason).toBe('taken-down');
    for (const event of events) {
      expect(Object.keys(event.detail).sort()).toEqual(
        expect.arrayContaining([
          'by',
          'eventId',
          'publishedAt',
          'slug',
          'status',
          'updatedAt',
          'url',
          'version',
        ]),
      );
      expect(event.detail).toMatchObject({ slug, url: `https://news.example/a/${slug}`, by: EDITOR });
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    }
    expect(new Set(events.map((event) => event.detail.eventId)).size).toBe(3);
  });

  it('a future publishedAt schedules a go-live and announces Article Scheduled; a draft announces nothing', async () => {
    await startReader();
    const later = `later-${Date.now()}`;
    const draft = `draft-${Date.now()}`;
    const publishedAt = new Date(Date.now() + 3_600_000).toISOString();
    await service.create(input({ slug: draft, status: 'draft' }), EDITOR);
    await service.create(input({ slug: later, publishedAt }), EDITOR);
    await until(() => ofSlug(later).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ofSlug(later).map((event) => event.detailType)).toEqual(['Article Scheduled']);
    expect(ofSlug(draft)).toEqual([]);
    expect(scheduler.calls).toContainEqual({ slug: later, version: 1, publishedAt });
  });

  it('re-feeds records the consumer reports failed, after a backoff, keeping their order', async () => {
    await startReader();
    publisher.failures = 2;
    const slug = `retry-${Date.now()}`;
    const created = await service.create(input({ slug }), EDITOR);
    await service.update(slug, created.etag, input({ title: 'Second' }), EDITOR);
    await until(() => ofSlug(slug).length >= 2);
    expect(ofSlug(slug).map((event) => [event.detailType, event.detail.version])).toEqual([
      ['Article Published', 1],
      ['Article Updated', 2],
    ]);
    expect(publisher.calls).toBeGreaterThanOrEqual(4);
    expect(logLines.some((line) => line.includes('failed record'))).toBe(true);
  });

  it('does not announce changes made before it started', async () => {
    const slug = `before-${Date.now()}`;
    await service.create(input({ slug }), EDITOR);
    await startReader();
    const after = `after-${Date.now()}`;
    await service.create(input({ slug: after }), EDITOR);
    await until(() => ofSlug(after).length >= 1);
    expect(ofSlug(slug)).toEqual([]);
  });
});
