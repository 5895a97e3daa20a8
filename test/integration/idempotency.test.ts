import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateArticleInput } from '../../functions/core/article.ts';
import { IdempotencyKeyReusedError } from '../../functions/core/errors.ts';
import { SlugTakenError } from '../../functions/core/store/errors.ts';
import { fixedClock, localService } from '../support/dynamodb.ts';

const ALICE = 'arn:aws:iam::000000000000:user/alice';
const BOB = 'arn:aws:iam::000000000000:user/bob';

const input = (overrides: Partial<CreateArticleInput> = {}): CreateArticleInput => ({
  slug: null,
  title: 'Idempotent',
  summary: null,
  body: 'Body',
  author: null,
  tags: ['t'],
  status: 'published',
  publishedAt: null,
  ...overrides,
});

describe('idempotent create on DynamoDB Local', () => {
  const clock = fixedClock('2026-03-01T00:00:00.000Z');
  let env: Awaited<ReturnType<typeof localService>>;

  beforeAll(async () => {
    env = await localService(clock);
  });

  const idempotencyItems = async () => {
    const { Items = [] } = await env.client.send(
      new QueryCommand({
        TableName: env.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ARTICLE#idempotent' },
        ConsistentRead: true,
      }),
    );
    return Items;
  };

  it('replays the original result for the same key and body, without writing again', async () => {
    const first = await env.service.create(input(), ALICE, 'key-1');
    clock.now = new Date('2026-03-01T01:00:00.000Z');
    const again = await env.service.create(input(), ALICE, 'key-1');
    expect(again).toEqual(first);
    const items = await idempotencyItems();
    expect(items.find((i) => i.sk === 'A')).toMatchObject({
      version: 1,
      createdAt: '2026-03-01T00:00:00.000Z',
    });
  });

  it('refuses the same key with another body (422), and is scoped to the caller', async () => {
    await expect(env.service.create(input({ title: 'Other' }), ALICE, 'key-1')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    // Bob's key-1 is another key: his create is a new request (and finds the slug taken).
    await expect(env.service.create(input(), BOB, 'key-1')).rejects.toBeInstanceOf(SlugTakenError);
  });

  it('lets exactly one of concurrent duplicates write', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        env.service.create(input({ slug: 'dup', title: 'Dup' }), ALICE, 'key-dup'),
      ),
    );
    const results = attempts.map((a) => (a.status === 'fulfilled' ? a.value : a.reason));
    expect(results.every((r) => !(r instanceof Error))).toBe(true);
    const etags = new Set(results.map((r) => (r as { etag: string }).etag));
    expect(etags.size).toBe(1);
    expect((await env.service.getForEditor('dup')).article.version).toBe(1);
  });

  it('forgets a key once its record has expired, even before TTL deletes it', async () => {
    await env.service.create(input({ slug: 'exp-1', title: 'E1' }), ALICE, 'key-exp');
    clock.now = new Date(clock.now.getTime() + 24 * 3600 * 1000 + 1000);
    const fresh = await env.service.create(input({ slug: 'exp-2', title: 'E2' }), ALICE, 'key-exp');
    expect(fresh.article.slug).toBe('exp-2');
  });

  it('stores the record with its TTL attribute', async () => {
    const before = clock.now;
    await env.service.create(input({ slug: 'ttl', title: 'TTL' }), ALICE, 'key-ttl');
    // Expire it by hand, as TTL would see it, and check the key is free again.
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update(`${ALICE}\nkey-ttl`).digest('base64url');
    const updated = await env.client.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: { pk: `IDEMPOTENCY#${key}`, sk: 'I' },
        UpdateExpression: 'SET expiresAt = :past',
        ConditionExpression: 'expiresAt = :expected',
        ExpressionAttributeValues: { ':past': 1, ':expected': Math.floor(before.getTime() / 1000) + 86_400 },
        ReturnValues: 'ALL_OLD',
      }),
    );
    expect(updated.Attributes?.requestHash).toEqual(expect.any(String));
    const again = await env.service.create(input({ slug: 'ttl-2', title: 'TTL' }), ALICE, 'key-ttl');
    expect(again.article.slug).toBe('ttl-2');
  });

  it('replays a large article intact, even after it was updated', async () => {
    const body = '漢'.repeat(80_000);
    const first = await env.service.create(
      input({ slug: 'large', title: 'Large', body }),
      ALICE,
      'key-large',
    );
    expect(
      (await env.service.create(input({ slug: 'large', title: 'Large', body }), ALICE, 'key-large')).article
        .body,
    ).toBe(body);
    await env.service.update('large', first.etag, { ...input({ title: 'Large' }), body: 'changed' }, ALICE);
    const replay = await env.service.create(
      input({ slug: 'large', title: 'Large', body }),
      ALICE,
      'key-large',
    );
    expect(JSON.stringify(replay)).toBe(JSON.stringify(first));
  });
});
