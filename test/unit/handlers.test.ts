import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  editorEtag,
  parseEditorEtag,
  publicEtag,
  type VersionState,
  versionDigest,
} from '../../functions/core/article.ts';
import { encodeContent } from '../../functions/core/content.ts';
import { handler as createArticle } from '../../functions/create-article.ts';
import { handler as deleteArticle } from '../../functions/delete-article.ts';
import { handler as editorGetArticle } from '../../functions/editor-get-article.ts';
import { handler as editorListArticles } from '../../functions/editor-list-articles.ts';
import { handler as getArticle } from '../../functions/get-article.ts';
import { handler as listArticles } from '../../functions/list-articles.ts';
import { handler as updateArticle } from '../../functions/update-article.ts';
import { apiEvent, EDITOR_ARN, invoke, lambdaContext } from '../support/events.ts';

const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
});

/** Items, keys and values of a wire-format object (a transaction item), unmarshalled. */
function plain<T extends object>(part: T | undefined) {
  if (part === undefined) return undefined;
  const wire = part as Record<string, unknown>;
  const values = (name: string) =>
    wire[name] === undefined ? undefined : unmarshall(wire[name] as Record<string, AttributeValue>);
  return {
    ...part,
    Item: values('Item'),
    Key: values('Key'),
    ExpressionAttributeValues: values('ExpressionAttributeValues'),
  };
}

/** The items of the `index`-th transaction the store sent, as plain values. */
function transactionItems(index = 0) {
  const items = ddb.commandCalls(TransactWriteItemsCommand)[index]?.args[0].input.TransactItems ?? [];
  return items.map((item) => ({
    Put: plain(item.Put),
    Delete: plain(item.Delete),
    Update: plain(item.Update),
  }));
}

const NOW = new Date();
const PAST = '2024-05-31T06:00:00Z';

const NONCE = 'bm9uY2Vub25jZW5v';

/**
 * A stored head as the store writes it (content inside, as for any article under 300 KB),
 * with the digest of its own state.
 */
function storedHead(overrides: Record<string, unknown> = {}) {
  const content = encodeContent({ body: 'Hi *there*', bodyHtml: '<p>Hi <em>there</em></p>\n' });
  const head = {
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
    chunks: 0,
    nonce: NONCE,
    content: new Uint8Array(content),
    gsi1pk: 'PUB',
    gsi1sk: 'x',
    ...overrides,
  };
  const state = { ...head, status: head.status === 'draft' ? 'draft' : 'published' } as VersionState;
  return { ...head, digest: versionDigest(state) };
}

