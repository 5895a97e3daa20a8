import {
  type CancellationReason,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createArticle } from '../../functions/create-article.ts';
import { handler as deleteArticle } from '../../functions/delete-article.ts';
import { handler as editorGetArticle } from '../../functions/editor-get-article.ts';
import { handler as editorListArticles } from '../../functions/editor-list-articles.ts';
import { handler as getArticle } from '../../functions/get-article.ts';
import { handler as listArticles } from '../../functions/list-articles.ts';
import { handler as updateArticle } from '../../functions/update-article.ts';
import { apiEvent, EDITOR_ARN, invoke, lambdaContext } from '../support/events.ts';

/**
 * Every handler with its DynamoDB Document client mocked: plain items in and out, as the
 * store reads and writes them (functions/core/store/layout.ts), and the errors DynamoDB
 * answers with. What each route sends to the table, and what it answers for each outcome.
 */

const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
});

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The items of the `index`-th transaction the store sent. */
const transactionItems = (index = 0): TransactItem[] =>
  ddb.commandCalls(TransactWriteCommand)[index]?.args[0].input.TransactItems ?? [];

const NOW = new Date();
const PAST = '2024-05-31T06:00:00Z';

/** The stored version 3's ETag attribute, and the ETag header every route answers it with. */
const ETAG_V3 = 'djMtZXRhZy12My1ldGFnLQ';
const ETAG_HEADER = `"${ETAG_V3}"`;
const NEW_ETAG = /^"[A-Za-z0-9_-]{22}"$/;

/** The head item of `hello` at version 3, as the store writes it (content inline, under 350 KB). */
function storedHead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'ARTICLE#hello',
    sk: 'A',
    slug: 'hello',
    title: 'Hello',
    summary: null,
    author: 'Desk',
    tags: ['news'],
    status: 'published',
    publishedAt: PAST,
    createdAt: '2024-05-31T05:00:00.000Z',
    updatedAt: '2024-05-31T05:00:00.000Z',
    version: 3,
    createdBy: EDITOR_ARN,
    updatedBy: EDITOR_ARN,
    etag: ETAG_V3,
    body: 'Hi *there*',
    bodyHtml: '<p>Hi <em>there</em></p>\n',
    gsi1pk: 'PUB',
    gsi1sk: '2024-05-31T06:00:00.000Z#hello',
    gsi2pk: 'ALL',
    gsi2sk: '2024-05-31T05:00:00.000Z#hello',
    ...overrides,
  };
}

const INTERNALS = 'internal details arn:aws:dynamodb:us-east-1:123456789012:table/secret';

