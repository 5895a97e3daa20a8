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
  const article = {
    slug: 'a',
    title: 'A',
    body: '# A\n\nText.',
    tags: ['news', 'featured'],
    status: 'published',
    publishedAt: '2025-01-01T06:00:00Z',
  };

  it('writes head (if the slug is free), first revision and one entry per tag in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const result = await transactWrite({ body: JSON.stringify(article) });
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const puts = (calls[0]?.args[0].input.TransactItems ?? []).map((item) => item.Put);
    expect(puts.map((put) => [put?.TableName, put?.Item?.pk, put?.Item?.sk])).toEqual([
      [TABLE, 'ARTICLE#a', 'A'],
      [TABLE, 'ARTICLE#a', 'R#0000000001'],
      [TABLE, 'TAG#news', '2025-01-01T06:00:00Z#a'],
      [TABLE, 'TAG#featured', '2025-01-01T06:00:00Z#a'],
    ]);
    expect(puts[0]?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // Head and revision carry the body; tag entries carry the listed fields only.
    expect(puts[0]?.Item).toMatchObject({ ...article, version: 1 });
    expect(puts[1]?.Item).toMatchObject({ body: article.body });
    expect(puts[2]?.Item).not.toHaveProperty('body');
    expect(puts[2]?.Item).toMatchObject({ title: 'A', status: 'published' });
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({ pk: 'ARTICLE#a', sk: 'A', title: 'A' });
  });
});