const V3: VersionState = {
  slug: 'hello',
  version: 3,
  createdAt: '2024-05-31T05:00:00.000Z',
  createdBy: EDITOR_ARN,
  status: 'published',
  publishedAt: PAST,
  tags: ['news'],
  chunks: 0,
  nonce: NONCE,
};
/** The editor ETag of the stored version 3 (what GET /editor/articles/hello answers). */
const ETAG_V3 = editorEtag(V3);
/** Its public ETag (what GET /articles/hello answers). */
const PUBLIC_ETAG_V3 = publicEtag(versionDigest(V3));

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name}: internal details arn:aws:dynamodb:us-east-1:123456789012:table/secret`), {
    name,
    $metadata: { httpStatusCode: 400 },
    ...extra,
  });

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

const getPublic = (slug: string, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'GET',
    resource: '/articles/{slug}',
    path: `/articles/${slug}`,
    pathParameters: { slug },
    headers,
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
    ddb.on(TransactWriteItemsCommand).resolves({});
    const response = await invoke(
      createArticle,
      post({ title: '  Crème brûlée à la carte ', body: '# Hi', tags: ['food'] }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('/articles/creme-brulee-a-la-carte');
    expect(response.headers.etag).toMatch(/^".+"$/);
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
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    const [head] = transactionItems();
    expect(head?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(head?.Put?.Item).toMatchObject({
      slug: 'creme-brulee-a-la-carte',
      version: 1,
      createdBy: EDITOR_ARN,
    });
  });

  it('never takes the author identity from the body', async () => {
    const response = await invoke(
      createArticle,
      post({ title: 'T', body: 'b', createdBy: 'arn:aws:iam::1:user/mallory' }),
    );
    expectProblem(response, 400);
    expect(response.json.errors).toEqual([{ path: 'createdBy', message: 'is not a known field' }]);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
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
    ddb.on(TransactWriteItemsCommand).rejects(
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    const response = await invoke(createArticle, post({ slug: 'hello', title: 'T', body: 'b' }));
    expectProblem(response, 409);
  });

  it('answers 503 with Retry-After when DynamoDB throttles', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(sdkError('ProvisionedThroughputExceededException'));
    const response = await invoke(createArticle, post({ title: 'T', body: 'b' }));
    expectProblem(response, 503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('answers a generic 500 with no detail for an unexpected failure', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(sdkError('ValidationException'));
    const response = await invoke(createArticle, post({ title: 'T', body: 'b' }));
    expectProblem(response, 500);
    expect(response.body).not.toContain('ValidationException');
  });
});

describe('GET /articles/{slug}', () => {
  it('returns the public representation with ETag and Cache-Control', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    const response = await invoke(getArticle, getPublic('hello'));
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe(PUBLIC_ETAG_V3);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
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
    expect(response.body).not.toMatch(/pk|gsi|arn:aws/);
    // The public ETag tells nothing of who wrote the article.
    expect(response.headers.etag).not.toContain(Buffer.from(EDITOR_ARN).toString('base64url').slice(0, 12));
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      Key: marshall({ pk: 'ARTICLE#hello', sk: 'A' }),
      ConsistentRead: false,
    });
    // One GetItem, nothing else.
    expect(ddb.calls()).toHaveLength(1);
  });

  it('answers 304 with no body to a matching If-None-Match', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    const response = await invoke(getArticle, getPublic('hello', { 'If-None-Match': `W/${PUBLIC_ETAG_V3}` }));
    expect(response.status).toBe(304);
    expect(response.body).toBe('');
    expect(response.headers.etag).toBe(PUBLIC_ETAG_V3);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([
    ['a draft', { status: 'draft', publishedAt: null }],
    ['a scheduled article', { publishedAt: new Date(NOW.getTime() + 3_600_000).toISOString() }],
    ['a taken-down article', { takenDownAt: PAST }],
  ])('answers 404 for %s', async (_name, overrides) => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead(overrides)) });
    expectProblem(await invoke(getArticle, getPublic('hello')), 404);
  });

  it('answers 404 for an unknown slug and 400 for a malformed one', async () => {
    ddb.on(GetItemCommand).resolves({});
    expectProblem(await invoke(getArticle, getPublic('nope')), 404);
    expectProblem(await invoke(getArticle, getPublic('Bad_Slug')), 400);
  });

  it('ignores an Authorization header on public routes', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    const response = await invoke(getArticle, getPublic('hello', { Authorization: 'AWS4-HMAC-SHA256 junk' }));
    expect(response.status).toBe(200);
  });

  it('answers 503 with Retry-After when DynamoDB is unavailable', async () => {
    ddb.on(GetItemCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const response = await invoke(getArticle, getPublic('hello'));
    expectProblem(response, 503);
    expect(response.headers['retry-after']).toBe('1');
  });
});

describe('GET /editor/articles/{slug}', () => {
  it('returns the editor representation with status and identities', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead({ status: 'draft', publishedAt: null })) });
    const event = apiEvent({
      method: 'GET',
      resource: '/editor/articles/{slug}',
      path: '/editor/articles/hello',
      pathParameters: { slug: 'hello' },
      userArn: EDITOR_ARN,
    });
    const response = await invoke(editorGetArticle, event);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      status: 'draft',
      version: 3,
      createdBy: EDITOR_ARN,
      publishedAt: null,
    });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.etag).toBe(editorEtag({ ...V3, status: 'draft', publishedAt: null }));
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
  });
});

describe('PUT /editor/articles/{slug}', () => {
  const body = { title: 'New title', body: 'New body' };

  it('needs If-Match (428), refuses a stale one (412) and replaces on a match (200)', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    expectProblem(await invoke(updateArticle, put(body, {})), 428);
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': '"stale"' })), 412);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteItemsCommand);

    const response = await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 }));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ title: 'New title', version: 4, publishedAt: PAST, tags: [] });
    const etag = String(response.headers.etag);
    expect(parseEditorEtag(etag, 'hello')).toMatchObject({ version: 4, createdBy: EDITOR_ARN, tags: [] });
    expect(etag).not.toBe(ETAG_V3);
    const head = transactionItems()[0]?.Put;
    expect(head?.ExpressionAttributeValues).toEqual({ ':expected': versionDigest(V3) });
  });

  it('writes without reading first when If-Match is an editor ETag, and reads to check any other', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    expect((await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 }))).status).toBe(200);
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);

    // The public ETag of the same version is accepted too, after a consistent read.
    expect((await invoke(updateArticle, put(body, { 'If-Match': PUBLIC_ETAG_V3 }))).status).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
    const heads = [transactionItems(0)[0]?.Put, transactionItems(1)[0]?.Put];
    expect(heads.map((head) => head?.ExpressionAttributeValues)).toEqual([
      { ':expected': versionDigest(V3) },
      { ':expected': versionDigest(V3) },
    ]);
  });

  it('answers 412 when another writer won the race', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { version: { N: '4' } } }],
      }),
    );
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 })), 412);
  });

  it('answers 412, not 503, when its transaction keeps conflicting because another writer won', async () => {
    const conflict = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });
    ddb.on(TransactWriteItemsCommand).rejects(conflict);
    // After the retries, the head is checked: it holds another version now.
    ddb.on(GetItemCommand).resolves({ Item: marshall({ digest: 'another-version-digest' }) });
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 })), 412);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 5);
    // Still the version this write expects: the database is just busy.
    ddb.on(GetItemCommand).resolves({ Item: marshall({ digest: versionDigest(V3) }) });
    const busy = await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 }));
    expectProblem(busy, 503);
    expect(busy.headers['retry-after']).toBe('1');
  });

  it('refuses a slug in the body and answers 404 for an unknown article', async () => {
    expectProblem(await invoke(updateArticle, put({ ...body, slug: 'other' }, { 'If-Match': ETAG_V3 })), 400);
    // Read first (a public ETag): nothing there.
    ddb.on(GetItemCommand).resolves({});
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': PUBLIC_ETAG_V3 })), 404);
    // Written blind (an editor ETag): the condition finds no head.
    ddb.on(TransactWriteItemsCommand).rejects(
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    );
    expectProblem(await invoke(updateArticle, put(body, { 'If-Match': ETAG_V3 })), 404);
  });
});

describe('DELETE /editor/articles/{slug}', () => {
  const del = (headers: Record<string, string> = {}) =>
    apiEvent({
      method: 'DELETE',
      resource: '/editor/articles/{slug}',
      path: '/editor/articles/hello',
      pathParameters: { slug: 'hello' },
      headers,
      userArn: EDITOR_ARN,
    });

  it('takes down (204): stamps the head, drops its index keys and tag entries', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    const response = await invoke(deleteArticle, del());
    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    const items = transactionItems();
    const head = items[0]?.Update;
    expect(head?.Key).toEqual({ pk: 'ARTICLE#hello', sk: 'A' });
    expect(head?.ExpressionAttributeValues).toMatchObject({
      ':expected': versionDigest(V3),
      ':next': 4,
      ':by': EDITOR_ARN,
    });
    expect(head?.UpdateExpression).toMatch(/ REMOVE /);
    expect(Object.values(head?.ExpressionAttributeNames ?? {})).toContain('gsi1pk');
    // Nothing is copied or destroyed: the version keeps its revision, written with it.
    expect(items.filter((i) => i.Put !== undefined)).toEqual([]);
    expect(items.map((i) => i.Delete?.Key)).toContainEqual({ pk: 'TAG#news', sk: expect.any(String) });
  });

  it('takes down without reading first when If-Match is an editor ETag', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    expect((await invoke(deleteArticle, del({ 'If-Match': ETAG_V3 }))).status).toBe(204);
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
  });

  it('answers 412 to a stale If-Match and 404 to an unknown slug', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall(storedHead()) });
    expectProblem(await invoke(deleteArticle, del({ 'If-Match': '"old"' })), 412);
    ddb.on(GetItemCommand).resolves({});
    expectProblem(await invoke(deleteArticle, del()), 404);
  });
});

describe('list routes', () => {
  const list = (query: Record<string, string | string[]>) =>
    apiEvent({ method: 'GET', resource: '/articles', path: '/articles', query });

  it('lists visible articles with a cursor and cache headers', async () => {
    const head = storedHead();
    const items = Array.from({ length: 3 }, (_, i) => ({
      ...head,
      slug: `a${i}`,
      sk: 'A',
      pk: `ARTICLE#a${i}`,
      gsi1sk: `k${i}`,
    }));
    // List pages come from the plain DynamoDB command (the store unmarshals them itself).
    ddb.on(QueryCommand).resolves({ Items: items.map((item) => marshall(item)) });
    const response = await invoke(listArticles, list({ limit: '2' }));
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const page = response.json as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(page.items.map((i) => i.slug)).toEqual(['a0', 'a1']);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['slug', 'title', 'summary', 'author', 'tags', 'publishedAt', 'updatedAt'].sort(),
    );
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byStatus',
      Limit: 3,
      ScanIndexForward: false,
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
      ExpressionAttributeValues: { ':p': { S: 'DRAFT' } },
    });
    expectProblem(await invoke(editorListArticles, editorList({ status: 'archived' })), 400);
  });
});

describe('time budget', () => {
  it('answers 503 with Retry-After before the function times out, however slow DynamoDB is', async () => {
    ddb.on(GetItemCommand).callsFake(() => new Promise(() => undefined));
    const event = getPublic('hello');
    const started = Date.now();
    const result = await getArticle(event, { ...lambdaContext(), getRemainingTimeInMillis: () => 1_300 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('*');
  });
});
