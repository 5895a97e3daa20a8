import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as getItem } from '../../bench/reference/get-item.ts';
import { handler as transactWrite } from '../../bench/reference/transact-write.ts';

// The bench's two references (bench/reference/): what they send to DynamoDB and answer.
// No timing is asserted here.

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'reference-table';

beforeEach(() => {
  ddb.reset();
  process.env.TABLE_NAME = TABLE;
});

afterEach(() => {
  delete process.env.TABLE_NAME;
});

describe('the reference (bare GetItem)', () => {
  it("gets the article's head by slug and answers it as JSON", async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'ARTICLE#a', sk: 'A', title: 'A' } });
    const result = await getItem({ pathParameters: { slug: 'a' } });
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'ARTICLE#a', sk: 'A' } },
    ]);
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pk: 'ARTICLE#a', sk: 'A', title: 'A' }),
    });
  });

  it('answers 404 when there is no item', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await getItem({ pathParameters: { slug: 'missing' } })).toMatchObject({ statusCode: 404 });
  });
});

describe('the write reference (bare transaction)', () => {
  const article = { slug: 'a', title: 'A', body: '# A\n\nText.', tags: ['news'] };

  it('writes head (only if the slug is free), revision and tag entries in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const result = await transactWrite({ body: JSON.stringify(article) });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const [head, revision, tag, ...others] = (calls[0]?.args[0].input.TransactItems ?? []).map(
      (item) => item.Put,
    );
    expect(others).toEqual([]);
    expect(head).toMatchObject({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(head?.Item).toMatchObject({ ...article, pk: 'ARTICLE#a', sk: 'A', version: 1 });
    expect(revision?.Item).toMatchObject({ pk: 'ARTICLE#a', sk: 'R#0000000001', body: article.body });
    expect(tag?.Item).toMatchObject({ pk: 'TAG#news', title: 'A' });
    expect(tag?.Item?.body).toBeUndefined();
    expect(result.statusCode).toBe(201);
  });

  it('reads the head first when it replaces an existing article', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'ARTICLE#a', sk: 'A', version: 4 } });
    ddb.on(TransactWriteCommand).resolves({});
    const { slug: _slug, ...fields } = article;
    const result = await transactWrite({ body: JSON.stringify(fields), pathParameters: { slug: 'a' } });
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'ARTICLE#a', sk: 'A' }, ConsistentRead: true },
    ]);
    const [head, revision] = (
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []
    ).map((item) => item.Put);
    expect(head?.ConditionExpression).toBeUndefined();
    expect(head?.Item).toMatchObject({ slug: 'a', version: 5 });
    expect(revision?.Item).toMatchObject({ sk: 'R#0000000005' });
    expect(result.statusCode).toBe(200);
  });
});
