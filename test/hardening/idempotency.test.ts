import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { TABLE } from '../../functions/core/table.ts';
import { type Clock, fixedClock, localService } from '../support/dynamodb.ts';
import { createEvent, EDITOR_ARN, replaceEvent } from '../support/events.ts';
import { answerViolations } from './checks.ts';
import { bodiesByVersion, checkConsistency } from './invariants.ts';
import { type Answer, call, type Handler, handlersFor } from './routes.ts';
import { describeDiff, diff, rawClient, scanAll, snapshot } from './table.ts';

/**
 * Idempotent create (POST /editor/articles with Idempotency-Key): every case, end to end
 * through the handler on DynamoDB Local, on a clock the test sets: replay, conflict,
 * scope, large content, concurrency and expiry, each checked on the table itself.
 */

const BOB = 'arn:aws:iam::000000000000:user/bob';
const TTL = TABLE.ttlAttribute;
const DAY = 24 * 3600 * 1000;

const post = (body: unknown, key: string | undefined, editor = EDITOR_ARN) =>
  createEvent(body, key === undefined ? {} : { 'Idempotency-Key': key }, editor);

let clock: Clock;
let create: Handler;
let update: Handler;
let tableName: string;
const raw = () => rawClient(inject('dynamodbEndpoint'));
const table = () => snapshot(raw(), tableName);
const records = async () => checkConsistency(await scanAll(raw(), tableName)).other;

function same(a: Answer, b: Answer) {
  expect(b.status).toBe(a.status);
  expect(b.body).toBe(a.body);
  expect(b.headers.etag).toBe(a.headers.etag);
  expect(b.headers.location).toBe(a.headers.location);
}

async function expectUnchanged(before: Awaited<ReturnType<typeof table>>) {
  const after = await table();
  expect(after.bytes.equals(before.bytes), describeDiff(diff(before, after))).toBe(true);
}

beforeEach(async () => {
  clock = fixedClock('2026-03-01T00:00:00.000Z');
  const env = await localService(clock);
  tableName = env.tableName;
  const handlers = handlersFor(env.service);
  create = handlers['POST /editor/articles'];
  update = handlers['PUT /editor/articles/{slug}'];
});

