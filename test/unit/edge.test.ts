import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CloudFrontPurger } from '../../functions/core/edge/cloudfront.ts';
import { callerReference, pathToRegex, purgePaths } from '../../functions/core/edge/paths.ts';
import { makePurgeHandler } from '../../functions/core/edge/purge.ts';

const event = (slug: string, eventId = `${slug}:1:Article Published`) => ({ detail: { slug, eventId } });
const SHARED = ['/articles', '/articles?*', '/feed.*', '/sitemap.xml', '/sitemaps/*', '/news-sitemap.xml'];

describe('purge paths', () => {
  it('maps an event to its article (with any query), the lists, feeds and sitemaps', () => {
    expect(purgePaths([event('a')])).toEqual(['/articles/a', '/articles/a?*', ...SHARED]);
  });

  it('deduplicates across a batch, and nothing for no events', () => {
    expect(purgePaths([event('b'), event('a'), event('b', 'x')])).toEqual([
      '/articles/a',
      '/articles/a?*',
      '/articles/b',
      '/articles/b?*',
      ...SHARED,
    ]);
    expect(purgePaths([])).toEqual([]);
  });

  it('matches like CloudFront: a trailing * is a prefix of path and query, else the whole URL', () => {
    const matches = (path: string, url: string) => new RegExp(pathToRegex(path)).test(url);
    expect(matches('/articles', '/articles')).toBe(true);
    expect(matches('/articles', '/articles?tag=x')).toBe(false);
    expect(matches('/articles?*', '/articles?tag=x&cursor=y')).toBe(true);
    expect(matches('/articles?*', '/articles/a')).toBe(false);
    expect(matches('/feed.*', '/feed.json')).toBe(true);
    expect(matches('/feed.*', '/feedXjson')).toBe(false);
    expect(matches('/articles/a', '/articles/ab')).toBe(false);
  });

  it('the caller reference depends on the set of event ids only', () => {
    expect(callerReference(['x', 'y'])).toBe(callerReference(['y', 'x', 'x']));
    expect(callerReference(['x'])).not.toBe(callerReference(['y']));
  });
});

describe('CloudFront purger', () => {
  const busy = Object.assign(new Error('busy'), { name: 'TooManyInvalidationsInProgress' });

  it('sends one invalidation, retrying TooManyInvalidationsInProgress with backoff', async () => {
    const cf = mockClient(CloudFrontClient);
    cf.on(CreateInvalidationCommand).rejectsOnce(busy).resolves({});
    const sleeps: number[] = [];
    const purger = new CloudFrontPurger(cf as unknown as CloudFrontClient, {
      distributionId: 'E123',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 1,
    });
    await purger.purge(['/articles'], 'ref');
    expect(cf.commandCalls(CreateInvalidationCommand)).toHaveLength(2);
    expect(cf.commandCalls(CreateInvalidationCommand)[0]?.args[0].input).toEqual({
      DistributionId: 'E123',
      InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: 1, Items: ['/articles'] } },
    });
    expect(sleeps).toEqual([500]);
  });

  it('gives up at the deadline and on errors that are not worth waiting for', async () => {
    const cf = mockClient(CloudFrontClient);
    cf.on(CreateInvalidationCommand).rejects(busy);
    let now = 0;
    const purger = new CloudFrontPurger(cf as unknown as CloudFrontClient, {
      distributionId: 'E123',
      deadlineMs: 3_000,
      sleep: async (ms) => {
        now += ms;
      },
      now: () => now,
      random: () => 1,
    });
    await expect(purger.purge(['/a'], 'ref')).rejects.toThrow('busy');
    cf.reset();
    cf.on(CreateInvalidationCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(purger.purge(['/a'], 'ref')).rejects.toThrow('denied');
    expect(cf.commandCalls(CreateInvalidationCommand)).toHaveLength(1);
  });
});

describe('purge handler (SQS, partial batch failures)', () => {
  const record = (messageId: string, body: unknown) =>
    ({
      messageId,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }) as SQSEvent['Records'][number];
  const bridge = (slug: string) => ({
    source: 'newsdesk',
    'detail-type': 'Article Updated',
    detail: event(slug).detail,
  });

  it('one purge for the batch; an unreadable message fails alone', async () => {
    const calls: [readonly string[], string][] = [];
    const handler = makePurgeHandler({
      purger: { purge: async (paths, ref) => void calls.push([paths, ref]) },
    });
    const result = await handler({
      Records: [record('1', bridge('a')), record('2', bridge('b')), record('3', 'nope')],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '3' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toEqual(purgePaths([event('a'), event('b')]));
  });

  it('a failed purge fails every message of the batch', async () => {
    const handler = makePurgeHandler({
      purger: {
        purge: async () => {
          throw new Error('down');
        },
      },
    });
    const result = handler({ Records: [record('1', bridge('a')), record('2', bridge('b'))] });
    // Every record failed: Powertools throws, and Lambda retries the whole batch.
    await expect(result).rejects.toThrow();
  });
});