/** A cancelled transaction, its reasons as DynamoDB sends them (the Document client does not translate errors). */
const cancelled = (...reasons: CancellationReason[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled: ${INTERNALS}`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: reasons,
  });
/** The head as a failed condition returns it (ALL_OLD), in DynamoDB's own format. */
const oldHead = (extra: CancellationReason['Item'] = {}): CancellationReason => ({
  Code: 'ConditionalCheckFailed',
  Item: { pk: { S: 'ARTICLE#hello' }, sk: { S: 'A' }, etag: { S: 'another-version-etag00' }, ...extra },
});

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: INTERNALS, $metadata: { httpStatusCode: 400 } });

const sdkError = (name: string) =>
  Object.assign(new Error(`${name}: ${INTERNALS}`), { name, $metadata: { httpStatusCode: 400 } });

const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  apiEvent({
    method: 'POST',
    resource: '/editor/articles',
    path: '/editor/articles',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    userArn: EDITOR_ARN,
  });

const put = (body: unknown, headers: Record<string, string>) =>
  apiEvent({
    method: 'PUT',
    resource: '/editor/articles/{slug}',
    path: '/editor/articles/hello',
    pathParameters: { slug: 'hello' },
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    userArn: EDITOR_ARN,
  });

const del = (headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    path: '/editor/articles/hello',
    pathParameters: { slug: 'hello' },
    headers,
    userArn: EDITOR_ARN,
  });

const getPublic = (slug: string, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'GET',
    resource: '/articles/{slug}',
    path: `/articles/${slug}`,
    pathParameters: { slug },
    headers,
  });

const getEditor = (slug: string) =>
  apiEvent({
    method: 'GET',
    resource: '/editor/articles/{slug}',
    path: `/editor/articles/${slug}`,
    pathParameters: { slug },
    userArn: EDITOR_ARN,
  });

function expectProblem(response: Awaited<ReturnType<typeof invoke>>, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(response.headers['access-control-allow-origin']).toBe('*');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  // No internals: no AWS identifiers, exception names or stack traces.
  expect(response.body).not.toMatch(/arn:aws|Exception|at \w+ \(|node_modules|\.ts:\d+/);
}

describe('POST /editor/articles', () => {
  it('creates an article: 201, Location, ETag, editor representation, identity from the request context', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const response = await invoke(
      createArticle,
      post({ title: '  Crème brûlée à la carte ', body: '# Hi', tags: ['food'] }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('/articles/creme-brulee-a-la-carte');
    expect(response.headers.etag).toMatch(NEW_ETAG);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-expose-headers']).toContain('ETag');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(Object.keys(response.json).sort()).toEqual(
      [
        'slug',
        'title',
        'summary',
        'body',
        'bodyHtml',
        'author',
        'tags',
        'publishedAt',
        'updatedAt',
        'status',
        'createdAt',
        'version',
        'createdBy',
        'updatedBy',
      ].sort(),
    );
    expect(response.json).toMatchObject({
      slug: 'creme-brulee-a-la-carte',
      title: 'Crème brûlée à la carte',
      summary: null,
      author: null,
      tags: ['food'],
      bodyHtml: '<h1>Hi</h1>\n',
      status: 'published',
      version: 1,
      createdBy: EDITOR_ARN,
      updatedBy: EDITOR_ARN,
    });
    // One transaction, nothing else: the head (only if the slug was never used), the
    // revision and the tag entry, as plain items.
    expect(ddb.calls()).toHaveLength(1);
    const [head, ...rest] = transactionItems();
    expect(head?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(head?.Put?.Item).toMatchObject({
      pk: 'ARTICLE#creme-brulee-a-la-carte',
      sk: 'A',
      slug: 'creme-brulee-a-la-carte',
      version: 1,
      createdBy: EDITOR_ARN,
      body: '# Hi',
      bodyHtml: '<h1>Hi</h1>\n',
      etag: String(response.headers.etag).slice(1, -1),
      gsi1pk: 'PUB',
      gsi2pk: 'ALL',
    });
    expect(rest.map((item) => item.Put?.Item?.sk)).toEqual(['R#0000000001', expect.stringMatching(/#/)]);
    expect(rest[1]?.Put?.Item).toMatchObject({ pk: 'TAG#food', slug: 'creme-brulee-a-la-carte' });
  });

  it('never takes the author identity from the body', async () => {
    const response = await invoke(
      createArticle,
      post({ title: 'T', body: 'b', createdBy: 'arn:aws:iam::1:user/mallory' }),
    );
    expectProblem(response, 400);
    expect(response.json.errors).toEqual([{ path: 'createdBy', message: 'is not a known field' }]);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers 403 when invoked without an IAM identity', async () => {
    const event = apiEvent({
      method: 'POST',
      resource: '/editor/articles',
      path: '/editor/articles',
      headers: { 'Content-Type': 'application/json', Authorization: 'AWS4-HMAC-SHA256 forged' },
      body: JSON.stringify({ title: 'T', body: 'b' }),
    });
    expectProblem(await invoke(createArticle, event), 403);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['a body over 256 KiB', post({ title: 'T', body: 'x'.repeat(256 * 1024) }), 413],
    ['text/plain', post({ title: 'T', body: 'b' }, { 'Content-Type': 'text/plain' }), 415],
    ['no Content-Type', post({ title: 'T', body: 'b' }, {}), 415],
    ['malformed JSON', post('{"title": "T",'), 400],
    ['an empty body', post(''), 400],
    ['a JSON array', post([{ title: 'T', body: 'b' }]), 400],
    ['JSON null', post('null'), 400],
    ['a missing title', post({ body: 'b' }), 400],
    ['a title of spaces', post({ title: '   ', body: 'b' }), 400],
    ['a bad slug', post({ slug: 'Not A Slug', title: 'T', body: 'b' }), 400],
    ['duplicate tags', post({ title: 'T', body: 'b', tags: ['a', 'a'] }), 400],
    ['11 tags', post({ title: 'T', body: 'b', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }), 400],
    ['a bad status', post({ title: 'T', body: 'b', status: 'archived' }), 400],
    ['a date without offset', post({ title: 'T', body: 'b', publishedAt: '2024-05-31T06:00:00' }), 400],
    ['a title with no letters', post({ title: '!!!', body: 'b' }), 400],
  ])('rejects %s without touching the table', async (_name, event, status) => {
    const response = await invoke(createArticle, event);
    expectProblem(response, status);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('lists field errors with paths', async () => {
    const response = await invoke(createArticle, post({ title: 5, body: '', tags: ['ok', 'Bad'], extra: 1 }));
    expectProblem(response, 400);
    expect(response.json.errors).toEqual(
      expect.arrayContaining([
        { path: 'title', message: expect.any(String) },
        { path: 'body', message: 'must not be empty' },
        { path: 'tags.1', message: expect.any(String) },
        { path: 'extra', message: 'is not a known field' },
      ]),
    );
  });

  it('answers 409 when the slug is taken', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }));
    const response = await invoke(createArticle, post({ slug: 'hello', title: 'T', body: 'b' }));
    expectProblem(response, 409);
  });

  it('answers 503 with Retry-After when DynamoDB throttles', async () => {
    ddb.on(TransactWriteCommand).rejects(throttled());
    const response = await invoke(createArticle, post({ title: 'T', body: 'b' }));
    expectProblem(response, 503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('answers a generic 500 with no detail for an unexpected failure', async () => {
    ddb.on(TransactWriteCommand).rejects(sdkError('ValidationException'));
    const response = await invoke(createArticle, post({ title: 'T', body: 'b' }));
    expectProblem(response, 500);
    expect(response.body).not.toContain('ValidationException');
  });
});

describe('GET /articles/{slug}', () => {
  it('returns the public representation with the version ETag and Cache-Control, from one GetItem', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    const response = await invoke(getArticle, getPublic('hello'));
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe(ETAG_HEADER);
    expect(response.headers['cache-control']).toBe('public, max-age=60, s-maxage=86400');
    expect(response.json).toEqual({
      slug: 'hello',
      title: 'Hello',
      summary: null,
      body: 'Hi *there*',
      bodyHtml: '<p>Hi <em>there</em></p>\n',
      author: 'Desk',
      tags: ['news'],
      publishedAt: PAST,
      updatedAt: '2024-05-31T05:00:00.000Z',
    });
    expect(response.body).not.toMatch(/pk|gsi|etag|arn:aws/);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'ARTICLE#hello', sk: 'A' },
      ConsistentRead: false,
    });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('answers 304 with no body to a matching If-None-Match (weak comparison)', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    const response = await invoke(getArticle, getPublic('hello', { 'If-None-Match': `W/${ETAG_HEADER}` }));
    expect(response.status).toBe(304);
    expect(response.body).toBe('');
    expect(response.headers.etag).toBe(ETAG_HEADER);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([
    ['a draft', { status: 'draft', publishedAt: null, gsi1pk: 'DRAFT' }],
    ['a scheduled article', { publishedAt: new Date(NOW.getTime() + 3_600_000).toISOString() }],
    ['a taken-down article', { takenDownAt: PAST, takenDownBy: EDITOR_ARN }],
  ])('answers 404 for %s', async (_name, overrides) => {
    ddb.on(GetCommand).resolves({ Item: storedHead(overrides) });
    expectProblem(await invoke(getArticle, getPublic('hello')), 404);
  });

  it('answers 404 for an unknown slug and 400 for a malformed one', async () => {
    ddb.on(GetCommand).resolves({});
    expectProblem(await invoke(getArticle, getPublic('nope')), 404);
    expectProblem(await invoke(getArticle, getPublic('Bad_Slug')), 400);
    expect(ddb.calls()).toHaveLength(1);
  });

  it('ignores an Authorization header on public routes', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    const response = await invoke(getArticle, getPublic('hello', { Authorization: 'AWS4-HMAC-SHA256 junk' }));
    expect(response.status).toBe(200);
  });

  it('answers 503 with Retry-After when DynamoDB is unavailable', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const response = await invoke(getArticle, getPublic('hello'));
    expectProblem(response, 503);
    expect(response.headers['retry-after']).toBe('1');
  });
});

describe('GET /editor/articles/{slug}', () => {
  it('returns the editor representation with status and identities, read consistently, with the same ETag', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: storedHead({ status: 'draft', publishedAt: null, gsi1pk: 'DRAFT' }) });
    const response = await invoke(editorGetArticle, getEditor('hello'));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      status: 'draft',
      version: 3,
      createdBy: EDITOR_ARN,
      publishedAt: null,
    });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.etag).toBe(ETAG_HEADER);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'ARTICLE#hello', sk: 'A' },
      ConsistentRead: true,
    });
  });

  it('answers 404 for a taken-down article', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead({ takenDownAt: PAST, takenDownBy: EDITOR_ARN }) });
    expectProblem(await invoke(editorGetArticle, getEditor('hello')), 404);
  });
});

describe('PUT /editor/articles/{slug}', () => {
  const body = { title: 'New title', body: 'New body' };

  it('needs If-Match (428, nothing read), refuses a stale one (412, nothing written), replaces on a match (200)', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).resolves({});
    expectProblem(await invoke(updateArticle, put(body, {})), 428);
    expect(ddb.calls()).toHaveLength(0);
    for (const stale of ['"stale"', `W/${ETAG_HEADER}`, ETAG_V3]) {
      expectProblem(await invoke(updateArticle, put(body, { 'If-Match': stale })), 412);
    }
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);

    const response = await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER }));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ title: 'New title', version: 4, publishedAt: PAST, tags: [] });
    const etag = String(response.headers.etag);
    expect(etag).toMatch(NEW_ETAG);
    expect(etag).not.toBe(ETAG_HEADER);
  });

  it('reads the head consistently, then writes one transaction conditioned on its ETag', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).resolves({});
    const response = await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER }));
    expect(response.status).toBe(200);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'ARTICLE#hello', sk: 'A' },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const [head, revision, ...rest] = transactionItems();
    expect(head?.Put).toMatchObject({
      ConditionExpression: '#etag = :current AND attribute_not_exists(#takenDownAt)',
      ExpressionAttributeNames: { '#etag': 'etag', '#takenDownAt': 'takenDownAt' },
      ExpressionAttributeValues: { ':current': ETAG_V3 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: {
        pk: 'ARTICLE#hello',
        sk: 'A',
        version: 4,
        etag: String(response.headers.etag).slice(1, -1),
        body: 'New body',
        bodyHtml: '<p>New body</p>\n',
        createdBy: EDITOR_ARN,
      },
    });
    expect(revision?.Put?.Item).toMatchObject({
      sk: 'R#0000000004',
      version: 4,
      etag: head?.Put?.Item?.etag,
    });
    // The tag it no longer has loses its entry in the same transaction.
    expect(rest).toEqual([
      { Delete: { TableName: 'newsdesk-test', Key: { pk: 'TAG#news', sk: expect.any(String) } } },
    ]);
  });

  it('matches `*` and a list holding the current ETag', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).resolves({});
    expect((await invoke(updateArticle, put(body, { 'If-Match': '*' }))).status).toBe(200);
    expect((await invoke(updateArticle, put(body, { 'If-Match': `"x", ${ETAG_HEADER}` }))).status).toBe(200);
  });

  it('answers 412 when another version was written between its read and its write', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).rejects(cancelled(oldHead()));
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER })), 412);
  });

  it.each([
    ['taken down', oldHead({ takenDownAt: { S: PAST } })],
    ['deleted', { Code: 'ConditionalCheckFailed' }],
  ])('answers 404 when the article was %s between its read and its write', async (_, reason) => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).rejects(cancelled(reason));
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER })), 404);
  });

  it('runs a transaction that met another one again, so its condition decides (412), and answers 503 when it keeps meeting one', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    const conflict = cancelled({ Code: 'TransactionConflict' }, { Code: 'None' });
    ddb.on(TransactWriteCommand).rejectsOnce(conflict).rejects(cancelled(oldHead()));
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER })), 412);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).rejects(conflict);
    const busy = await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER }));
    expectProblem(busy, 503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 5);
  });

  it('refuses a slug in the body (400) and answers 404 for an unknown article', async () => {
    expectProblem(
      await invoke(updateArticle, put({ ...body, slug: 'other' }, { 'If-Match': ETAG_HEADER })),
      400,
    );
    expect(ddb.calls()).toHaveLength(0);
    ddb.on(GetCommand).resolves({});
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_HEADER })), 404);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});

describe('DELETE /editor/articles/{slug}', () => {
  it('takes down (204): stamps the head, drops its index keys and tag entries, keeps its content', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).resolves({});
    const response = await invoke(deleteArticle, del({ 'If-Match': ETAG_HEADER }));
    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
    const items = transactionItems();
    const head = items[0]?.Update;
    expect(head?.Key).toEqual({ pk: 'ARTICLE#hello', sk: 'A' });
    expect(head?.ConditionExpression).toBe('#etag = :current AND attribute_not_exists(#takenDownAt)');
    expect(head?.ExpressionAttributeValues).toMatchObject({
      ':current': ETAG_V3,
      ':version': 4,
      ':etag': expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ':by': EDITOR_ARN,
      ':at': expect.any(String),
    });
    expect(head?.ExpressionAttributeValues?.[':etag']).not.toBe(ETAG_V3);
    expect(head?.UpdateExpression).toMatch(/ REMOVE /);
    expect(Object.values(head?.ExpressionAttributeNames ?? {})).toEqual(
      expect.arrayContaining(['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']),
    );
    // Nothing is copied or destroyed: the version keeps its revision, written with it.
    expect(items.filter((i) => i.Put !== undefined)).toEqual([]);
    expect(items.slice(1).map((i) => i.Delete?.Key)).toEqual([{ pk: 'TAG#news', sk: expect.any(String) }]);
  });

  it('needs no If-Match', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).resolves({});
    expect((await invoke(deleteArticle, del())).status).toBe(204);
  });

  it('answers 412 to a stale If-Match and 404 to an unknown slug, writing nothing', async () => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    expectProblem(await invoke(deleteArticle, del({ 'If-Match': '"old"' })), 412);
    ddb.on(GetCommand).resolves({});
    expectProblem(await invoke(deleteArticle, del()), 404);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it.each([
    ['another version was written', oldHead(), 412],
    ['it was taken down', oldHead({ takenDownAt: { S: PAST } }), 404],
  ] as const)('answers %s between its read and its write with %i', async (_, reason, status) => {
    ddb.on(GetCommand).resolves({ Item: storedHead() });
    ddb.on(TransactWriteCommand).rejects(cancelled(reason));
    expectProblem(await invoke(deleteArticle, del({ 'If-Match': ETAG_HEADER })), status);
  });
});

describe('list routes', () => {
  const list = (query: Record<string, string | string[]>) =>
    apiEvent({ method: 'GET', resource: '/articles', path: '/articles', query });

  it('lists visible articles newest first, with a cursor that continues after the last one, and cache headers', async () => {
    const items = Array.from({ length: 3 }, (_, i) =>
      storedHead({ pk: `ARTICLE#a${i}`, slug: `a${i}`, gsi1sk: `2024-05-31T06:00:0${i}.000Z#a${i}` }),
    );
    ddb.on(QueryCommand).resolves({ Items: items });
    const response = await invoke(listArticles, list({ limit: '2' }));
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60, s-maxage=86400');
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const page = response.json as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(page.items.map((i) => i.slug)).toEqual(['a0', 'a1']);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['slug', 'title', 'summary', 'author', 'tags', 'publishedAt', 'updatedAt'].sort(),
    );
    expect(page.nextCursor).toEqual(expect.any(String));
    // One more than the page, so that it knows whether another page follows.
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byStatus',
      ExpressionAttributeValues: { ':p': 'PUB', ':s': expect.any(String) },
      Limit: 3,
      ScanIndexForward: false,
    });

    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    const next = await invoke(listArticles, list({ limit: '2', cursor: page.nextCursor ?? '' }));
    expect(next.json).toEqual({ items: [], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExclusiveStartKey: { pk: 'ARTICLE#a1', sk: 'A', gsi1pk: 'PUB', gsi1sk: '2024-05-31T06:00:01.000Z#a1' },
    });
  });

  it.each([
    [{ limit: '0' }],
    [{ limit: '101' }],
    [{ limit: 'ten' }],
    [{ limit: '1.5' }],
    [{ limit: ['1', '2'] }],
    [{ cursor: 'forged' }],
    [{ tag: 'Not A Tag' }],
  ])('answers 400 to %o', async (query) => {
    expectProblem(await invoke(listArticles, list(query)), 400);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('filters the editor list by status and rejects unknown statuses', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const editorList = (query: Record<string, string>) =>
      apiEvent({
        method: 'GET',
        resource: '/editor/articles',
        path: '/editor/articles',
        query,
        userArn: EDITOR_ARN,
      });
    const drafts = await invoke(editorListArticles, editorList({ status: 'draft' }));
    expect(drafts.json).toEqual({ items: [], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byStatus',
      ExpressionAttributeValues: { ':p': 'DRAFT' },
    });
    expectProblem(await invoke(editorListArticles, editorList({ status: 'archived' })), 400);
  });
});

describe('time budget', () => {
  it('answers 503 with Retry-After before the function times out, however long DynamoDB takes', async () => {
    // A GetItem that never answers: only the function's own time budget can end the request.
    ddb.on(GetCommand).callsFake(() => new Promise(() => undefined));
    const result = await getArticle(getPublic('hello'), {
      ...lambdaContext(),
      getRemainingTimeInMillis: () => 1_300,
    });
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
  });
});