describe('Idempotency-Key on POST /editor/articles', () => {
  const body = { title: 'Idempotent story', body: 'Once *only*.', tags: ['news'] };

  it('same key and body (a retry, say after a lost answer): the original 201 (same body, same ETag), nothing written again', async () => {
    const first = await call(create, post(body, 'key-1'));
    expect(first.status, first.body).toBe(201);
    const before = await table();
    clock.now = new Date(clock.now.getTime() + 3600_000);
    const again = await call(create, post(body, 'key-1'));
    same(first, again);
    expect(JSON.parse(again.body)).toMatchObject({ createdAt: '2026-03-01T00:00:00.000Z', version: 1 });
    await expectUnchanged(before);
  });

  it('the same request written differently (key order, white space) is the same request', async () => {
    const first = await call(create, post(body, 'key-2'));
    const reordered = `{ "tags": ["news"],\n  "body": "Once *only*.", "title": "Idempotent story" }`;
    same(first, await call(create, post(reordered, 'key-2')));
  });

  it('replays the original response even after the article has changed since', async () => {
    const first = await call(create, post(body, 'key-3'));
    const edited = await call(
      update,
      replaceEvent('idempotent-story', first.headers.etag ?? '', { ...body, title: 'Edited' }),
    );
    expect(edited.status).toBe(200);
    same(first, await call(create, post(body, 'key-3')));
  });

  it('replays a large article (content in slices) intact, before and after an update', async () => {
    // 200 KB of body whose HTML (400 KB) takes two slices, the first ending where a
    // 3-byte character would cross 350 000 bytes.
    const large = { slug: 'large', title: 'Large', body: `xxx${'漢&'.repeat(49_998)}` };
    const first = await call(create, post(large, 'key-large'));
    expect(first.status, first.body.slice(0, 300)).toBe(201);
    const before = await table();
    expect([...before.items.keys()].filter((key) => key.includes('C#bodyHtml#'))).toHaveLength(4);
    same(first, await call(create, post(large, 'key-large')));
    await expectUnchanged(before);
    const edited = await call(
      update,
      replaceEvent('large', first.headers.etag ?? '', { ...large, slug: undefined, body: 'small now' }),
    );
    expect(edited.status, edited.body).toBe(200);
    same(first, await call(create, post(large, 'key-large')));
    expect(JSON.parse(first.body)).toMatchObject({ body: large.body, version: 1 });
  });

  it('same key, another body: 422 problem+json, nothing written', async () => {
    await call(create, post(body, 'key-4'));
    const before = await table();
    const reused = await call(create, post({ ...body, title: 'Another story' }, 'key-4'));
    expect(reused.status).toBe(422);
    expect(answerViolations('POST /editor/articles', reused)).toEqual([]);
    expect(JSON.parse(reused.body)).toMatchObject({
      status: 422,
      type: expect.stringContaining('idempotency'),
    });
    await expectUnchanged(before);
  });

  it('keys are scoped to the caller: another editor with the same key makes a new request', async () => {
    const alices = await call(create, post(body, 'shared-key'));
    expect(alices.status).toBe(201);
    // Bob's identical request is not a replay of Alice's: it is a new create of a taken slug.
    const bobsCopy = await call(create, post(body, 'shared-key', BOB));
    expect(bobsCopy.status).toBe(409);
    // And his own body with that key is not a 422: the key is his, and unused.
    const bobs = await call(create, post({ ...body, title: 'Bob story' }, 'shared-key', BOB));
    expect(bobs.status, bobs.body).toBe(201);
    expect(JSON.parse(bobs.body)).toMatchObject({ slug: 'bob-story', createdBy: BOB });
    expect(await records()).toHaveLength(2);
  });

  it('the record is written with the article and expires 24 hours later through the table TTL attribute', async () => {
    await call(create, post(body, 'key-ttl'));
    const [record, ...others] = await records();
    expect(others).toEqual([]);
    expect(record?.[TTL]).toBe(Math.floor(clock.now.getTime() / 1000) + 24 * 3600);
    expect(record?.requestHash).toEqual(expect.any(String));
    // Nothing of the content is copied into it: a replay reads version 1 of the article.
    expect(JSON.stringify(record)).not.toContain('Once *only*.');
  });

  it('a record counts for exactly 24 hours; once expired, even before TTL deletes it, the key is free', async () => {
    const created = clock.now.getTime();
    const first = await call(create, post(body, 'key-expired'));
    expect(first.status).toBe(201);
    clock.now = new Date(created + DAY);
    same(first, await call(create, post(body, 'key-expired')));
    clock.now = new Date(created + DAY + 1000);
    // The same body is now a new request: its slug is taken (409), not a replay.
    const again = await call(create, post(body, 'key-expired'));
    expect(again.status).toBe(409);
    // Another body with the key is a new create, not a 422, and takes the key over.
    const other = await call(create, post({ ...body, title: 'Second story' }, 'key-expired'));
    expect(other.status, other.body).toBe(201);
    const replay = await call(create, post({ ...body, title: 'Second story' }, 'key-expired'));
    expect(replay.status).toBe(201);
    expect(replay.body).toBe(other.body);
    expect(await records()).toHaveLength(1);
  });

  it('a record whose TTL attribute has passed counts as absent, whatever else it holds', async () => {
    const first = await call(create, post(body, 'key-ttl-past'));
    expect(first.status).toBe(201);
    // Expire it in place, as TTL sees it, before TTL has swept it.
    const [record] = await scanAll(raw(), tableName).then((items) =>
      items.filter((item) => item[TTL] !== undefined),
    );
    const pk = TABLE.partitionKey.name;
    const sk = TABLE.sortKey.name;
    await raw().send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { [pk]: record?.[pk] ?? { S: '' }, [sk]: record?.[sk] ?? { S: '' } },
        UpdateExpression: 'SET #ttl = :past',
        ExpressionAttributeNames: { '#ttl': TTL },
        ExpressionAttributeValues: { ':past': { N: String(Math.floor(clock.now.getTime() / 1000) - 60) } },
      }),
    );
    const other = await call(create, post({ ...body, title: 'Third story' }, 'key-ttl-past'));
    expect(other.status, other.body).toBe(201);
    expect(JSON.parse(other.body)).toMatchObject({ slug: 'third-story' });
  });

  it('concurrent duplicates: every caller gets the same 201, one article is written', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(create, post(body, 'key-race'))));
    const first = answers[0] as Answer;
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    for (const answer of answers) same(first, answer);
    const items = await scanAll(raw(), tableName);
    const consistency = checkConsistency(items);
    expect(consistency.violations).toEqual([]);
    expect([...consistency.articles.values()].map((a) => [a.slug, a.version])).toEqual([
      ['idempotent-story', 1],
    ]);
    expect([...bodiesByVersion(items, 'idempotent-story').keys()]).toEqual([1]);
    expect(consistency.other).toHaveLength(1);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
  });

  it('concurrent requests with one key and different bodies: one 201, the others 422, one article', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(create, post({ ...body, title: `Story ${i}` }, 'key-race-2')),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 9 }, () => 422)]);
    const consistency = checkConsistency(await scanAll(raw(), tableName));
    expect(consistency.violations).toEqual([]);
    expect(consistency.articles.size).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'k'.repeat(129)],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'clé'],
    ['DEL', 'a\u007f'],
    ['NUL', 'a\u0000'],
  ])('a key with %s: 400 problem+json, nothing written', async (_, key) => {
    const before = await table();
    const answer = await call(create, post(body, key));
    expect(answer.status).toBe(400);
    expect(answerViolations('POST /editor/articles', answer)).toEqual([]);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ path: 'Idempotency-Key' }] });
    await expectUnchanged(before);
  });

  it.each([
    ['128 characters', 'k'.repeat(128)],
    ['the first and last visible characters', '!~'],
    [
      'every visible ASCII character',
      Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(''),
    ],
  ])('a key with %s is accepted', async (_, key) => {
    const answer = await call(create, post(body, key));
    expect(answer.status, answer.body).toBe(201);
    same(answer, await call(create, post(body, key)));
  });
});
